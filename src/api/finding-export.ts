// Findings exported in full (data-subject access requests, audits): every finding a bound query selects, read in
// keyset pages and encoded as NDJSON or CSV text, one page at a time, so that memory stays the same for any size.
import { stringify } from 'csv-stringify/sync';
import type { BoundQuery } from '../query/bound.js';
import type { FindingRecord, FindingStore, SearchPosition } from '../store/finding-store.js';
import { presentFinding, presentFindingJson } from './present.js';

export const EXPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Findings read per store query: a page's text (~1–2 MB) is what the export holds besides the socket's buffer. */
export const EXPORT_PAGE_SIZE = 500;

export const EXPORT_CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
};

/**
 * Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and take a leading tab or carriage return, or the
 * full-width forms some locales accept, the same way) as a formula: such a cell is prefixed with `'` (OWASP's CSV
 * injection advice). Leading spaces do not hide the character. Every finding field is attacker-controlled text.
 */
export function spreadsheetSafe(text: string): string {
  return /^[\s\u3000]*[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/.test(text) ? `'${text}` : text;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function field(doc: Record<string, unknown>, ...path: string[]): unknown {
  let at: unknown = doc;
  for (const key of path) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

/** The CSV columns, in order (docs/api.md lists them); `document` is GuardDuty's finding as stored, as JSON. */
export const CSV_COLUMNS = [
  'accountId', 'region', 'id', 'arn', 'type', 'severity', 'band', 'title', 'description', 'createdAt', 'updatedAt',
  'count', 'resourceType', 'firstSeen', 'lastSeen', 'versions', 'archived', 'document',
] as const;

function csvRow(record: FindingRecord, now: number): string[] {
  const { finding: doc, yagura } = presentFinding(record, now);
  const cells = [
    yagura.accountId, yagura.region, yagura.id, str(doc.arn), str(doc.type), str(doc.severity), yagura.band, str(doc.title),
    str(doc.description), str(doc.createdAt), str(doc.updatedAt), str(field(doc, 'service', 'count')), str(field(doc, 'resource', 'resourceType')),
    yagura.firstSeen, yagura.lastSeen, String(yagura.versions), String(yagura.archived), record.json ?? JSON.stringify(doc),
  ];
  return cells.map(spreadsheetSafe);
}

export interface ExportRequest {
  /** The caller's query, already bound and restricted to the caller's scope. */
  readonly query: BoundQuery;
  readonly from?: number;
  readonly to?: number;
  readonly format: ExportFormat;
  /** Aborts the store read under way (the client went away). */
  readonly signal?: AbortSignal;
  /** Called after each page with the findings written so far. */
  readonly onPage?: (findings: number) => void;
}

/**
 * The export's text, a page of findings per chunk, oldest `updatedAt` first: a finding updated while the export
 * runs moves towards the end, so it is never skipped (it may appear twice, its newer version last). Pull-based: the
 * next page is read only when the consumer asks for more text.
 */
export async function* exportFindings(store: FindingStore, request: ExportRequest, now: number): AsyncGenerator<string> {
  // The header goes out with the first page, so that the first chunk already tells whether the store answered.
  let header = request.format === 'csv' ? stringify([[...CSV_COLUMNS]]) : '';
  let after: SearchPosition | undefined;
  let written = 0;
  do {
    const page = await store.search(
      {
        query: request.query,
        ...(request.from !== undefined && { from: request.from }),
        ...(request.to !== undefined && { to: request.to }),
        size: EXPORT_PAGE_SIZE,
        sort: { field: 'updatedAt', order: 'asc' },
        ...(after && { after }),
        // The export reads every match anyway: counting them first would be a scan for nothing.
        trackTotalUpTo: 0,
      },
      request.signal ? { signal: request.signal } : {},
    );
    if (page.findings.length > 0) {
      const text = request.format === 'csv'
        ? stringify(page.findings.map((f) => csvRow(f, now)))
        : page.findings.map((f) => `${presentFindingJson(f, now)}\n`).join('');
      yield header + text;
      header = '';
      written += page.findings.length;
      request.onPage?.(written);
    }
    after = page.next;
  } while (after !== undefined);
  if (header !== '') yield header;
}

// Search results as a table, CSV, NDJSON or JSON; finding text is attacker-controlled, so it is neutralised.
import { stringify } from 'csv-stringify/sync';
import { spreadsheetSafe } from '../api/finding-export.js';
import type { PresentedFinding } from '../api/present.js';
import { renderTable, type TableOutput } from './table.js';
import type { SearchResult } from './target.js';

export const FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Removes terminal escapes and bidirectional overrides that could disguise what a finding says. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, ' ');
}


function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function row(f: PresentedFinding): string[] {
  const doc = f.finding;
  const resource = (doc.resource ?? {}) as Record<string, unknown>;
  return [str(doc.updatedAt), f.yagura.band, str(doc.severity), str(doc.type), f.yagura.accountId, f.yagura.region, str(resource.resourceType), str(doc.title), f.yagura.id];
}

const HEADER = ['updatedAt', 'band', 'severity', 'type', 'accountId', 'region', 'resourceType', 'title', 'id'];

/** `output` says how a table is drawn (colour, width); piped output is a table as wide as its cells. */
export function formatResult(result: SearchResult, format: Format, output: TableOutput = { color: false }): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(result, null, 2)}\n`;
    case 'ndjson':
      return result.findings.map((f) => `${JSON.stringify(f)}\n`).join('');
    case 'csv':
      return stringify([HEADER, ...result.findings.map((f) => row(f).map(spreadsheetSafe))]);
    case 'table': {
      const table = renderTable(HEADER.slice(0, 8), result.findings.map((f) => row(f).slice(0, 8).map(terminalSafe)), output, 'truncate');
      return `${table}\n${result.findings.length} of ${result.total}${result.totalRelation === 'gte' ? '+' : ''} findings\n`;
    }
  }
}

// The hostile-input corpus: every case descriptor, by target. See docs/hardening.md#hostile-input-corpus.
import type { HostileCase, HttpCase, ImportCase } from './case.js';
import { AGGREGATE_CASES } from './cases/aggregate.js';
import { FINDING_CASES } from './cases/finding.js';
import { IMPORT_CASES as FILE_CASES } from './cases/import.js';
import { INGEST_DOCUMENT_CASES } from './cases/ingest-documents.js';
import { INGEST_FRAMING_CASES } from './cases/ingest-framing.js';
import { QUERY_CASES } from './cases/query.js';
import { WRAPPER_HTTP_CASES, WRAPPER_IMPORT_CASES } from './cases/wrappers.js';

export const HTTP_CASES: readonly HttpCase[] = [...INGEST_FRAMING_CASES, ...INGEST_DOCUMENT_CASES, ...WRAPPER_HTTP_CASES, ...QUERY_CASES, ...FINDING_CASES, ...AGGREGATE_CASES];

export const IMPORT_CASES: readonly ImportCase[] = [...FILE_CASES, ...WRAPPER_IMPORT_CASES];

export const HOSTILE_CASES: readonly HostileCase[] = [...HTTP_CASES, ...IMPORT_CASES];

/** How many cases attack each target, for reports. */
export function casesByTarget(): Record<HostileCase['target'], number> {
  const counts = { ingest: 0, query: 0, finding: 0, aggregate: 0, import: 0 };
  for (const c of HOSTILE_CASES) counts[c.target]++;
  return counts;
}

// The overview page's one aggregation request: what the dashboard shows for the last 7 days.
import type { Aggregation } from '../src/store/aggregation.js';

export const OVERVIEW_FROM = 'now-7d';

export const OVERVIEW_AGGS: Readonly<Record<string, Aggregation>> = {
  bands: { terms: { field: 'band', size: 4 } },
  types: { terms: { field: 'type', size: 10 } },
  accounts: { terms: { field: 'accountId', size: 10 } },
  regions: { terms: { field: 'region', size: 17 } },
  resourceTypes: { terms: { field: 'resource.resourceType', size: 10 } },
  hourlyByBand: { terms: { field: 'band', size: 4 }, aggs: { hourly: { date_histogram: { field: 'updatedAt', interval: '1h' } } } },
  severity: { stats: { field: 'severity' } },
  remoteIps: { terms: { field: 'remoteIp', size: 10 } },
};

/** Band counts as `{ Low: n, … }` from an aggregation answer's `bands` buckets. */
export function bandCounts(buckets: ReadonlyArray<{ key: string | number; doc_count: number }>): Record<string, number> {
  return Object.fromEntries(buckets.map((b) => [String(b.key), b.doc_count]));
}

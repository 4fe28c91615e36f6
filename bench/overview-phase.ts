// Overview latency: the dashboard's single POST /api/v1/aggregate, repeated.
import type { AggregationResult, BucketResult } from '../src/store/aggregation.js';
import type { ApiClient } from './api-client.js';
import { bandCounts, OVERVIEW_AGGS, OVERVIEW_FROM } from './overview-request.js';
import { refusalOf } from './refusal.js';
import { summarize, timed, type LatencySummary } from './stats.js';

export interface OverviewResult {
  readonly requests: number;
  /** Requests the server refused (503 OVERLOADED); not in the percentiles. */
  readonly refused: number;
  readonly firstMs: number;
  readonly latency: LatencySummary;
  /** Findings the overview covers (current versions updated in the last 7 days). */
  readonly total: number;
  readonly bands: Record<string, number>;
  readonly topRemoteIps: ReadonlyArray<{ key: string | number; doc_count: number }>;
}

/** A warm-up request, then up to `requests` more within `maxSeconds`. */
export async function measureOverview(client: ApiClient, requests: number, maxSeconds: number): Promise<OverviewResult> {
  const body = { from: OVERVIEW_FROM, aggs: OVERVIEW_AGGS };
  const deadline = performance.now() + maxSeconds * 1000;
  let refused = 0;
  let first: { ms: number; value: AggregationResult } | undefined;
  while (first === undefined) {
    try {
      first = await timed(() => client.postJson<AggregationResult>('/api/v1/aggregate', body));
    } catch (error) {
      await refusalOf(error);
      refused++;
      if (performance.now() > deadline) throw new Error(`the server refused every overview for ${maxSeconds} s`);
    }
  }
  const samples: number[] = [];
  for (let i = 0; i < requests && performance.now() < deadline; i++) {
    try {
      samples.push((await timed(() => client.postJson<AggregationResult>('/api/v1/aggregate', body))).ms);
    } catch (error) {
      await refusalOf(error);
      refused++;
    }
  }
  const aggs = first.value.aggregations;
  return {
    requests: samples.length,
    refused,
    firstMs: first.ms,
    latency: summarize(samples),
    total: first.value.total,
    bands: bandCounts((aggs['bands'] as BucketResult).buckets),
    topRemoteIps: (aggs['remoteIps'] as BucketResult).buckets.map((b) => ({ key: b.key, doc_count: b.doc_count })),
  };
}

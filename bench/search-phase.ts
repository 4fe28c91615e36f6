// Search latency: a rotating set of realistic filter + sort queries, top 50, one client.
import { ApiClient, findingsPath } from './api-client.js';
import { refusalOf } from './refusal.js';
import type { DatasetManifest } from './dataset.js';
import { summarize, timed, type LatencySummary } from './stats.js';

export interface SearchQuery {
  readonly name: string;
  readonly q: string;
  readonly from?: string;
}

export interface SearchClassResult extends SearchQuery {
  readonly total: number;
  /** Requests the server refused (503 OVERLOADED); not in the percentiles. */
  readonly refused: number;
  /** The first request of the class (not counted in the percentiles). */
  readonly firstMs: number;
  readonly latency: LatencySummary;
}

export interface SearchResult {
  readonly requests: number;
  readonly refused: number;
  readonly overall: LatencySummary;
  readonly classes: readonly SearchClassResult[];
}

/** The query classes an analyst's day is made of; the busiest account and IP come from the data set. */
export function searchQueries(manifest: DatasetManifest): SearchQuery[] {
  return [
    { name: 'high severity, 7 days', q: 'severity >= 7', from: 'now-7d' },
    { name: 'type prefix', q: 'type:UnauthorizedAccess*' },
    { name: 'busy account, band High', q: `accountId:${manifest.busiestAccount} and band:High` },
    { name: 'remote IP', q: `remoteIp:${manifest.topRemoteIp}` },
    { name: 'free text "tor"', q: 'tor' },
    { name: 'EKS, severity >= 5', q: 'resourceType:EKSCluster and severity >= 5' },
    { name: 'document path, 24 h', q: 'service.action.networkConnectionAction.remoteIpDetails.country.countryName:"Netherlands"', from: 'now-24h' },
    { name: 'everything, 24 h', q: '', from: 'now-24h' },
    { name: 'region and band', q: 'region:eu-west-1 and band:Critical' },
    { name: 'open, Medium and up, 7 days', q: 'not archived:true and band >= Medium', from: 'now-7d' },
  ];
}

interface SearchAnswer {
  total: number;
  findings: unknown[];
}

function pathOf(query: SearchQuery): string {
  return findingsPath({ q: query.q, ...(query.from !== undefined && { from: query.from }), size: '50', sort: 'updatedAt:desc' });
}

/**
 * One warm-up request per class, then `requests` requests rotating through the classes. Stops early when
 * `maxSeconds` have passed, so one pathological class cannot hold the whole run.
 */
export async function measureSearch(client: ApiClient, queries: readonly SearchQuery[], requests: number, maxSeconds: number): Promise<SearchResult> {
  const first = new Map<string, { ms: number; total: number }>();
  const refused = new Map<string, number>(queries.map((q) => [q.name, 0]));
  const deadline = performance.now() + maxSeconds * 1000;
  for (const query of queries) {
    // The warm-up answer gives the hit count; a refused warm-up is tried again until the phase's time is up.
    for (;;) {
      try {
        const { ms, value } = await timed(() => client.get<SearchAnswer>(pathOf(query)));
        first.set(query.name, { ms, total: value.total });
        break;
      } catch (error) {
        await refusalOf(error);
        refused.set(query.name, refused.get(query.name)! + 1);
        if (performance.now() > deadline) break;
      }
    }
  }
  const samples = new Map<string, number[]>(queries.map((q) => [q.name, []]));
  const all: number[] = [];
  for (let i = 0; i < requests && performance.now() < deadline; i++) {
    const query = queries[i % queries.length]!;
    try {
      const { ms } = await timed(() => client.get<SearchAnswer>(pathOf(query)));
      samples.get(query.name)!.push(ms);
      all.push(ms);
    } catch (error) {
      await refusalOf(error);
      refused.set(query.name, refused.get(query.name)! + 1);
    }
  }
  return {
    requests: all.length,
    refused: [...refused.values()].reduce((s, n) => s + n, 0),
    overall: summarize(all),
    classes: queries.map((q) => ({
      ...q,
      total: first.get(q.name)?.total ?? Number.NaN,
      firstMs: first.get(q.name)?.ms ?? Number.NaN,
      refused: refused.get(q.name)!,
      latency: summarize(samples.get(q.name)!),
    })),
  };
}

// HTTP ingest throughput: concurrent clients POSTing EventBridge events, one per request or in batches.
import type { ApiClient } from './api-client.js';
import type { LoadBounds } from './config.js';
import type { FreshFinding } from './fresh-findings.js';
import { summarize, timed, type LatencySummary } from './stats.js';

export interface IngestResult {
  readonly clients: number;
  readonly batchSize: number;
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  /** Findings the server reported as created, per second. */
  readonly findingsPerSecond: number;
  readonly created: number;
  readonly failed: number;
  readonly firstError?: string;
  readonly latency: LatencySummary;
}

interface EventsAnswer {
  created: number;
  duplicates: number;
  rejected: unknown[];
}

/**
 * `clients` concurrent loops, each sending the next `batchSize` findings, until `maxRequests` were sent, the
 * findings run out or `maxSeconds` have passed. A batch is a JSON array of events; a single one is the bare event.
 */
export async function measureIngest(
  client: ApiClient,
  findings: readonly FreshFinding[],
  options: LoadBounds & { clients: number; batchSize: number },
): Promise<IngestResult> {
  const requests = Math.min(options.maxRequests, Math.floor(findings.length / options.batchSize));
  let next = 0;
  let created = 0;
  let failed = 0;
  let firstError: string | undefined;
  const latencies: number[] = [];
  const t0 = performance.now();
  const deadline = t0 + options.maxSeconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const i = next++;
      if (i >= requests) return;
      const slice = findings.slice(i * options.batchSize, (i + 1) * options.batchSize);
      const body = options.batchSize === 1 ? slice[0]!.envelope : `[${slice.map((f) => f.envelope).join(',')}]`;
      try {
        const { ms, value } = await timed(() => client.postText<EventsAnswer>('/api/v1/events', body, 'application/json'));
        latencies.push(ms);
        created += value.created;
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, worker));
  const seconds = (performance.now() - t0) / 1000;
  return {
    clients: options.clients,
    batchSize: options.batchSize,
    requests: latencies.length + failed,
    seconds,
    requestsPerSecond: latencies.length / seconds,
    findingsPerSecond: created / seconds,
    created,
    failed,
    ...(firstError !== undefined && { firstError }),
    latency: summarize(latencies),
  };
}

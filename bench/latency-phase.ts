// Arrival → searchable: a paced stream of new findings, each searched for by id until the search returns it.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { findingsPath, type ApiClient } from './api-client.js';
import type { FreshFinding } from './fresh-findings.js';
import { sleep, summarize, type LatencySummary } from './stats.js';

export interface ArrivalResult {
  readonly perSecond: number;
  readonly sent: number;
  /** Findings the server reported as created. */
  readonly created: number;
  /** Findings whose search never returned them within the poll timeout, or whose POST failed. */
  readonly missed: number;
  readonly firstError?: string;
  /** From just before the POST until the search that returned the finding answered. */
  readonly latency: LatencySummary;
  /** Of which: the POST alone (durable in store and archive). */
  readonly postLatency: LatencySummary;
  /** Searches per finding until it was found (1 means the first search found it). */
  readonly searchesPerFinding: number;
  /** The second of the phase (0-based, by when findings were sent) whose slowest arrival was slowest. */
  readonly slowestSecond?: { readonly second: number; readonly n: number; readonly p50: number; readonly max: number };
  /** Seconds in which some arrival took longer than 100 ms. */
  readonly secondsOver100ms: number;
  /**
   * The longest the benchmark's own event loop was blocked during the phase, ms: every arrival in flight while it
   * was is measured that much late, so a large value means the client, not the server, made the tail.
   */
  readonly clientLoopDelayMaxMs: number;
}

/** Arrival times grouped by the second they were sent in: a tail from one stall shows as one slow second. */
function bySecond(samples: ReadonlyArray<{ sentAt: number; ms: number }>): Pick<ArrivalResult, 'slowestSecond' | 'secondsOver100ms'> {
  const seconds = new Map<number, number[]>();
  for (const { sentAt, ms } of samples) {
    const second = Math.floor(sentAt / 1000);
    seconds.set(second, [...(seconds.get(second) ?? []), ms]);
  }
  let slowest: ArrivalResult['slowestSecond'];
  let over = 0;
  for (const [second, all] of seconds) {
    const summary = summarize(all);
    if (summary.max > 100) over++;
    if (slowest === undefined || summary.max > slowest.max) slowest = { second, n: summary.n, p50: summary.p50, max: summary.max };
  }
  return { ...(slowest && { slowestSecond: slowest }), secondsOver100ms: over };
}

interface SearchAnswer {
  total: number;
}

/**
 * Starts one finding every 1/perSecond s for `seconds` (open loop: a slow answer does not delay the next start),
 * with at most `maxInFlight` findings in flight: a finding due while that many wait is not sent and counts as missed.
 */
export async function measureArrival(
  client: ApiClient,
  findings: readonly FreshFinding[],
  options: { perSecond: number; seconds: number; pollTimeoutMs: number; maxInFlight: number },
  /** Where the finding is searched for: another instance on the same store (default: the one it was posted to). */
  reader: ApiClient = client,
): Promise<ArrivalResult> {
  const count = Math.min(findings.length, Math.round(options.perSecond * options.seconds));
  const latencies: number[] = [];
  const sentAt: Array<{ sentAt: number; ms: number }> = [];
  let started = 0;
  const posts: number[] = [];
  let searches = 0;
  let created = 0;
  let missed = 0;
  let firstError: string | undefined;
  const one = async (finding: FreshFinding): Promise<void> => {
    const t0 = performance.now();
    try {
      created += (await client.postText<{ created: number }>('/api/v1/events', finding.envelope, 'application/json')).created;
      posts.push(performance.now() - t0);
      const path = findingsPath({ q: `id:"${finding.key.id}"`, size: '1' });
      const deadline = t0 + options.pollTimeoutMs;
      for (;;) {
        searches++;
        const answer = await reader.get<SearchAnswer>(path);
        if (answer.total === 1) {
          latencies.push(performance.now() - t0);
          sentAt.push({ sentAt: t0 - started, ms: performance.now() - t0 });
          return;
        }
        if (performance.now() > deadline) throw new Error(`finding ${finding.key.id} not searchable after ${options.pollTimeoutMs} ms`);
        await sleep(1);
      }
    } catch (error) {
      missed++;
      firstError ??= (error as Error).message;
    }
  };
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  started = performance.now();
  const all: Promise<void>[] = [];
  let active = 0;
  let skipped = 0;
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / options.perSecond;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (active >= options.maxInFlight) {
      skipped++;
      firstError ??= `more than ${options.maxInFlight} findings in flight: the server falls behind the pace`;
      continue;
    }
    active++;
    all.push(one(findings[i]!).finally(() => active--));
  }
  await Promise.all(all);
  loopDelay.disable();
  return {
    perSecond: options.perSecond,
    sent: count - skipped,
    created,
    missed: missed + skipped,
    ...(firstError !== undefined && { firstError }),
    latency: summarize(latencies),
    postLatency: summarize(posts),
    searchesPerFinding: latencies.length > 0 ? searches / latencies.length : Number.NaN,
    ...bySecond(sentAt),
    clientLoopDelayMaxMs: loopDelay.max / 1e6,
  };
}

// Sends queued deliveries: concurrent, off the ingest path, retried with exponential backoff and jitter, then dead-lettered.
import type { Metrics } from '../metrics/metrics.js';
import type { Delivery, DeliveryLog } from './delivery-log.js';
import type { Sink } from './sinks/sink.js';

export interface RetryPolicy {
  /** Attempts before a delivery is dead-lettered. */
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
}

/** Delay before attempt n+1 after n failures: exponential, capped, with "equal jitter" (half fixed, half random). */
export function backoffMs(failures: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Where the dispatcher reports each attempt (the server's logger). */
export interface DispatchLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface DispatcherOptions {
  readonly deliveries: DeliveryLog;
  /** The sink of a destination, with its type; undefined when the destination was deleted. */
  readonly sinkFor: (destination: string) => Promise<{ sink: Sink; type: string } | undefined>;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly log: DispatchLog;
  readonly metrics?: Metrics;
  readonly now?: () => number;
}

export class DeliveryDispatcher {
  private readonly inFlight = new Map<number, Promise<void>>();
  private pumping = false;
  private again = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Looks for due deliveries now (after an evaluation queued some, a retry, or at start). */
  wake(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void this.pump().finally(() => {
      this.pumping = false;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** Stops taking work and waits for sends in flight (their outcome is recorded). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Resolves when nothing is in flight or being picked (tests). */
  async idle(): Promise<void> {
    while (this.pumping || this.inFlight.size > 0) {
      await Promise.allSettled([...this.inFlight.values()]);
      await new Promise((r) => setImmediate(r));
    }
  }

  private async pump(): Promise<void> {
    try {
      for (;;) {
        const free = this.options.concurrency - this.inFlight.size;
        if (free <= 0 || this.closed) return;
        const due = await this.options.deliveries.dueDeliveries(this.now(), free, new Set(this.inFlight.keys()));
        if (due.length === 0) break;
        for (const d of due) {
          const attempt = this.attempt(d)
            .catch((error: unknown) => this.options.log.warn({ err: error, delivery: d.id }, 'alert delivery could not be recorded; it stays pending'))
            .finally(() => {
            this.inFlight.delete(d.id);
            this.wake();
          });
          this.inFlight.set(d.id, attempt);
        }
      }
      await this.scheduleNext();
    } catch (error) {
      this.options.log.warn({ err: error }, 'alert dispatcher failed to read the outbox');
      this.arm(1000);
    }
  }

  private async scheduleNext(): Promise<void> {
    const next = await this.options.deliveries.nextDueAt();
    if (next === undefined) return;
    const delay = next - this.now();
    // Something due now is in flight; its completion wakes us.
    if (delay <= 0 && this.inFlight.size > 0) return;
    this.arm(Math.max(0, delay));
  }

  private arm(delayMs: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), Math.min(delayMs, 2 ** 31 - 1));
    this.timer.unref();
  }

  private async attempt(d: Delivery): Promise<void> {
    const o = this.options;
    const started = this.now();
    const target = await o.sinkFor(d.destination);
    const result = target
      ? await target.sink.send(d.message, { idempotencyKey: d.idempotencyKey, timeoutMs: o.timeoutMs })
      : ({ ok: false, error: `destination ${d.destination} no longer exists`, permanent: true } as const);
    const done = this.now();
    const type = target?.type ?? 'unknown';
    const fields = { delivery: d.id, rule: d.rule, finding: d.finding, destination: d.destination, attempt: d.attempts + 1, sendMs: done - started };
    if (result.ok) {
      const latencyMs = Math.max(0, done - d.arrivedAt);
      await o.deliveries.markSent(d.id, done, latencyMs);
      o.metrics?.alertDeliveries.inc({ type, outcome: 'sent' });
      o.metrics?.alertLatency.observe({ type }, latencyMs / 1000);
      o.log.info({ ...fields, outcome: 'sent', latencyMs }, 'alert delivered');
      return;
    }
    const failures = d.attempts + 1;
    const dead = result.permanent || failures >= o.retry.maxAttempts;
    const retryAt = dead ? undefined : done + backoffMs(failures, o.retry);
    await o.deliveries.markFailed(d.id, result.error, done, retryAt);
    o.metrics?.alertDeliveries.inc({ type, outcome: dead ? 'dead' : 'failed' });
    o.log.warn({ ...fields, outcome: dead ? 'dead' : 'failed', error: result.error, ...(retryAt !== undefined && { retryAt: new Date(retryAt).toISOString() }) }, dead ? 'alert dead-lettered' : 'alert delivery failed; will retry');
  }
}

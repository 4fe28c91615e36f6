// Runs retention in the background: a store pass, then an archive pass, every `intervalMs`, on one instance at a time
// (the `retention` lease; the embedded store's is always this process's). The first pass starts soon after start,
// so a pass a crash interrupted resumes (it starts over from the oldest finding left; whole batches only were removed).
import type { Lease } from '../store/lease.js';
import type { RetentionClock } from './retention-clock.js';

/** One scope's pass (store or archive). */
export interface RetentionPassRunner {
  readonly scope: 'store' | 'archive';
  /** Removes what has passed its retention at `now`; false when it stopped before the end (`mayContinue`). */
  run(now: number, mayContinue: () => Promise<boolean>): Promise<boolean>;
}

export interface RetentionEnforcerOptions {
  readonly passes: readonly RetentionPassRunner[];
  readonly lease: Pick<Lease, 'held'>;
  readonly clock: RetentionClock;
  readonly intervalMs: number;
  /** Pause before the first pass after start. */
  readonly firstPassDelayMs?: number;
  /** Told how each scope's pass ended. */
  readonly onPass?: (scope: 'store' | 'archive', outcome: 'done' | 'stopped' | 'skipped' | 'failed', error?: unknown) => void;
}

export class RetentionEnforcer {
  private readonly stop = new AbortController();
  private loop: Promise<void> | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: RetentionEnforcerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    const { clock, intervalMs } = this.options;
    await clock.sleep(this.options.firstPassDelayMs ?? 10_000, this.stop.signal);
    while (!this.stop.signal.aborted) {
      await this.passOnce();
      await clock.sleep(intervalMs, this.stop.signal);
    }
  }

  /** Runs each scope's pass once, now (the CLI's `retention run`, tests); one at a time. */
  async passOnce(): Promise<void> {
    while (this.running) await this.running;
    this.running = this.passes();
    try {
      await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async passes(): Promise<void> {
    const { lease, clock, onPass } = this.options;
    const mayContinue = async (): Promise<boolean> => !this.stop.signal.aborted && (await lease.held());
    for (const pass of this.options.passes) {
      if (!(await mayContinue())) {
        onPass?.(pass.scope, 'skipped');
        continue;
      }
      try {
        const complete = await pass.run(clock.now(), mayContinue);
        onPass?.(pass.scope, complete ? 'done' : 'stopped');
      } catch (error) {
        // A failed pass (a hold's query that no longer binds, a store that does not answer) removes nothing more; the
        // next one tries again.
        onPass?.(pass.scope, 'failed', error);
      }
    }
  }

  /** Stops after the batch under way; resolves once the loop has ended. */
  async close(): Promise<void> {
    this.stop.abort();
    await this.loop;
    while (this.running) await this.running;
  }
}

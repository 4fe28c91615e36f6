// Follows a store that several instances write (PostgreSQL): reads its change log from where this instance joined
// and announces every new version, whoever stored it, to the pipeline's listeners (live streams, the catalog's
// accounts, the alert engine's wake-up), in commit order — after the instance's in-memory facets have caught up
// with it, so that an overview asked for on hearing of a finding counts it.
import type { FindingStore } from '../store/finding-store.js';
import type { IngestPipeline } from './pipeline.js';

/** How often the change log is read; other instances' commits reach the listeners within about this. */
export const FOLLOW_INTERVAL_MS = 200;
const BATCH = 500;

export interface ChangeFollowerOptions {
  readonly onError?: (error: unknown) => void;
  readonly intervalMs?: number;
  /** Brings the facets up to every commit so far (Backend.catchUp); it also follows archive changes, which are not announced. */
  readonly catchUp?: () => Promise<void>;
}

export class ChangeFollower {
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<FindingStore, 'changesSince' | 'lastChange'>,
    private readonly pipeline: Pick<IngestPipeline, 'announce'>,
    private readonly options: ChangeFollowerOptions = {},
  ) {}

  private onError(error: unknown): void {
    this.options.onError?.(error);
  }

  /** Starts from the log's end: what was stored before this instance started is not news. */
  async start(): Promise<void> {
    this.seq = await this.store.lastChange();
    this.timer = setInterval(() => {
      this.running ??= this.poll()
        .catch((error: unknown) => this.onError(error))
        .finally(() => {
          this.running = undefined;
        });
    }, this.options.intervalMs ?? FOLLOW_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async poll(): Promise<void> {
    for (;;) {
      const changes = await this.store.changesSince(this.seq, BATCH);
      // Read after the changes, so it covers them (and archive changes, which the log has but does not announce).
      await this.options.catchUp?.().catch((error: unknown) => this.onError(error));
      if (changes.length === 0) return;
      this.seq = changes[changes.length - 1]!.seq;
      this.pipeline.announce(changes.map((c) => ({ key: c.record.key, outcome: c.outcome })));
      if (changes.length < BATCH) return;
    }
  }
}

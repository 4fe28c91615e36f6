// Follows a store that several instances write (PostgreSQL): reads its change log from where this instance joined
// and announces every new version, whoever stored it, to the pipeline's listeners (live streams, the catalog's
// accounts, the alert engine's wake-up), in commit order.
import type { FindingStore } from '../store/finding-store.js';
import type { IngestPipeline } from './pipeline.js';

/** How often the change log is read; other instances' commits reach the listeners within about this. */
export const FOLLOW_INTERVAL_MS = 200;
const BATCH = 500;

export class ChangeFollower {
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<FindingStore, 'changesSince' | 'lastChange'>,
    private readonly pipeline: Pick<IngestPipeline, 'announce'>,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly intervalMs = FOLLOW_INTERVAL_MS,
  ) {}

  /** Starts from the log's end: what was stored before this instance started is not news. */
  async start(): Promise<void> {
    this.seq = await this.store.lastChange();
    this.timer = setInterval(() => {
      this.running ??= this.poll()
        .catch((error: unknown) => this.onError(error))
        .finally(() => {
          this.running = undefined;
        });
    }, this.intervalMs);
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
      if (changes.length === 0) return;
      this.seq = changes[changes.length - 1]!.seq;
      this.pipeline.announce(changes.map((c) => ({ key: c.record.key, outcome: c.outcome })));
      if (changes.length < BATCH) return;
    }
  }
}

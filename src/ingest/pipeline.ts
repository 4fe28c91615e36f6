// The ingest path every source shares: group commit into the store, then acknowledge once the commit is durable.
import type { Archive } from '../archive/archive.js';
import type { Finding, FindingKey } from '../findings/finding.js';
import type { Metrics } from '../metrics/metrics.js';
import type { FindingStore, UpsertOutcome, UpsertResult } from '../store/finding-store.js';

/**
 * Batches committed and waiting for their flush (and, for an import, their archive objects) at once. Flushes in
 * flight together share the file system's journal commits, so a few at a time keep an acknowledgement from
 * queueing behind the flush of the batch before.
 */
const MAX_IN_FLIGHT = 4;

/** Told about every version that was stored (not about redeliveries); the live stream and alerts listen here. */
/** Versions stored: by this process, or (a store shared by several instances) by any, as its change log says. */
export type StoredListener = (stored: ReadonlyArray<{ key: FindingKey; outcome: Exclude<UpsertOutcome, 'unchanged'> }>) => void;

export interface IngestPipelineOptions {
  readonly store: FindingStore;
  /**
   * Imports: each batch's versions make archive objects of their own, written before the batch is acknowledged.
   * Without it (a server), versions join the rolling objects that the `Archiver` writes later: the store's
   * archive outbox, written in the same transaction, guarantees that they reach the archive.
   */
  readonly archiveEachBatch?: Archive;
  readonly now?: () => number;
  /** Findings committed together at most; concurrent submissions share one transaction. */
  readonly maxBatchFindings?: number;
  readonly metrics?: Metrics;
  /**
   * False for a store other instances write too: then listeners hear of every instance's commits, this one's
   * included, from the store's change log (a ChangeFollower calls `announce`), in one order for all.
   */
  readonly announceLocal?: boolean;
}

interface Pending {
  readonly findings: readonly Finding[];
  readonly submittedAt: number;
  readonly resolve: (outcomes: UpsertOutcome[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: submissions that arrive while a commit is running are committed together by the next one.
 * A submission resolves only when its versions are durable in the store (and, for an import, in the archive).
 */
export class IngestPipeline {
  private readonly store: FindingStore;
  private readonly archive: Archive | undefined;
  private readonly now: () => number;
  private readonly maxBatch: number;
  private readonly metrics: Metrics | undefined;
  private readonly announceLocal: boolean;
  private readonly queue: Pending[] = [];
  private readonly listeners = new Set<StoredListener>();
  private draining: Promise<void> | undefined;
  /** Batches committed and not yet answered (at most `MAX_IN_FLIGHT`). */
  private readonly inFlight = new Set<Promise<void>>();
  /** Settles when the last committed batch has been answered. */
  private acknowledged: Promise<void> = Promise.resolve();

  constructor(options: IngestPipelineOptions) {
    this.store = options.store;
    this.archive = options.archiveEachBatch;
    this.now = options.now ?? Date.now;
    this.maxBatch = options.maxBatchFindings ?? 50_000;
    this.metrics = options.metrics;
    this.announceLocal = options.announceLocal ?? true;
  }

  /** Findings waiting for the next commit. */
  get queueDepth(): number {
    return this.queue.reduce((n, p) => n + p.findings.length, 0);
  }

  subscribe(listener: StoredListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with one outcome per finding once they are durable; rejects if the store or archive failed. */
  submit(findings: readonly Finding[]): Promise<UpsertOutcome[]> {
    if (findings.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ findings, submittedAt: performance.now(), resolve, reject });
      this.kick();
    });
  }

  /** Starts draining unless a drain runs; a submission that lands as a drain ends starts the next one. */
  private kick(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  /** Waits for queued submissions to finish. */
  async flush(): Promise<void> {
    while (this.draining || this.inFlight.size > 0) {
      await this.draining;
      await Promise.all(this.inFlight);
    }
  }

  private take(): Pending[] {
    const taken: Pending[] = [];
    let size = 0;
    while (this.queue.length > 0 && (taken.length === 0 || size + this.queue[0]!.findings.length <= this.maxBatch)) {
      const next = this.queue.shift()!;
      taken.push(next);
      size += next.findings.length;
    }
    return taken;
  }

  /**
   * Commits batch after batch. A batch waits for its flush while later batches commit (flushes in flight together
   * cost about one); each submission is acknowledged once its own commit is durable, in commit order. At most
   * `MAX_IN_FLIGHT` batches wait at a time.
   */
  private async drain(): Promise<void> {
    // Yield once so that submissions made in the same tick join this commit.
    await new Promise((r) => setImmediate(r));
    const inFlight = this.inFlight;
    while (this.queue.length > 0) {
      const taken = this.take();
      let all: Finding[];
      let result: UpsertResult;
      try {
        all = taken.flatMap((p) => p.findings);
        result = await this.store.upsert(all, this.now(), { sealArchive: this.archive !== undefined });
      } catch (error) {
        this.fail(taken, error);
        continue;
      }
      const task = this.acknowledge(taken, all, result, this.acknowledged);
      this.acknowledged = task;
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    }
    // Returns without waiting for the flushes in flight: a submission that arrives meanwhile commits at once.
  }

  /**
   * Waits for a committed batch's flush (an import's batch: for its archive objects too, written beside the
   * flush and made visible once it is done), then resolves its submissions after the batches committed before it
   * (`previous`) were answered. Never rejects.
   */
  private async acknowledge(taken: readonly Pending[], all: readonly Finding[], result: UpsertResult, previous: Promise<void>): Promise<void> {
    let failure: { error: unknown } | undefined;
    try {
      if (this.archive && result.archive.objects.length > 0) {
        await this.archive.write(result.archive.objects, result.durable);
        // An object written but not confirmed (a crash now) is written again, identically, at the next start.
        await this.store.outbox.confirm(result.archive.objects.map((o) => o.id));
      } else {
        await result.durable;
      }
    } catch (error) {
      // The versions may be committed: the outbox keeps their objects, which the archiver writes later.
      failure = { error };
    }
    await previous;
    if (failure) {
      this.fail(taken, failure.error);
      return;
    }
    let offset = 0;
    const done = performance.now();
    for (const p of taken) {
      p.resolve(result.outcomes.slice(offset, offset + p.findings.length) as UpsertOutcome[]);
      offset += p.findings.length;
      this.metrics?.ingestLatency.observe((done - p.submittedAt) / 1000);
    }
    if (this.metrics) {
      const byOutcome = new Map<UpsertOutcome, number>();
      for (const o of result.outcomes) byOutcome.set(o, (byOutcome.get(o) ?? 0) + 1);
      for (const [outcome, n] of byOutcome) this.metrics.stored.inc({ outcome }, n);
    }
    this.notify(all, result.outcomes);
  }

  private fail(taken: readonly Pending[], error: unknown): void {
    this.metrics?.ingestFailures.inc(taken.length);
    for (const p of taken) p.reject(error);
  }

  private notify(findings: readonly Finding[], outcomes: readonly UpsertOutcome[]): void {
    // With a shared store every instance's commits, this one's included, are announced from its change log.
    if (this.listeners.size === 0 || !this.announceLocal) return;
    const stored = findings.flatMap((finding, i) => {
      const outcome = outcomes[i];
      return outcome === undefined || outcome === 'unchanged' ? [] : [{ key: finding.key, outcome }];
    });
    this.announce(stored);
  }

  /** Tells the listeners of versions stored (by a change follower, for a store other instances write too). */
  announce(stored: Parameters<StoredListener>[0]): void {
    if (stored.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(stored);
      } catch {
        // A listener's failure must never undo or delay an acknowledged ingest.
      }
    }
  }
}

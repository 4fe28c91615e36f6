// The ingest path every source shares: group commit into the store, then the archive, then acknowledge.
import type { Archive } from '../archive/archive.js';
import type { Finding } from '../findings/finding.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ArchiveBatch, FindingStore, UpsertOutcome, UpsertResult } from '../store/finding-store.js';

/**
 * Batches whose archive objects are being written at once. Flushes in flight together share the file system's
 * journal commits, so a few at a time keep an acknowledgement from queueing behind the flushes of the batch before.
 */
const MAX_ARCHIVING = 4;

/** Told about every version that was stored (not about redeliveries); the live stream and alerts listen here. */
export type StoredListener = (stored: ReadonlyArray<{ finding: Finding; outcome: Exclude<UpsertOutcome, 'unchanged'> }>) => void;

export interface IngestPipelineOptions {
  readonly store: FindingStore;
  readonly archive: Archive;
  readonly now?: () => number;
  /** Findings committed together at most; concurrent submissions share one transaction and one archive write. */
  readonly maxBatchFindings?: number;
  readonly metrics?: Metrics;
}

interface Pending {
  readonly findings: readonly Finding[];
  readonly submittedAt: number;
  readonly resolve: (outcomes: UpsertOutcome[]) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: submissions that arrive while a commit is running are committed together by the next one.
 * A submission resolves only when its versions are durable in the store and in the archive.
 */
export class IngestPipeline {
  private readonly store: FindingStore;
  private readonly archive: Archive;
  private readonly now: () => number;
  private readonly maxBatch: number;
  private readonly metrics: Metrics | undefined;
  private readonly queue: Pending[] = [];
  private readonly listeners = new Set<StoredListener>();
  private draining: Promise<void> | undefined;
  /** Batches committed whose archive objects are being written (at most `MAX_ARCHIVING`). */
  private readonly archiving = new Set<Promise<void>>();
  /** Settles when the last committed batch has been answered. */
  private acknowledged: Promise<void> = Promise.resolve();
  /** Set when an archive write failed: the outbox must be replayed before anything else is acknowledged. */
  private archiveBehind = true;

  constructor(options: IngestPipelineOptions) {
    this.store = options.store;
    this.archive = options.archive;
    this.now = options.now ?? Date.now;
    this.maxBatch = options.maxBatchFindings ?? 50_000;
    this.metrics = options.metrics;
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

  /** Writes archive objects left pending by a crash or a failed write; safe to call at any time. */
  async replayArchive(): Promise<number> {
    const pending = await this.store.pendingArchive();
    await this.writeArchive(pending);
    this.archiveBehind = false;
    return pending.objects.reduce((n, o) => n + o.lines.length, 0);
  }

  /** Waits for queued submissions to finish. */
  async flush(): Promise<void> {
    while (this.draining || this.archiving.size > 0) {
      await this.draining;
      await Promise.all(this.archiving);
    }
  }

  /** Writes the objects (made visible once `durable`, the store's commit, settles) and confirms them. */
  private async writeArchive(batch: ArchiveBatch, durable?: Promise<void>): Promise<void> {
    if (batch.objects.length === 0) {
      await durable;
      return;
    }
    await this.archive.write(batch.objects, durable);
    await this.store.confirmArchived([...new Set(batch.objects.map((o) => o.name))]);
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
   * Commits batch after batch. A batch's archive objects are written as soon as it is committed, while later
   * batches commit and write theirs (the archive outbox keeps them safe meanwhile): an acknowledgement waits
   * mostly for flushes, and flushes in flight together cost about one. Each submission is acknowledged once its
   * own objects are durable, in commit order. At most `MAX_ARCHIVING` batches are being archived at a time.
   */
  private async drain(): Promise<void> {
    // Yield once so that submissions made in the same tick join this commit.
    await new Promise((r) => setImmediate(r));
    const archiving = this.archiving;
    while (this.queue.length > 0) {
      const taken = this.take();
      let all: Finding[];
      let result: UpsertResult;
      try {
        if (this.archiveBehind) {
          // A replay rewrites objects that may still be being written: let the writes in flight finish first.
          await Promise.all(archiving);
          await this.replayArchive();
        }
        all = taken.flatMap((p) => p.findings);
        result = await this.store.upsert(all, this.now());
      } catch (error) {
        this.fail(taken, error);
        continue;
      }
      const task = this.archiveAndAcknowledge(taken, all, result, this.acknowledged);
      this.acknowledged = task;
      archiving.add(task);
      void task.finally(() => archiving.delete(task));
      if (archiving.size >= MAX_ARCHIVING) await Promise.race(archiving);
    }
    // Returns without waiting for the writes in flight: a submission that arrives meanwhile commits at once.
  }

  /**
   * Writes a committed batch's archive objects at once, then resolves its submissions after the batches
   * committed before it (`previous`) were answered. Never rejects.
   */
  private async archiveAndAcknowledge(taken: readonly Pending[], all: readonly Finding[], result: UpsertResult, previous: Promise<void>): Promise<void> {
    let failure: { error: unknown } | undefined;
    try {
      await this.writeArchive(result.archive, result.durable);
    } catch (error) {
      // Set at once, so that the next commit replays the outbox first.
      this.archiveBehind = true;
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
    if (this.listeners.size === 0) return;
    const stored = findings.flatMap((finding, i) => {
      const outcome = outcomes[i];
      return outcome === undefined || outcome === 'unchanged' ? [] : [{ finding, outcome }];
    });
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

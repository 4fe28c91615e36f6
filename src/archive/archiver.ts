// Rolls the archive's objects: seals each partition's open object by age or size, and writes sealed objects.
import type { Lease } from '../store/lease.js';
import type { ArchiveOutbox, OutboxObject } from '../store/finding-store.js';
import type { Archive } from './archive.js';

/**
 * Compressed size over uncompressed size assumed until an object was written: GuardDuty findings compress about
 * 8–12×, so a size trigger set from this errs towards sealing early.
 */
const INITIAL_RATIO = 0.2;

/** What the archiver reports; the server's Prometheus metrics implement it. */
export interface ArchiverEvents {
  sealed(object: OutboxObject, compressedBytes: number): void;
  failed(error: unknown): void;
}

export interface ArchiverOptions {
  readonly outbox: ArchiveOutbox;
  readonly archive: Archive;
  /** An object is sealed once open this long. */
  readonly rollSeconds: number;
  /** An object is sealed once it holds about this many compressed bytes. */
  readonly rollBytes: number;
  readonly now?: () => number;
  readonly events?: ArchiverEvents;
  /** With several instances on one store's outbox, only the holder seals and writes; without one, always. */
  readonly lease?: Pick<Lease, 'held'>;
}

/**
 * The archive's side of the outbox. The store assigns every version it commits to the open object of its account,
 * region and day (the object's name fixed when it opened); the archiver seals objects (durably: their lines can no
 * longer change), reads each sealed object's lines from the store in commit order, writes it whole under its name,
 * and only then drops it from the outbox. A crash anywhere in between leaves the object sealed in the outbox, and
 * the next pass writes the same lines under the same name again: an object half-written is replaced, never
 * appended to, and each version is in the archive exactly once.
 */
export class Archiver {
  private readonly failureListeners: Array<(error: unknown) => void> = [];
  private readonly lease: Pick<Lease, 'held'> | undefined;
  private readonly outbox: ArchiveOutbox;
  private readonly archive: Archive;
  private readonly rollMs: number;
  private readonly rollBytes: number;
  private readonly now: () => number;
  private readonly events: ArchiverEvents | undefined;
  /** Compressed over uncompressed bytes of the objects written so far (a running estimate). */
  private ratio = INITIAL_RATIO;
  /** The pass running, if any: passes never overlap. */
  private running: Promise<number> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: ArchiverOptions) {
    this.outbox = options.outbox;
    this.archive = options.archive;
    this.rollMs = options.rollSeconds * 1000;
    this.rollBytes = options.rollBytes;
    this.now = options.now ?? Date.now;
    this.events = options.events;
    this.lease = options.lease;
  }

  /** Seals the objects due (by age or size) and writes every sealed object; resolves with the lines written. */
  roll(): Promise<number> {
    return this.pass(false);
  }

  /** Seals every open object and writes every sealed one (at shutdown, and at start after an unclean stop). */
  sealAll(): Promise<number> {
    return this.pass(true);
  }

  /**
   * Runs `work` while no pass runs (waiting for the one under way): an erasure rewrites archive objects knowing no
   * write of an object read its lines before the store removed them.
   */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.running) await this.running.catch(() => undefined);
    const run = work();
    this.running = run.then(() => 0);
    try {
      return await run;
    } finally {
      this.running = undefined;
    }
  }

  /** Rolls every `intervalMs` until `close`; a failed pass is reported and retried by the next one. */
  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.roll().catch(() => undefined);
    }, intervalMs);
    this.timer.unref();
  }

  /** Tells `listener` of every failed pass (the server logs them; the metric counts them). */
  onFailure(listener: (error: unknown) => void): void {
    this.failureListeners.push(listener);
  }

  /** Seconds since the oldest version not yet in the archive was stored (0 when there is none). */
  async lagSeconds(): Promise<number> {
    const objects = await this.outbox.objects();
    if (objects.length === 0) return 0;
    return Math.max(0, (this.now() - Math.min(...objects.map((o) => o.openedAt))) / 1000);
  }

  /** Stops rolling, then seals and writes everything still open. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sealAll();
  }

  private async pass(all: boolean): Promise<number> {
    // One pass at a time: a pass asked for while one runs waits for it, then runs itself.
    while (this.running) await this.running.catch(() => undefined);
    // Another instance holds the archive's lease: it seals and writes the shared outbox.
    if (this.lease !== undefined && !(await this.lease.held())) return 0;
    const run = this.sealAndWrite(all);
    this.running = run;
    try {
      return await run;
    } catch (error) {
      this.events?.failed(error);
      for (const listener of this.failureListeners) listener(error);
      throw error;
    } finally {
      this.running = undefined;
    }
  }

  private due(object: OutboxObject, now: number): boolean {
    return now - object.openedAt >= this.rollMs || object.bytes * this.ratio >= this.rollBytes;
  }

  private async sealAndWrite(all: boolean): Promise<number> {
    const objects = await this.outbox.objects();
    const now = this.now();
    const sealing = objects.filter((o) => o.sealedAt === undefined && (all || this.due(o, now)));
    await this.outbox.seal(sealing.map((o) => o.id), now);
    const sealingIds = new Set(sealing.map((o) => o.id));
    let lines = 0;
    // One object at a time, a page of its lines at a time: a large object never sits in memory whole.
    for (const object of objects) {
      if (object.sealedAt === undefined && !sealingIds.has(object.id)) continue;
      const bytes = await this.archive.put(object, this.outbox.lines(object));
      await this.outbox.confirm([object.id]);
      if (object.bytes > 0) this.ratio = (this.ratio + bytes / object.bytes) / 2;
      lines += object.lines;
      this.events?.sealed(object, bytes);
    }
    return lines;
  }
}

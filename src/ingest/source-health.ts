// What a source reports about itself: its state, counts, recent coded errors, and what it last saw from each
// account and region (the start of the per account × region health grid).
import type { IngestReport } from './receive.js';

/**
 * `running`: the last pass (poll, listing, request) worked; `degraded`: it worked, but some items or objects were
 * refused (see `errors`); `failing`: the service could not be used at all (access denied, no credentials, not
 * reachable); `starting` before the first pass; `stopped` after `stop`.
 */
export type SourceState = 'starting' | 'running' | 'degraded' | 'failing' | 'stopped';

/** One coded error, as the log has it too. `ref` names what it is about (an object key, a message id). */
export interface SourceError {
  readonly code: string;
  readonly message: string;
  readonly at: number;
  readonly ref?: string;
}

/** What a source last saw from one account in one region. */
export interface PartitionHealth {
  readonly accountId: string;
  readonly region: string;
  /** When a finding of this account and region last arrived through this source (epoch ms). */
  readonly lastFindingAt?: number;
  /** When an export object of this account and region was last read (S3 export sources). */
  readonly lastObjectAt?: number;
  /** Findings accepted from it since the server started. */
  readonly findings: number;
}

export interface SourceCounts {
  readonly received: number;
  readonly ignored: number;
  readonly rejected: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Export objects read whole (S3 export sources). */
  readonly objects: number;
  readonly errors: number;
}

export interface SourceHealth {
  readonly id: string;
  readonly kind: string;
  readonly state: SourceState;
  /** Where it collects from, for people (`s3://bucket/prefix via queue https://…`). */
  readonly description: string;
  readonly startedAt?: number;
  /** The end of the last pass that worked. */
  readonly lastSuccessAt?: number;
  readonly counts: SourceCounts;
  /** The most recent errors, newest first (at most `MAX_ERRORS`). */
  readonly errors: readonly SourceError[];
  /** Sorted by account, then region. */
  readonly partitions: readonly PartitionHealth[];
}

const MAX_ERRORS = 20;
/** Partitions a source keeps track of; beyond this the oldest-seen ones are dropped from its report. */
const MAX_PARTITIONS = 100_000;

type MutableCounts = { -readonly [K in keyof SourceCounts]: number };
type MutablePartition = { -readonly [K in keyof PartitionHealth]: PartitionHealth[K] };

/** Keeps a source's health as it works; `snapshot` is what `Source.health` answers. */
export class SourceHealthRecorder {
  private state: SourceState = 'starting';
  private startedAt: number | undefined;
  private lastSuccessAt: number | undefined;
  private readonly counts: MutableCounts = { received: 0, ignored: 0, rejected: 0, created: 0, updated: 0, unchanged: 0, objects: 0, errors: 0 };
  private readonly errors: SourceError[] = [];
  private readonly partitions = new Map<string, MutablePartition>();
  /** Errors of items or objects in the pass under way: the pass ends `degraded` instead of `running`. */
  private passErrors = 0;
  /** A fatal error in the pass under way: it ends `failing`. */
  private passFailed = false;

  constructor(
    readonly id: string,
    readonly kind: string,
    private readonly description: string,
    private readonly now: () => number = Date.now,
  ) {}

  started(): void {
    this.startedAt = this.now();
    this.state = 'starting';
  }

  stopped(): void {
    this.state = 'stopped';
  }

  /** Counts what a delivery gave; `accounts` are the account and region of each finding accepted. */
  delivered(report: IngestReport, accepted: ReadonlyArray<{ readonly accountId: string; readonly region: string }>): void {
    const c = this.counts;
    c.received += report.received;
    c.ignored += report.ignored;
    c.rejected += report.rejected.length;
    c.created += report.created;
    c.updated += report.updated;
    c.unchanged += report.unchanged;
    const at = this.now();
    for (const key of accepted) {
      const p = this.partition(key.accountId, key.region);
      p.lastFindingAt = at;
      p.findings++;
    }
  }

  /** An export object of `accountId` and `region` was read whole. */
  objectRead(accountId: string, region: string): void {
    this.counts.objects++;
    this.partition(accountId, region).lastObjectAt = this.now();
  }

  /**
   * Records a coded error. `fatal`: the service could not be used (the source is `failing` until a pass works);
   * otherwise one item, object or message was refused and the rest went on (the pass ends `degraded`).
   */
  error(code: string, message: string, options: { ref?: string; fatal?: boolean } = {}): SourceError {
    const entry: SourceError = { code, message, at: this.now(), ...(options.ref !== undefined && { ref: options.ref }) };
    this.errors.unshift(entry);
    if (this.errors.length > MAX_ERRORS) this.errors.length = MAX_ERRORS;
    this.counts.errors++;
    if (options.fatal) {
      this.state = 'failing';
      this.passFailed = true;
    } else this.passErrors++;
    return entry;
  }

  /** A pass (a poll, a listing, a request) begins. */
  beginPass(): void {
    this.passErrors = 0;
    this.passFailed = false;
  }

  /** A pass ended: `failing` if a fatal error came in it, else it worked (`degraded` if it refused something). */
  endPass(): void {
    if (this.state === 'stopped' || this.passFailed) return;
    this.lastSuccessAt = this.now();
    this.state = this.passErrors > 0 ? 'degraded' : 'running';
  }

  snapshot(): SourceHealth {
    const partitions = [...this.partitions.values()].sort((a, b) => (a.accountId === b.accountId ? (a.region < b.region ? -1 : 1) : a.accountId < b.accountId ? -1 : 1));
    return {
      id: this.id,
      kind: this.kind,
      state: this.state,
      description: this.description,
      ...(this.startedAt !== undefined && { startedAt: this.startedAt }),
      ...(this.lastSuccessAt !== undefined && { lastSuccessAt: this.lastSuccessAt }),
      counts: { ...this.counts },
      errors: [...this.errors],
      partitions: partitions.map((p) => ({ ...p })),
    };
  }

  private partition(accountId: string, region: string): MutablePartition {
    const id = `${accountId}/${region}`;
    let p = this.partitions.get(id);
    if (p === undefined) {
      if (this.partitions.size >= MAX_PARTITIONS) this.partitions.delete(this.partitions.keys().next().value!);
      p = { accountId, region, findings: 0 };
      this.partitions.set(id, p);
    }
    return p;
  }
}

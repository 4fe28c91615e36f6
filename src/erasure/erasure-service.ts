// Runs erasures: selects the findings, removes them from every store batch by batch, rewrites the archive, scrubs
// the store's files and writes the receipt. Jobs are persisted: `resume` continues those a crash interrupted.
import { createHash, randomUUID } from 'node:crypto';
import type { AlertStores } from '../alerts/alert-stores.js';
import type { Archive } from '../archive/archive.js';
import type { AuditLog } from '../audit/audit-log.js';
import { keyDigest } from '../findings/key-digest.js';
import type { BoundQuery } from '../query/bound.js';
import { oneOf } from '../query/scope.js';
import type { FindingStore } from '../store/finding-store.js';
import { removeFindings } from '../store/remove-findings.js';
import { deleteAccountArchive, purgeArchive } from './archive-erasure.js';
import { noErasureCounts, type ErasureCounts, type ErasureJob, type ErasureTarget } from './erasure-job.js';
import type { ErasureStore } from './erasure-store.js';

/** Findings selected per search while removing (removed in REMOVE_BATCH transactions). */
const PAGE = 1000;

export interface ErasureServiceOptions {
  readonly findings: FindingStore;
  readonly alerts: AlertStores;
  readonly erasures: ErasureStore;
  readonly audit?: AuditLog;
  /** The archive, when there is one to erase from. */
  readonly archive?: Archive;
  /** Holds the archiver's passes while the archive is rewritten (Archiver.exclusive). */
  readonly archiveExclusive?: <T>(work: () => Promise<T>) => Promise<T>;
  readonly now?: () => number;
  /**
   * Rebuild the store's file at the end of each erasure (SQLite `VACUUM`; it holds the store meanwhile): for a process
   * that is the store's only user (`yagura erase --data`). A server leaves the rebuild to its next start.
   */
  readonly compact?: boolean;
  /**
   * Other instances' archivers write the same outbox (a shared store): archive objects still in the outbox are
   * rewritten once written and confirmed rather than trusted to be written without the erased lines.
   */
  readonly sharedArchive?: boolean;
}

export interface ErasureRequest {
  readonly target: ErasureTarget;
  readonly reason: string;
  readonly requestedBy: string;
}

export class ErasureService {
  private readonly options: ErasureServiceOptions;
  private readonly now: () => number;
  /** Jobs running in this process. */
  private readonly active = new Map<string, Promise<void>>();
  /** Accounts with a tombstone: their findings are refused at ingest. */
  private erased = new Set<string>();
  private closed = false;
  private readonly failureListeners: Array<(job: string, error: unknown) => void> = [];

  constructor(options: ErasureServiceOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** Tells `listener` of every job that fails (the server logs them). */
  onFailure(listener: (job: string, error: unknown) => void): void {
    this.failureListeners.push(listener);
  }

  /** Reads the tombstones (at start, and from time to time when other instances may write them). */
  async loadTombstones(): Promise<void> {
    this.erased = new Set((await this.options.erasures.tombstones()).map((t) => t.accountId));
  }

  /** Whether findings of this account were erased by account (a tombstone): they are not stored again. */
  isErasedAccount(accountId: string): boolean {
    return this.erased.has(accountId);
  }

  /**
   * Records the job (and for an account, its tombstone, before anything is removed: findings that arrive during the
   * erasure are refused too), then runs it in the background. Resolves with the job as recorded.
   */
  async start(request: ErasureRequest): Promise<ErasureJob> {
    const at = this.now();
    const job: ErasureJob = {
      id: `er-${randomUUID()}`,
      status: 'running',
      phase: 'removing',
      target: request.target,
      reason: request.reason,
      requestedBy: request.requestedBy,
      createdAt: at,
      updatedAt: at,
      keys: 0,
      counts: noErasureCounts(),
    };
    await this.options.erasures.create(job);
    if (job.target.kind === 'account') {
      await this.options.erasures.addTombstone({ accountId: job.target.accountId, erasure: job.id, at });
      this.erased.add(job.target.accountId);
    }
    this.launch(job);
    return job;
  }

  get(id: string): Promise<ErasureJob | undefined> {
    return this.options.erasures.get(id);
  }

  /** Runs again every job a previous process left running. */
  async resume(): Promise<void> {
    await this.loadTombstones();
    for (const job of await this.options.erasures.running()) this.launch(job);
  }

  /** Resolves when no job runs in this process. */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()]);
  }

  /** Stops starting batches; a job under way stops after its batch and resumes at the next start. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private launch(job: ErasureJob): void {
    if (this.active.has(job.id)) return;
    const run = this.run(job).finally(() => this.active.delete(job.id));
    this.active.set(job.id, run);
  }

  private async run(job: ErasureJob): Promise<void> {
    const store = this.options.erasures;
    const counts = { ...noErasureCounts(), ...job.counts };
    let keys = job.keys;
    try {
      if (job.phase === 'removing') {
        const query = this.selection(job.target);
        for (let stalled = 0; !this.closed; ) {
          const page = await this.options.findings.search({ query, ...timeRange(job.target), size: PAGE, sort: { field: 'updatedAt', order: 'asc' } });
          if (page.findings.length === 0) break;
          const batch = page.findings.map((r) => r.key);
          // Recorded before they are removed: a crash in between leaves them selected, and they are found again.
          keys = await store.addKeys(job.id, batch.map(keyDigest));
          const removed = await removeFindings(this.options, batch);
          for (const place of Object.keys(removed) as Array<keyof typeof removed>) counts[place] += removed[place];
          await store.update(job.id, { counts, keys, updatedAt: this.now() });
          // A page whose findings were all gone already (removed by another instance) twice in a row: stop.
          stalled = removed.findings === 0 ? stalled + 1 : 0;
          if (stalled >= 2) break;
        }
        if (this.closed) return;
        // The query names what was erased: it leaves the record with the removal phase.
        job = { ...job, phase: 'archive', target: clearedTarget(job.target) };
        await store.update(job.id, { phase: 'archive', target: job.target, updatedAt: this.now() });
      }
      await this.eraseArchive(job, counts);
      await this.options.findings.scrub({ compact: this.options.compact === true });
      const digests = await store.keyDigests(job.id);
      const keysDigest = createHash('sha256').update(Buffer.concat(digests)).digest('hex');
      const finishedAt = this.now();
      await store.update(job.id, { status: 'done', phase: 'done', counts, keys, keysDigest, finishedAt, updatedAt: finishedAt });
      await store.dropKeys(job.id);
      this.receipt({ ...job, status: 'done', phase: 'done', counts, keys, keysDigest, finishedAt, updatedAt: finishedAt });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A job whose store cannot even record the failure resumes at the next start.
      await store.update(job.id, { status: 'failed', counts, keys, error: message.slice(0, 500), updatedAt: this.now() }).catch(() => undefined);
      for (const listener of this.failureListeners) listener(job.id, error);
    }
  }

  /** Which findings the job selects. */
  private selection(target: ErasureTarget): BoundQuery {
    if (target.kind === 'account') return { kind: 'bound', root: oneOf('accountId', [target.accountId]) };
    if (target.query === undefined) throw new Error('the erasure has no query left to select findings with');
    return target.query;
  }

  private async eraseArchive(job: ErasureJob, counts: { -readonly [K in keyof ErasureCounts]: number }): Promise<void> {
    const deferOutbox = this.options.sharedArchive === true;
    const work = (): Promise<number> => purgeArchive(this.options.findings.archivePurges, this.options.archive, counts, { deferOutbox });
    const exclusive = this.options.archiveExclusive ?? (<T>(w: () => Promise<T>): Promise<T> => w());
    // With other instances' archivers, objects still in the outbox wait until they are written (archive.rollSeconds).
    while ((await exclusive(work)) > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
    const target = job.target;
    const archive = this.options.archive;
    if (target.kind === 'account' && archive !== undefined) await exclusive(() => deleteAccountArchive(archive, target.accountId, counts));
  }

  /** The receipt in the audit log: who asked, why, what (counts per place), when, and the digest of the keys. */
  private receipt(job: ErasureJob): void {
    const receipt = { erasure: job.id, why: job.reason, target: job.target.kind, findings: job.keys, counts: job.counts, finishedAt: new Date(job.finishedAt ?? job.updatedAt).toISOString(), keysDigest: job.keysDigest };
    this.options.audit?.record({
      time: job.finishedAt ?? job.updatedAt,
      requestId: job.id,
      principal: job.requestedBy,
      keyPrefix: null,
      sessionId: null,
      sourceIp: '-',
      method: 'JOB',
      route: '/api/v1/erasures/:id',
      action: 'yagura:EraseFindings',
      resource: `arn:yagura:erasure:::${job.id}`,
      decision: 'allowed',
      status: 200,
      errorCode: null,
      resultSize: null,
      items: job.keys,
      reason: JSON.stringify(receipt),
    });
  }
}

function timeRange(target: ErasureTarget): { from?: number; to?: number } {
  if (target.kind !== 'query') return {};
  return { ...(target.from !== undefined && { from: target.from }), ...(target.to !== undefined && { to: target.to }) };
}

/** The target without its query (the time range and an account are kept: they name no person). */
function clearedTarget(target: ErasureTarget): ErasureTarget {
  if (target.kind === 'account') return target;
  return { kind: 'query', ...timeRange(target) };
}

// Copies every record of one backend into another through their transfer interfaces (`yagura migrate`): kind by
// kind, a page per transaction with a mark of how far it came, so an interrupted copy run again continues where
// it stopped; then checks the copy against the source.
import { isDeepStrictEqual } from 'node:util';
import type { FindingKey } from '../findings/finding.js';
import { keyString } from '../findings/finding.js';
import type { FindingStore, FindingWithHistory } from './finding-store.js';
import { TransferError, type CopyMark, type Position, type RecordSink, type RecordSource } from './transfer.js';
import { COUNTED_KINDS, RECORD_KINDS, type CountedKind, type RecordKind } from './transfer-records.js';

export interface CopyFrom {
  readonly transfer: RecordSource;
  readonly findings: Pick<FindingStore, 'get'>;
}

export interface CopyTo {
  readonly transfer: RecordSource & RecordSink;
  readonly findings: Pick<FindingStore, 'get'>;
}

/** The source as the target's marks remember it. */
export interface SourceIdentity {
  /** Stable for one store, different for another (derived from a random value stored in it, never revealing it). */
  readonly id: string;
  /** For messages: the data folder. */
  readonly description: string;
}

export interface CopyEvents {
  /** The copy of `kind` starts (or is found complete): `done` of `total` records are in the target already. */
  phase?(kind: RecordKind, total: number, done: number): void;
  progress?(kind: RecordKind, done: number): void;
}

export interface CopyOptions {
  /** Records per page and transaction (findings: findings, with all their versions). */
  readonly batchSize: number;
  /** Findings compared with their history at the end, besides the counts. */
  readonly sampleSize?: number;
  readonly events?: CopyEvents;
}

export interface KindCount {
  readonly kind: CountedKind;
  readonly source: number;
  readonly target: number;
}

export interface CopyReport {
  /** What earlier runs had copied: nothing, part of the store (this run continued), or all of it (only verified). */
  readonly earlier: 'none' | 'partial' | 'complete';
  readonly counts: readonly KindCount[];
  /** Findings read back from both sides and compared, history included. */
  readonly compared: number;
  /** What does not match, one sentence each; empty when the copy is verified. */
  readonly mismatches: readonly string[];
}

/** Kinds a store holds only once someone used it: a target holding any has data of its own. */
const USED_KINDS: readonly CountedKind[] = ['findings', 'users', 'groups', 'apiKeys', 'alertRules', 'alertDestinations', 'catalogAccounts', 'sessions', 'roleSessions', 'auditEntries'];

/** Refuses a target holding a copy of another store, or data that came from no copy. */
async function checkTarget(to: CopyTo, source: SourceIdentity): Promise<ReadonlyMap<RecordKind, CopyMark>> {
  const marks = await to.transfer.marks();
  const foreign = [...marks.values()].find((m) => m.source !== source.id);
  if (foreign) {
    throw new TransferError('TARGET_FROM_OTHER_SOURCE', `the target database holds a copy of another store (${foreign.from}); migrate into an empty database`);
  }
  if (marks.size === 0) {
    const held: string[] = [];
    for (const kind of USED_KINDS) {
      const n = await to.transfer.count(kind);
      if (n > 0) held.push(`${n} ${kind}`);
    }
    if (held.length > 0) throw new TransferError('TARGET_NOT_EMPTY', `the target database already holds data (${held.join(', ')}); migrate into an empty database`);
  }
  return marks;
}

/** Copies `from` into `to`, or continues the copy a previous run began, then verifies it. */
export async function copyBackend(from: CopyFrom, to: CopyTo, source: SourceIdentity, options: CopyOptions): Promise<CopyReport> {
  const marks = await checkTarget(to, source);
  const earlier = marks.size === 0 ? 'none' : RECORD_KINDS.every((kind) => marks.get(kind)?.done) ? 'complete' : 'partial';
  const sampleSize = options.sampleSize ?? 50;
  const sample = new Map<string, FindingKey>();
  for (const kind of RECORD_KINDS) {
    const mark = marks.get(kind);
    const total = await from.transfer.count(kind);
    if (mark?.done) {
      options.events?.phase?.(kind, total, total);
      continue;
    }
    let done = mark ? Math.min(total, await to.transfer.count(kind)) : 0;
    options.events?.phase?.(kind, total, done);
    let after: Position | undefined = mark?.after;
    // The sample takes the first finding of every `stride`-th page: spread over the whole store.
    const stride = Math.max(1, Math.ceil(total / options.batchSize / sampleSize));
    for (let pageIndex = 0; ; pageIndex++) {
      const page = await from.transfer.read(kind, after, options.batchSize);
      const finished = page.records.length < options.batchSize;
      after = page.last ?? after;
      await to.transfer.write(kind, page.records, { source: source.id, from: source.description, ...(after && { after }), done: finished });
      done += page.records.length;
      options.events?.progress?.(kind, Math.min(done, total));
      if (kind === 'findings' && page.records.length > 0 && pageIndex % stride === 0 && sample.size < sampleSize) {
        const first = (page.records as ReadonlyArray<{ key: FindingKey }>)[0]!.key;
        sample.set(keyString(first), first);
      }
      if (finished) break;
    }
  }
  // A resumed copy saw only the later pages: the first findings of the store join the sample.
  const head = await from.transfer.read('findings', undefined, Math.max(1, sampleSize - sample.size));
  for (const r of head.records) sample.set(keyString(r.key), r.key);
  return { earlier, ...(await verify(from, to, [...sample.values()].slice(0, sampleSize))) };
}

/** Counts of every kind on both sides, and a sample of findings with their history compared field by field. */
async function verify(from: CopyFrom, to: CopyTo, sample: readonly FindingKey[]): Promise<Omit<CopyReport, 'earlier'>> {
  const counts: KindCount[] = [];
  const mismatches: string[] = [];
  for (const kind of COUNTED_KINDS) {
    const count = { kind, source: await from.transfer.count(kind), target: await to.transfer.count(kind) };
    counts.push(count);
    if (count.source !== count.target) mismatches.push(`${kind}: ${count.source} in the source, ${count.target} in the target`);
  }
  for (const key of sample) {
    const difference = compareFindings(await from.findings.get(key), await to.findings.get(key));
    if (difference) mismatches.push(`finding ${keyString(key)}: ${difference}`);
  }
  return { counts, compared: sample.length, mismatches };
}

function versionsOf(finding: FindingWithHistory): unknown[] {
  return finding.history.map((v) => ({ hash: v.hash, updatedAt: v.updatedAt, count: v.count, receivedAt: v.receivedAt, doc: v.doc }));
}

/** How the copy of a finding differs from its source, or undefined when it does not. */
export function compareFindings(source: FindingWithHistory | undefined, copy: FindingWithHistory | undefined): string | undefined {
  if (source === undefined) return 'it is no longer in the source';
  if (copy === undefined) return 'it is missing from the target';
  if (!isDeepStrictEqual(source.derived, copy.derived)) return 'what Yagura derived (band, first and last seen, versions, archived) differs';
  if ((source.json ?? JSON.stringify(source.doc)) !== (copy.json ?? JSON.stringify(copy.doc))) return 'its current document differs';
  if (!isDeepStrictEqual(versionsOf(source), versionsOf(copy))) return 'its history differs';
  return undefined;
}

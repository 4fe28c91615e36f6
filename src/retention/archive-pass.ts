// A retention pass over the archive. An object holds the versions one account sent in one region on one UTC day;
// each line's retention is its rule's (by the line's own severity band and the account), counted from the end of that
// day. An object whose every line has passed its retention is deleted whole; one that mixes lines past their retention
// with lines still kept is rewritten without the former, written whole under its name beside the old one and put in
// its place atomically (a reader sees the old object or the new, never a part), then the old bytes are gone. Lines of
// an account under a legal hold, and lines of findings a hold's query selects in the store, are kept.
import type { CatalogStore } from '../catalog/catalog-store.js';
import { rewriteWithout } from '../archive/rewrite.js';
import { archiveLines, type ArchiveRef, type StoredArchive } from '../archive/stored-objects.js';
import { keyString, type FindingKey } from '../findings/finding.js';
import { SEVERITY_BANDS, severityBand, type SeverityBand } from '../findings/severity.js';
import type { BoundNode } from '../query/bound.js';
import { bindQuery } from '../query/bind.js';
import { parseQuery } from '../query/parser.js';
import type { ArchiveOutbox, FindingStore } from '../store/finding-store.js';
import type { RetentionPlan, RulePlan } from './retention-plan.js';
import { decideRetention, type RetentionDecision, type RetentionPolicy } from './retention-policy.js';
import type { Retention } from './retention.js';
import type { LegalHold } from './retention-store.js';
import { AccountDirectory, DAY_MS } from './selection.js';

export interface ArchivePassOptions {
  readonly archive: StoredArchive;
  /**
   * Runs one object's change while nothing else changes archive objects (the archiver's passes, erasure's rewrites):
   * the object is read again inside it, so a line another rewrite removed never comes back.
   */
  readonly exclusive: <T>(work: () => Promise<T>) => Promise<T>;
  /** Objects still in the outbox are the archiver's: never touched here. */
  readonly outbox: Pick<ArchiveOutbox, 'objects'>;
  /** Which findings a hold's query selects, asked of the store. */
  readonly findings: Pick<FindingStore, 'matching'>;
  readonly catalog: Pick<CatalogStore, 'allAccounts'>;
  readonly retention: Pick<Retention, 'policy' | 'activeHolds'>;
  /** Called between objects changed; a pass yields there. */
  readonly yieldBetweenObjects: () => Promise<void>;
  /** Told after each object deleted or rewritten: its lines removed by rule, and how far past its retention it was (ms). */
  readonly onObject?: (action: 'deleted' | 'rewritten', removedByRule: ReadonlyMap<string, number>, lagMs: number) => void;
}

export interface ArchivePassResult {
  /** Archived versions (lines) removed, by rule. */
  readonly removed: Readonly<Record<string, number>>;
  /** Objects deleted whole. */
  readonly deleted: number;
  /** Objects rewritten without their expired lines. */
  readonly rewritten: number;
  /** False when the pass stopped before the end (`mayContinue` said no). */
  readonly complete: boolean;
}

/** What one object holds past its retention. */
interface Examined {
  readonly lines: number;
  /** Whether a line goes (by its content: the same answer when the object is read again to be rewritten). */
  readonly drop: (line: Buffer) => boolean;
  readonly removed: Map<string, number>;
  readonly held: Map<string, number>;
  /** Rules that keep some line of the object. */
  readonly keptBy: Set<string>;
  readonly lagMs: number;
}

interface PassContext {
  readonly now: number;
  readonly policy: RetentionPolicy;
  readonly directory: AccountDirectory;
  readonly heldAccounts: ReadonlySet<string>;
  /** The holds' queries, OR-ed; undefined when no hold is by query. */
  readonly heldQuery: BoundNode | undefined;
  /** Objects whose day ends after this cannot hold anything past its retention. */
  readonly latestDayEnd: number;
  readonly inOutbox: ReadonlySet<string>;
}

/** Lines read from an object for `matching`, per call. */
const HOLD_CHECK_KEYS = 500;

function dayStart(day: string): number {
  return Date.parse(`${day.replaceAll('/', '-')}T00:00:00Z`);
}

const refId = (ref: ArchiveRef): string => `${ref.accountId}/${ref.region}/${ref.day}/${ref.name}`;

function add(map: Map<string, number>, rule: string, n = 1): void {
  map.set(rule, (map.get(rule) ?? 0) + n);
}

/** The band and key of an archived line; undefined for a line that does not read as a finding (it is kept). */
function lineFacts(line: string): { band: SeverityBand; key: FindingKey } | undefined {
  try {
    const doc = JSON.parse(line) as { severity?: unknown; accountId?: unknown; region?: unknown; id?: unknown };
    if (typeof doc.severity !== 'number' || typeof doc.accountId !== 'string' || typeof doc.region !== 'string' || typeof doc.id !== 'string') return undefined;
    return { band: severityBand(doc.severity), key: { accountId: doc.accountId, region: doc.region, id: doc.id } };
  } catch {
    return undefined;
  }
}

export class ArchivePass {
  constructor(private readonly options: ArchivePassOptions) {}

  private async context(now: number): Promise<PassContext | undefined> {
    const { policy } = await this.options.retention.policy();
    const days = [policy.default.archiveDays, ...policy.rules.map((r) => r.archiveDays)].filter((d): d is number => d !== undefined);
    if (days.length === 0) return undefined;
    const holds: LegalHold[] = await this.options.retention.activeHolds();
    const queries = holds.flatMap((h) => (h.query !== undefined ? [bindQuery(parseQuery(h.query), { now }).root] : []));
    const outbox = await this.options.outbox.objects();
    return {
      now,
      policy,
      directory: new AccountDirectory(await this.options.catalog.allAccounts()),
      heldAccounts: new Set(holds.flatMap((h) => (h.accountId !== undefined ? [h.accountId] : []))),
      heldQuery: queries.length === 0 ? undefined : queries.length === 1 ? queries[0] : { kind: 'or', children: queries },
      latestDayEnd: now - Math.min(...days) * DAY_MS,
      inOutbox: new Set(outbox.map((o) => refId(o))),
    };
  }

  /** Reads an object and decides each line; undefined when nothing in it can have passed its retention. */
  private async examine(ref: ArchiveRef, ctx: PassContext): Promise<Examined | undefined> {
    const end = dayStart(ref.day) + DAY_MS;
    if (!(end <= ctx.latestDayEnd) || ctx.inOutbox.has(refId(ref))) return undefined;
    const account = ctx.directory.facts(ref.accountId);
    const decisions = new Map<SeverityBand, RetentionDecision>(SEVERITY_BANDS.map((b) => [b, decideRetention(ctx.policy, 'archive', b, account)]));
    const expired = (d: RetentionDecision): boolean => d.days !== undefined && end <= ctx.now - d.days * DAY_MS;
    if (![...decisions.values()].some(expired)) return undefined;
    const accountHeld = ctx.heldAccounts.has(ref.accountId);
    const candidates: Array<{ key: FindingKey; rule: string }> = [];
    const removed = new Map<string, number>();
    const held = new Map<string, number>();
    const keptBy = new Set<string>();
    let lagMs = 0;
    let lines = 0;
    for await (const line of archiveLines(this.options.archive, ref)) {
      lines++;
      const facts = lineFacts(line);
      const decision = facts && decisions.get(facts.band)!;
      if (facts === undefined || decision === undefined || !expired(decision)) {
        if (decision) keptBy.add(decision.rule);
        continue;
      }
      if (accountHeld) {
        add(held, decision.rule);
        keptBy.add(decision.rule);
        continue;
      }
      candidates.push({ key: facts.key, rule: decision.rule });
      lagMs = Math.max(lagMs, ctx.now - decision.days! * DAY_MS - end);
    }
    const heldKeys = await this.heldByQuery(candidates.map((c) => c.key), ctx);
    for (const c of candidates) {
      if (heldKeys.has(keyString(c.key))) {
        add(held, c.rule);
        keptBy.add(c.rule);
      } else add(removed, c.rule);
    }
    const drop = (line: Buffer): boolean => {
      if (accountHeld) return false;
      const facts = lineFacts(line.toString('utf8'));
      const decision = facts && decisions.get(facts.band);
      return facts !== undefined && decision !== undefined && expired(decision) && !heldKeys.has(keyString(facts.key));
    };
    return { lines, drop, removed, held, keptBy, lagMs };
  }

  /** The keys among `keys` whose finding the store still holds and a hold's query selects. */
  private async heldByQuery(keys: readonly FindingKey[], ctx: PassContext): Promise<Set<string>> {
    const held = new Set<string>();
    if (ctx.heldQuery === undefined || keys.length === 0) return held;
    const unique = [...new Map(keys.map((k) => [keyString(k), k])).values()];
    for (let i = 0; i < unique.length; i += HOLD_CHECK_KEYS) {
      const matched = await this.options.findings.matching({ kind: 'bound', root: ctx.heldQuery }, unique.slice(i, i + HOLD_CHECK_KEYS));
      for (const r of matched) held.add(keyString(r.key));
    }
    return held;
  }

  /** What a pass at `now` would remove from the archive, by rule (lines), without changing anything. */
  async plan(now: number): Promise<RulePlan[]> {
    const ctx = await this.context(now);
    if (ctx === undefined) return [];
    const byRule = new Map<string, { days: number | undefined; remove: number; held: number; oldestKept?: number }>();
    const entry = (rule: string): { days: number | undefined; remove: number; held: number; oldestKept?: number } => {
      let e = byRule.get(rule);
      if (!e) {
        const days = rule === 'default' ? ctx.policy.default.archiveDays : ctx.policy.rules.find((r) => r.name === rule)?.archiveDays;
        e = { days, remove: 0, held: 0 };
        byRule.set(rule, e);
      }
      return e;
    };
    for await (const ref of this.options.archive.list()) {
      const examined = await this.examine(ref, ctx);
      if (examined === undefined) continue;
      for (const [rule, n] of examined.removed) entry(rule).remove += n;
      for (const [rule, n] of examined.held) entry(rule).held += n;
      const start = dayStart(ref.day);
      for (const rule of examined.keptBy) {
        const e = entry(rule);
        e.oldestKept = Math.min(e.oldestKept ?? Number.POSITIVE_INFINITY, start);
      }
    }
    return [...byRule].map(([rule, e]) => ({ rule, days: e.days, remove: e.remove, held: e.held, ...(e.oldestKept !== undefined && { oldestKept: e.oldestKept }) }));
  }

  /**
   * Deletes or rewrites the objects a plan at `now` counts, one at a time; `mayContinue` is asked before each
   * change. A pass stopped at any point (a crash included) has changed whole objects only.
   */
  async run(now: number, mayContinue: () => Promise<boolean> = async () => true): Promise<ArchivePassResult> {
    const result = { removed: {} as Record<string, number>, deleted: 0, rewritten: 0, complete: true };
    const ctx = await this.context(now);
    if (ctx === undefined) return result;
    for await (const ref of this.options.archive.list()) {
      const examined = await this.examine(ref, ctx);
      if (examined === undefined || examined.removed.size === 0) continue;
      if (result.deleted + result.rewritten > 0) await this.options.yieldBetweenObjects();
      if (!(await mayContinue())) return { ...result, complete: false };
      const rewritten = await this.options.exclusive(() => rewriteWithout(this.options.archive, ref, examined.drop));
      if (rewritten === undefined || rewritten.dropped === 0) continue;
      const action = rewritten.deleted ? 'deleted' : 'rewritten';
      if (rewritten.deleted) result.deleted++;
      else result.rewritten++;
      this.options.onObject?.(action, examined.removed, examined.lagMs);
      for (const [rule, n] of examined.removed) result.removed[rule] = (result.removed[rule] ?? 0) + n;
    }
    return result;
  }
}

/** A plan of both scopes. */
export async function planRetention(passes: { readonly store: { plan(now: number): Promise<RulePlan[]> }; readonly archive: ArchivePass }, now: number): Promise<RetentionPlan> {
  return { at: now, store: await passes.store.plan(now), archive: await passes.archive.plan(now) };
}

// A retention pass over the store: for each class of findings (a band, the accounts one rule decides), the oldest
// findings past the rule's cutoff that no legal hold keeps, removed a small batch at a time. Each batch is one short
// transaction; between batches the pass yields, so ingest and searches go first. A pass stopped at any point
// (a crash, a lost lease) has removed whole batches only, and the next pass starts over from the oldest left.
import type { CatalogStore } from '../catalog/catalog-store.js';
import type { FindingRecord, FindingStore } from '../store/finding-store.js';
import type { ExpiredFinding, RemoveFindings } from './remove-findings.js';
import type { RulePlan } from './retention-plan.js';
import type { Retention } from './retention.js';
import { AccountDirectory, cutoff, heldCondition, heldQuery, removableQuery, storeClasses, classQuery, type StoreClass } from './selection.js';

export interface StorePassOptions {
  readonly findings: Pick<FindingStore, 'search'>;
  readonly catalog: Pick<CatalogStore, 'allAccounts'>;
  readonly retention: Pick<Retention, 'policy' | 'activeHolds'>;
  readonly remove: RemoveFindings;
  /** Findings per batch (one transaction each). */
  readonly batchFindings: number;
  /**
   * Called between batches with how long the last one's removal took (ms); a pass yields there (a pause at least as
   * long, so ingest and searches go first).
   */
  readonly yieldBetweenBatches: (lastBatchMs: number) => Promise<void>;
  /** Told after each batch: its rule, how many it removed, and how far past its cutoff the oldest of them was (ms). */
  readonly onBatch?: (rule: string, removed: number, lagMs: number) => void;
}

export interface StorePassResult {
  /** Findings removed, by rule. */
  readonly removed: Readonly<Record<string, number>>;
  /** False when the pass stopped before it was done (`mayContinue` said no). */
  readonly complete: boolean;
}

function updatedAtOf(record: FindingRecord): number {
  return record.times?.updatedAt ?? Date.parse(String((record.doc as { updatedAt?: unknown }).updatedAt));
}

export class StorePass {
  constructor(private readonly options: StorePassOptions) {}

  private async classes(now: number): Promise<{ classes: StoreClass[]; held: ReturnType<typeof heldCondition> }> {
    const { policy } = await this.options.retention.policy();
    const directory = new AccountDirectory(await this.options.catalog.allAccounts());
    // A hold whose query no longer binds stops the pass here: nothing is removed rather than something held.
    const held = heldCondition(await this.options.retention.activeHolds(), now);
    return { classes: storeClasses(policy, directory), held };
  }

  /** What a pass at `now` would remove, by rule, without removing anything. */
  async plan(now: number): Promise<RulePlan[]> {
    const { findings } = this.options;
    const { classes, held } = await this.classes(now);
    const byRule = new Map<string, { days: number | undefined; remove: number; held: number; oldestKept?: number }>();
    const oldest = async (query: ReturnType<typeof classQuery>, range: { from?: number; to?: number }): Promise<number | undefined> => {
      const page = await findings.search({ query, ...range, size: 1, sort: { field: 'updatedAt', order: 'asc' }, trackTotalUpTo: 1 });
      const first = page.findings[0];
      return first && updatedAtOf(first);
    };
    const count = async (query: ReturnType<typeof classQuery>, to: number): Promise<number> =>
      (await findings.search({ query, to, size: 1, sort: { field: 'updatedAt', order: 'asc' } })).total;
    for (const c of classes) {
      const entry = byRule.get(c.rule) ?? { days: c.days, remove: 0, held: 0 };
      byRule.set(c.rule, entry);
      const kept: number[] = [];
      if (c.days === undefined) {
        const o = await oldest(classQuery(c), {});
        if (o !== undefined) kept.push(o);
      } else {
        const to = cutoff(c.days, now);
        entry.remove += await count(removableQuery(c, held), to);
        if (held !== undefined) {
          entry.held += await count(heldQuery(c, held), to);
          const h = await oldest(heldQuery(c, held), { to });
          if (h !== undefined) kept.push(h);
        }
        const o = await oldest(classQuery(c), { from: to });
        if (o !== undefined) kept.push(o);
      }
      if (kept.length > 0) entry.oldestKept = Math.min(entry.oldestKept ?? Number.POSITIVE_INFINITY, ...kept);
    }
    return [...byRule].map(([rule, e]) => ({ rule, days: e.days, remove: e.remove, held: e.held, ...(e.oldestKept !== undefined && { oldestKept: e.oldestKept }) }));
  }

  /**
   * Removes what a plan at `now` lists, a batch at a time; `mayContinue` (the lease still held, the server not
   * stopping) is asked before each batch.
   */
  async run(now: number, mayContinue: () => Promise<boolean> = async () => true): Promise<StorePassResult> {
    const { findings, remove, batchFindings, yieldBetweenBatches, onBatch } = this.options;
    const { classes, held } = await this.classes(now);
    const removed: Record<string, number> = {};
    let last: number | undefined;
    for (const c of classes) {
      if (c.days === undefined) continue;
      const to = cutoff(c.days, now);
      const query = removableQuery(c, held);
      let after: Awaited<ReturnType<FindingStore['search']>>['next'];
      for (;;) {
        if (last !== undefined) await yieldBetweenBatches(last);
        if (!(await mayContinue())) return { removed, complete: false };
        const page = await findings.search({ query, to, size: batchFindings, sort: { field: 'updatedAt', order: 'asc' }, trackTotalUpTo: 1, ...(after && { after }) });
        if (page.findings.length === 0) break;
        const batch: ExpiredFinding[] = page.findings.map((r) => ({ key: r.key, updatedAt: updatedAtOf(r) }));
        const started = performance.now();
        const n = await remove(batch);
        last = performance.now() - started;
        removed[c.rule] = (removed[c.rule] ?? 0) + n;
        onBatch?.(c.rule, n, Math.max(0, to - batch[0]!.updatedAt));
        if (page.next === undefined) break;
        after = page.next;
      }
    }
    return { removed, complete: true };
  }
}

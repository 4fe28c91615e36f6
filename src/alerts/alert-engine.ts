// Evaluates alert rules over the store's change log from a persisted cursor; woken by ingest, caught up on start.
import { keyString } from '../findings/finding.js';
import type { QueryNode } from '../query/ast.js';
import { bindQuery } from '../query/bind.js';
import type { BoundNode, BoundQuery } from '../query/bound.js';
import { andScope } from '../query/scope.js';
import type { FindingChange, FindingStore } from '../store/finding-store.js';
import type { Lease } from '../store/lease.js';
import type { DeliveryLog, NewDelivery } from './delivery-log.js';
import type { DigestItem, EvaluationStore } from './evaluation-store.js';
import { decide, groupKeyOf, inScope, type Incident } from './evaluate.js';
import { alertFinding, type AlertMessage } from './message.js';
import type { AccountCatalog } from './routing.js';
import { routeMatches } from './routing.js';
import type { AlertRule } from './rule.js';

/** The longest throttle window a rule may have: older incidents can no longer absorb anything. */
const MAX_THROTTLE_MS = 30 * 86_400_000;
/**
 * Change-log entries dropped per statement: after an import of a million findings the log holds a million and
 * more, and one statement deleting them all would hold the event loop for seconds.
 */
const PRUNE_CHUNK = 5_000;

/** The rule's query restricted to its owner's scope, or undefined (reported) when the query no longer binds. */
function bindScoped(query: QueryNode, scope: BoundNode, now: number, onError: (error: unknown) => void): BoundQuery | undefined {
  try {
    return andScope(bindQuery(query, { now }), scope);
  } catch (error) {
    onError(error);
    return undefined;
  }
}

export interface CompiledRule {
  readonly rule: AlertRule;
  readonly query: QueryNode;
}

export interface AlertEngineOptions {
  readonly store: FindingStore;
  readonly evaluation: EvaluationStore;
  /** Pruned of old finished deliveries. */
  readonly deliveries: Pick<DeliveryLog, 'prune'>;
  readonly rules: () => Promise<readonly CompiledRule[]>;
  /** The findings the rule's owner may read now; undefined when it may read none (the rule is suspended). */
  readonly ownerScope: (rule: AlertRule) => Promise<BoundNode | undefined>;
  readonly accounts: AccountCatalog;
  readonly publicUrl?: string;
  /** Told when a pass queued deliveries. */
  readonly queued: () => void;
  readonly onError: (error: unknown) => void;
  readonly batchSize?: number;
  /** Sent deliveries and dead letters are kept this long in the delivery log. */
  readonly keepDeliveriesMs: number;
  readonly now?: () => number;
  /** Only the instance holding it evaluates (several instances share one store); without one, always. */
  readonly lease?: Pick<Lease, 'held'>;
  /**
   * Evaluated change-log entries are kept this long before they are pruned (0: at once), so that other instances
   * following a shared store's log (their live streams) read them first.
   */
  readonly keepChangesMs?: number;
}

export class AlertEngine {
  private running: Promise<void> | undefined;
  private prunedAt = 0;
  /** Cursors as they were, oldest first, until they are old enough to prune up to (keepChangesMs). */
  private readonly evaluated: Array<{ readonly at: number; readonly cursor: number }> = [];
  private again = false;
  private closed = false;

  constructor(private readonly options: AlertEngineOptions) {}

  /** Runs a pass soon; calls while a pass runs coalesce into one more pass. */
  wake(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when no pass is running (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.closed && (await this.pass())) {
          // Let requests in between batches: catching up on a large backlog must not stall the server.
          await new Promise((resolve) => setImmediate(resolve));
        }
      } catch (error) {
        this.options.onError(error);
      }
    } while (this.again && !this.closed);
  }

  /** One batch of the change log; false when there was nothing to read. */
  private async pass(): Promise<boolean> {
    const o = this.options;
    if (o.lease !== undefined && !(await o.lease.held())) return false;
    const cursor = await o.evaluation.cursor();
    const rules = (await o.rules()).filter((r) => r.rule.enabled);
    if (rules.length === 0) {
      // Nothing to evaluate: skip the log (an import of a million findings must not be read back for nothing).
      const last = await o.store.lastChange();
      if (last > cursor) {
        await o.evaluation.commitEvaluation({ cursor: last, incidents: [], deliveries: [], digestItems: [] }, (o.now ?? Date.now)());
        await this.maintain(last);
      }
      return false;
    }
    const changes = await o.store.changesSince(cursor, o.batchSize ?? 500);
    if (changes.length === 0) return false;
    const last = changes[changes.length - 1]!.seq;
    const incidents = new Map<string, Incident | undefined>();
    const touched = new Set<string>();
    const deliveries: NewDelivery[] = [];
    const digestItems: DigestItem[] = [];
    const now = (o.now ?? Date.now)();
    for (const { rule, query } of rules) {
      // Asked for every rule on every pass, so that a suspension (or its end) is recorded at the next evaluation.
      const scope = await o.ownerScope(rule);
      // An owner who may read nothing, or whose permissions are unknown, gets nothing: never everything.
      if (scope === undefined) continue;
      // The cheap filters first (band, scope, sample, archived): most changes leave most rules here, without SQL.
      const candidates = changes.filter((c) => inScope(rule, c));
      if (candidates.length === 0) continue;
      let matched: Set<string> | undefined;
      const scoped = bindScoped(query, scope, now, o.onError);
      if (scoped === undefined) continue;
      if (scoped.root.kind !== 'all') {
        try {
          const keys = [...new Map(candidates.map((c) => [keyString(c.record.key), c.record.key])).values()];
          matched = new Set((await o.store.matching(scoped, keys)).map((r) => keyString(r.key)));
        } catch (error) {
          // A rule whose query the store cannot run must not hold up every other rule.
          o.onError(error);
          continue;
        }
      }
      for (const change of candidates) {
        if (matched && !matched.has(keyString(change.record.key))) continue;
        if (rule.trigger.kind === 'digest') {
          digestItems.push({ rule: rule.id, finding: alertFinding(change.record, o.accounts, o.publicUrl), at: change.at });
          continue;
        }
        const group = groupKeyOf(rule, change.record);
        const id = `${rule.id}\u0000${group}`;
        const existing = incidents.has(id) ? incidents.get(id) : await o.evaluation.incident(rule.id, group);
        const decision = decide(rule, change, group, existing);
        if (decision.incident) {
          incidents.set(id, decision.incident);
          touched.add(id);
        }
        if (decision.alert) deliveries.push(...this.route(rule, change, decision.alert));
      }
    }
    await o.evaluation.commitEvaluation(
      { cursor: last, incidents: [...touched].map((id) => incidents.get(id)!), deliveries, digestItems },
      (o.now ?? Date.now)(),
    );
    if (deliveries.length > 0) o.queued();
    await this.maintain(last);
    return true;
  }

  /**
   * Prunes the change log up to the cursor (alerting is its only consumer today, so its cursor is the slowest),
   * and old incidents and delivery records. At most once a second, to keep these writes off the ingest and alert
   * paths (with no rules, every stored batch ends a pass), and in chunks that let requests in between.
   */
  private async maintain(cursor: number): Promise<void> {
    const o = this.options;
    const t = (o.now ?? Date.now)();
    if (t - this.prunedAt < 1000) return;
    this.prunedAt = t;
    let upTo = cursor;
    const keep = o.keepChangesMs ?? 0;
    if (keep > 0) {
      this.evaluated.push({ at: t, cursor });
      upTo = 0;
      while (this.evaluated.length > 0 && this.evaluated[0]!.at <= t - keep) upTo = this.evaluated.shift()!.cursor;
    }
    while (!this.closed && upTo > 0 && (await o.store.pruneChanges(upTo, PRUNE_CHUNK)) === PRUNE_CHUNK) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    await o.evaluation.prune(t - MAX_THROTTLE_MS);
    await o.deliveries.prune(t - o.keepDeliveriesMs);
  }

  private route(rule: AlertRule, change: FindingChange, kind: NewDelivery['kind']): NewDelivery[] {
    const o = this.options;
    const message: AlertMessage = { kind, rule: { id: rule.id, name: rule.name }, findings: [alertFinding(change.record, o.accounts, o.publicUrl)] };
    return rule.routes
      .filter((route) => routeMatches(route, change.record.key.accountId, o.accounts))
      .map((route) => ({ rule: rule.id, destination: route.destination, kind, finding: keyString(change.record.key), about: [change.record.key], message, arrivedAt: change.at }));
  }
}

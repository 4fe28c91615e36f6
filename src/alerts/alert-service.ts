// Alerting as one component: rules and destinations, the evaluation engine, the dispatcher and digest schedules.
import type { Lease } from '../store/lease.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { Metrics } from '../metrics/metrics.js';
import { parseQuery } from '../query/parser.js';
import { validateQuery } from '../query/validate.js';
import type { FindingStore } from '../store/finding-store.js';
import type { BoundNode } from '../query/bound.js';
import { andScope } from '../query/scope.js';
import type { RuleOwners } from './rule-owners.js';
import { AlertEngine, type CompiledRule } from './alert-engine.js';
import { AlertError } from './alert-error.js';
import type { AlertStores } from './alert-stores.js';
import { DeliveryDispatcher, type DispatchLog, type RetryPolicy } from './delivery-dispatcher.js';
import type { DigestItem } from './evaluation-store.js';
import { SECRET_FIELDS, type Destination, type DestinationSpec } from './destination.js';
import { DigestScheduler, checkSchedule } from './digest-scheduler.js';
import { dryRun, type DryRunResult } from './dry-run.js';
import { alertFinding, type AlertMessage } from './message.js';
import { keyString, type FindingKey } from '../findings/finding.js';
import { AccountCatalog, type AccountDirectory, type AccountInfo } from './routing.js';
import type { AlertRule, RuleSpec, RuleStatus } from './rule.js';
import { buildSink } from './sinks/build-sink.js';
import type { NetworkPolicy, Resolver } from './sinks/network-policy.js';
import { checkReceiverAddress } from './destination-address.js';
import type { Sink } from './sinks/sink.js';

export interface AlertSettings {
  readonly publicUrl?: string;
  /** The account catalog (names and tags for routing and messages), or fixed accounts in the configuration's form. */
  readonly accounts: AccountDirectory | Readonly<Record<string, AccountInfo>>;
  readonly network: NetworkPolicy;
  readonly retry: RetryPolicy;
  readonly sendTimeoutMs: number;
  readonly concurrency: number;
  /** Sent deliveries and dead letters stay in the delivery log this long. */
  readonly keepDeliveriesMs: number;
}

export interface AlertServiceOptions {
  readonly store: FindingStore;
  readonly alerts: AlertStores;
  readonly pipeline: Pick<IngestPipeline, 'subscribe'>;
  readonly settings: AlertSettings;
  readonly metrics?: Metrics;
  readonly now?: () => number;
  /** How receivers' names are resolved (the system's resolver unless a test stands in a DNS server). */
  readonly resolve?: Resolver;
  /** What each rule's owner may read; a rule fires only on those findings. */
  readonly owners: RuleOwners;
  /** With several instances on one store, only the holder evaluates rules and cuts digests. */
  readonly lease?: Lease;
  /** How long evaluated change-log entries are kept for other instances (see AlertEngineOptions). */
  readonly keepChangesMs?: number;
}

/** How often an instance without the evaluation lease tries to take it (its holder may have died). */
const LEASE_RETRY_MS = 5_000;

export interface AlertLog extends DispatchLog {
  error(fields: Record<string, unknown>, message: string): void;
}

const SILENT: AlertLog = { info() {}, warn() {}, error() {} };

export interface TestResult {
  readonly ok: boolean;
  readonly latencyMs: number;
  readonly error?: string;
}

export class AlertService {
  readonly alerts: AlertStores;
  private readonly engine: AlertEngine;
  private readonly dispatcher: DeliveryDispatcher;
  private readonly scheduler: DigestScheduler;
  private readonly catalog: AccountCatalog;
  private readonly sinks = new Map<string, { updatedAt: number; sink: Sink; type: string }>();
  private compiled: Promise<CompiledRule[]> | undefined;
  /** Each rule's status as last stored (JSON, '' when active), so that only a change is written. */
  private readonly statuses = new Map<string, string>();
  private log: AlertLog = SILENT;
  private unsubscribe: (() => void) | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: AlertServiceOptions) {
    const s = options.settings;
    this.alerts = options.alerts;
    this.now = options.now ?? Date.now;
    this.catalog = new AccountCatalog(s.accounts);
    const onError = (error: unknown): void => this.log.error({ err: error }, 'alert evaluation failed');
    this.dispatcher = new DeliveryDispatcher({
      deliveries: options.alerts.deliveries,
      sinkFor: (id) => this.sinkFor(id),
      retry: s.retry,
      timeoutMs: s.sendTimeoutMs,
      concurrency: s.concurrency,
      log: { info: (f, m) => this.log.info(f, m), warn: (f, m) => this.log.warn(f, m) },
      ...(options.metrics && { metrics: options.metrics }),
      now: this.now,
    });
    this.engine = new AlertEngine({
      store: options.store,
      evaluation: options.alerts.evaluation,
      deliveries: options.alerts.deliveries,
      rules: () => this.compiledRules(),
      ownerScope: (rule) => this.ownerScope(rule),
      accounts: this.catalog,
      ...(s.publicUrl !== undefined && { publicUrl: s.publicUrl }),
      queued: () => this.dispatcher.wake(),
      onError,
      keepDeliveriesMs: s.keepDeliveriesMs,
      now: this.now,
      ...(options.lease && { lease: options.lease }),
      ...(options.keepChangesMs !== undefined && { keepChangesMs: options.keepChangesMs }),
    });
    this.scheduler = new DigestScheduler(options.alerts.evaluation, (rule, items) => this.visibleDigestItems(rule, items), this.catalog, () => this.dispatcher.wake(), onError, this.now, options.lease);
  }

  /** Catches up from the persisted cursor, sends what is pending, and follows ingest from now on. */
  async start(log?: AlertLog): Promise<void> {
    if (log) this.log = log;
    this.unsubscribe = this.options.pipeline.subscribe(() => this.engine.wake());
    this.scheduler.reload(await this.options.alerts.rules.listRules());
    this.engine.wake();
    this.dispatcher.wake();
    // Other instances' findings reach the shared change log without waking this one: with a lease, look regularly
    // (taking the lease over when its holder died, and evaluating what others stored).
    if (this.options.lease !== undefined) {
      this.leaseTimer = setInterval(() => this.engine.wake(), LEASE_RETRY_MS);
      this.leaseTimer.unref();
    }
  }

  /** Waits until evaluation and sending are idle (tests, benchmarks). */
  async settled(): Promise<void> {
    await this.engine.idle();
    await this.dispatcher.idle();
  }

  async close(): Promise<void> {
    clearInterval(this.leaseTimer);
    this.unsubscribe?.();
    this.scheduler.stop();
    await this.engine.close();
    await this.dispatcher.close();
    for (const s of this.sinks.values()) await s.sink.close();
    this.sinks.clear();
  }

  // Rules.

  private compiledRules(): Promise<CompiledRule[]> {
    this.compiled ??= this.options.alerts.rules.listRules().then((rules) => {
      for (const rule of rules) this.statuses.set(rule.id, rule.status ? JSON.stringify(rule.status) : '');
      return rules.map((rule) => ({ rule, query: parseQuery(rule.query) }));
    });
    return this.compiled;
  }

  /**
   * The findings the rule's owner may read now, or undefined when it may read none because it no longer exists
   * or its policies cannot be enforced: then the rule is suspended, with the reason recorded on it, until the
   * owner's permissions can be compiled again.
   */
  private async ownerScope(rule: AlertRule): Promise<BoundNode | undefined> {
    const result = await this.options.owners(rule.owner, this.now());
    const status: RuleStatus | undefined = result.ok ? undefined : { state: 'suspended', reason: result.reason };
    const text = status ? JSON.stringify(status) : '';
    if ((this.statuses.get(rule.id) ?? '') !== text) {
      await this.options.alerts.rules.setRuleStatus(rule.id, status);
      this.statuses.set(rule.id, text);
      if (status) this.log.warn({ rule: rule.id, owner: rule.owner, reason: status.reason }, 'alert rule suspended');
      else this.log.info({ rule: rule.id, owner: rule.owner }, 'alert rule resumed');
    }
    return result.ok ? result.scope : undefined;
  }

  /** The digest items whose findings the rule's owner may still read. */
  private async visibleDigestItems(rule: AlertRule, items: readonly DigestItem[]): Promise<ReadonlySet<number>> {
    const scope = await this.ownerScope(rule);
    if (scope === undefined) return new Set();
    const seqs = (i: DigestItem): number[] => (i.seq === undefined ? [] : [i.seq]);
    if (scope.kind === 'all') return new Set(items.flatMap(seqs));
    const keys = items.map((i) => ({ accountId: i.finding.accountId, region: i.finding.region, id: i.finding.id }));
    const readable = new Set((await this.options.store.matching({ kind: 'bound', root: scope }, keys)).map((r) => keyString(r.key)));
    return new Set(items.filter((i) => readable.has(keyString(i.finding))).flatMap(seqs));
  }

  private async rulesChanged(): Promise<void> {
    this.compiled = undefined;
    this.scheduler.reload(await this.options.alerts.rules.listRules());
  }

  /** Query, schedule and destinations must be valid before a rule is stored. */
  private async checkRule(spec: RuleSpec): Promise<void> {
    // Semantic errors (an unknown band name…) surface now, as for the live stream.
    validateQuery(spec.query);
    if (spec.trigger.kind === 'digest') {
      try {
        checkSchedule(spec.trigger.schedule, spec.trigger.timezone);
      } catch (error) {
        throw new AlertError('INVALID_RULE', `the digest schedule is not valid: ${(error as Error).message}`);
      }
    }
    for (const route of spec.routes) {
      if ((await this.options.alerts.destinations.getDestination(route.destination)) === undefined) {
        throw new AlertError('INVALID_RULE', `route to destination "${route.destination}": there is no such destination`);
      }
    }
  }

  /** A new rule owned by `owner` (the creating principal's ARN). */
  async createRule(spec: RuleSpec, owner: string): Promise<AlertRule> {
    await this.checkRule(spec);
    const rule = await this.options.alerts.rules.createRule(spec, owner, this.now());
    await this.rulesChanged();
    return rule;
  }

  async replaceRule(id: string, spec: RuleSpec): Promise<AlertRule | undefined> {
    await this.checkRule(spec);
    const rule = await this.options.alerts.rules.replaceRule(id, spec, this.now());
    await this.rulesChanged();
    return rule;
  }

  async deleteRule(id: string): Promise<boolean> {
    const deleted = await this.options.alerts.rules.deleteRule(id);
    await this.rulesChanged();
    return deleted;
  }

  /** Replays stored findings through a rule, only those `scope` (the caller's read scope) selects. */
  async dryRun(spec: RuleSpec, from: number, to: number, scope: BoundNode): Promise<DryRunResult> {
    await this.checkRule({ ...spec, routes: [] });
    const rule: AlertRule = { ...spec, id: 'dry-run', owner: '', createdAt: 0, updatedAt: 0 };
    return dryRun(this.options.store, rule, { from, to }, scope, this.catalog, this.options.settings.publicUrl, this.now());
  }

  // Destinations.

  /** An update may leave secrets out to keep the stored ones (the API never shows them). */
  async mergeSecrets(id: string, spec: Record<string, unknown>): Promise<Record<string, unknown>> {
    const old = await this.options.alerts.destinations.getDestination(id);
    if (old === undefined || old.type !== spec.type) return spec;
    const merged = { ...spec };
    for (const field of SECRET_FIELDS[old.type]) {
      if (merged[field] === undefined && (old as Record<string, unknown>)[field] !== undefined) merged[field] = (old as Record<string, unknown>)[field];
    }
    return merged;
  }

  /** Saves a destination whose receiver the network policy allows; `warnings` say what could not be checked. */
  async createDestination(spec: DestinationSpec): Promise<{ destination: Destination; warnings: string[] }> {
    const warnings = await checkReceiverAddress(spec, this.options.settings.network, this.options.resolve);
    return { destination: await this.options.alerts.destinations.createDestination(spec, this.now()), warnings };
  }

  async replaceDestination(id: string, spec: DestinationSpec): Promise<{ destination: Destination; warnings: string[] } | undefined> {
    const warnings = await checkReceiverAddress(spec, this.options.settings.network, this.options.resolve);
    const destination = await this.options.alerts.destinations.replaceDestination(id, spec, this.now());
    return destination === undefined ? undefined : { destination, warnings };
  }

  async deleteDestination(id: string): Promise<boolean> {
    const users = (await this.options.alerts.rules.listRules()).filter((r) => r.routes.some((route) => route.destination === id));
    if (users.length > 0) {
      throw new AlertError('DESTINATION_IN_USE', `the destination is routed to by rule(s) ${users.map((r) => `"${r.id}"`).join(', ')}; change those rules first`);
    }
    return this.options.alerts.destinations.deleteDestination(id);
  }

  /** Sends a test message now, outside the outbox, and says how it went. */
  async testDestination(destination: Destination): Promise<TestResult> {
    const message: AlertMessage = {
      kind: 'test',
      rule: { id: 'test', name: destination.name },
      findings: [
        {
          accountId: '000000000000',
          region: 'us-east-1',
          id: 'yagura-test',
          type: 'Yagura:Test/Message',
          title: 'Yagura test message: this destination works',
          severity: 5,
          band: 'Medium',
          resource: 'none',
          actor: 'Yagura',
          count: 1,
          updatedAt: new Date(this.now()).toISOString(),
        },
      ],
    };
    const sink = buildSink(destination, this.options.settings.network, this.options.settings.sendTimeoutMs, this.options.resolve);
    const started = performance.now();
    try {
      const result = await sink.send(message, { idempotencyKey: `test-${destination.id}-${this.now()}`, timeoutMs: this.options.settings.sendTimeoutMs });
      const latencyMs = Math.round(performance.now() - started);
      return result.ok ? { ok: true, latencyMs } : { ok: false, latencyMs, error: result.error };
    } finally {
      await sink.close();
    }
  }

  /**
   * Queues one stored finding for one destination by hand (through the outbox, like any alert); undefined when
   * there is no such finding within `scope` (the caller's read scope), so that existence does not leak.
   */
  async sendFinding(destination: Destination, key: FindingKey, scope: BoundNode): Promise<number | undefined> {
    const [record] = await this.options.store.matching(andScope({ kind: 'bound', root: { kind: 'all' } }, scope), [key]);
    if (record === undefined) return undefined;
    const now = this.now();
    const message: AlertMessage = { kind: 'new', rule: { id: 'manual', name: 'sent by hand' }, findings: [alertFinding(record, this.catalog, this.options.settings.publicUrl)] };
    const [id] = await this.options.alerts.deliveries.enqueue([{ rule: 'manual', destination: destination.id, kind: 'new', finding: keyString(key), about: [key], message, arrivedAt: now }], now);
    this.dispatcher.wake();
    return id;
  }

  /** Puts a dead letter back in the queue and sends it at once. */
  async retryDelivery(id: number): Promise<boolean> {
    const done = await this.options.alerts.deliveries.retryDead(id, this.now());
    if (done) this.dispatcher.wake();
    return done;
  }

  private async sinkFor(id: string): Promise<{ sink: Sink; type: string } | undefined> {
    const destination = await this.options.alerts.destinations.getDestination(id);
    const cached = this.sinks.get(id);
    if (destination === undefined || (cached && cached.updatedAt !== destination.updatedAt)) {
      await cached?.sink.close();
      this.sinks.delete(id);
    }
    if (destination === undefined) return undefined;
    const current = this.sinks.get(id);
    if (current) return current;
    const built = { updatedAt: destination.updatedAt, sink: buildSink(destination, this.options.settings.network, this.options.settings.sendTimeoutMs, this.options.resolve), type: destination.type };
    this.sinks.set(id, built);
    return built;
  }
}

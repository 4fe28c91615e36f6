// The SQLite AlertStore: alerting's tables in the embedded database, next to the findings they refer to.
import { randomBytes, randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { AlertStore, Delivery, DeliveryFilter, DeliveryStatus, DigestItem, EvaluationResult, NewDelivery } from '../../alerts/alert-store.js';
import type { Destination, DestinationSpec } from '../../alerts/destination.js';
import type { Incident } from '../../alerts/evaluate.js';
import type { AlertFinding, AlertKind, AlertMessage } from '../../alerts/message.js';
import type { AlertRule, RuleSpec, RuleStatus } from '../../alerts/rule.js';
import type { SeverityBand } from '../../findings/severity.js';
import type { BoundNode } from '../../query/bound.js';
import type { SecretBox } from '../../auth/secrets/secret-box.js';
import type { SealedRecords } from '../../auth/secrets/sealed-records.js';
import { compileQuery, type CompiledQuery } from './compile-query.js';
import { openSpec, rewriteDestinationSpecs, sealSpec } from './destination-secrets.js';
import { relaxed } from './relaxed.js';

const CURSOR_KEY = 'alerts:cursor';

interface DeliveryRow {
  id: number;
  idempotency_key: string;
  rule: string;
  destination: string;
  kind: AlertKind;
  finding: string | null;
  message: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  arrived_at: number;
  created_at: number;
  sent_at: number | null;
  last_error: string | null;
  latency_ms: number | null;
}

interface IncidentRow {
  rule: string;
  group_key: string;
  opened_at: number;
  last_alert_at: number;
  band: SeverityBand;
  count: number;
  updates: number;
  alerts: number;
  updated_at: number;
}

interface RuleRow {
  id: string;
  spec: string;
  owner: string;
  status: string | null;
  created_at: number;
  updated_at: number;
}

const RULE_COLUMNS = 'id, spec, owner, status, created_at, updated_at';

interface DestinationRow {
  id: string;
  spec: string;
  created_at: number;
  updated_at: number;
}

function toRule(row: RuleRow): AlertRule {
  return {
    ...(JSON.parse(row.spec) as RuleSpec),
    id: row.id,
    owner: row.owner,
    ...(row.status !== null && { status: JSON.parse(row.status) as RuleStatus }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Deliveries `d` whose every finding the scope selects: one finding outside it (or no longer stored, so that its
 * account can no longer be judged) hides the delivery. Part of the WHERE clause, so pages and cursors never
 * count what the caller may not see.
 */
function deliveryScope(scope: BoundNode | undefined): CompiledQuery {
  if (scope === undefined || scope.kind === 'all') return { sql: '1', params: [] };
  const inScope = compileQuery({ kind: 'bound', root: scope });
  return {
    sql: `EXISTS (SELECT 1 FROM alert_delivery_findings x WHERE x.delivery = d.id)
      AND NOT EXISTS (SELECT 1 FROM alert_delivery_findings df
        LEFT JOIN findings f ON f.account_id = df.account_id AND f.region = df.region AND f.id = df.id
        WHERE df.delivery = d.id AND (f.rowid IS NULL OR (${inScope.sql}) IS NOT 1))`,
    params: inScope.params,
  };
}

function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}

function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    idempotencyKey: r.idempotency_key,
    rule: r.rule,
    destination: r.destination,
    kind: r.kind,
    ...(r.finding !== null && { finding: r.finding }),
    message: JSON.parse(r.message) as AlertMessage,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    arrivedAt: r.arrived_at,
    createdAt: r.created_at,
    ...(r.sent_at !== null && { sentAt: r.sent_at }),
    ...(r.last_error !== null && { lastError: r.last_error }),
    ...(r.latency_ms !== null && { latencyMs: r.latency_ms }),
  };
}

// Alerting's writes are `relaxed`: they derive from the change log, which is committed durably with the findings,
// and rolling back an evaluation in a power cut rewinds its cursor with it, so the changes are evaluated again.

/** The store of alerting; destination specs are sealed with `secrets` (see destination-secrets.ts). */
export class SqliteAlertStore implements AlertStore, SealedRecords {
  readonly description = 'alert destinations';
  private readonly insertDelivery: Database.Statement;
  private readonly upsertIncident: Database.Statement;
  private readonly insertDigestItem: Database.Statement;
  private readonly setCursor: Database.Statement;
  private readonly insertAbout: Database.Statement;

  constructor(
    private readonly db: Database.Database,
    private readonly secrets: SecretBox,
  ) {
    this.insertDelivery = db.prepare(
      `INSERT INTO alert_deliveries (idempotency_key, rule, destination, kind, finding, message, status, attempts, next_attempt_at, arrived_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
    );
    this.upsertIncident = db.prepare(
      `INSERT INTO alert_incidents (rule, group_key, opened_at, last_alert_at, band, count, updates, alerts, updated_at)
       VALUES (@rule, @groupKey, @openedAt, @lastAlertAt, @band, @count, @updates, @alerts, @updatedAt)
       ON CONFLICT (rule, group_key) DO UPDATE SET opened_at = excluded.opened_at, last_alert_at = excluded.last_alert_at,
         band = excluded.band, count = excluded.count, updates = excluded.updates, alerts = excluded.alerts, updated_at = excluded.updated_at`,
    );
    this.insertDigestItem = db.prepare('INSERT INTO alert_digest_items (rule, finding, at) VALUES (?, ?, ?)');
    this.insertAbout = db.prepare('INSERT OR IGNORE INTO alert_delivery_findings (delivery, account_id, region, id) VALUES (?, ?, ?, ?)');
    this.setCursor = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  }

  private toDestination(row: DestinationRow): Destination {
    return { ...openSpec(this.secrets, row.id, row.spec), id: row.id, createdAt: row.created_at, updatedAt: row.updated_at };
  }

  async createDestination(spec: DestinationSpec, now: number): Promise<Destination> {
    const id = newId('dst');
    this.db.prepare('INSERT INTO alert_destinations (id, type, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, spec.type, sealSpec(this.secrets, id, spec), now, now);
    return { ...spec, id, createdAt: now, updatedAt: now };
  }

  async getDestination(id: string): Promise<Destination | undefined> {
    const row = this.db.prepare('SELECT id, spec, created_at, updated_at FROM alert_destinations WHERE id = ?').get(id) as DestinationRow | undefined;
    return row && this.toDestination(row);
  }

  async listDestinations(): Promise<Destination[]> {
    const rows = this.db.prepare('SELECT id, spec, created_at, updated_at FROM alert_destinations ORDER BY created_at, id').all() as DestinationRow[];
    return rows.map((row) => this.toDestination(row));
  }

  async replaceDestination(id: string, spec: DestinationSpec, now: number): Promise<Destination | undefined> {
    const changed = this.db.prepare('UPDATE alert_destinations SET type = ?, spec = ?, updated_at = ? WHERE id = ?').run(spec.type, sealSpec(this.secrets, id, spec), now, id).changes;
    return changed === 0 ? undefined : this.getDestination(id);
  }

  async rewriteSealed(rewrite: (sealed: string, context: string) => string): Promise<number> {
    return this.db.transaction(() => rewriteDestinationSpecs(this.db, rewrite))();
  }

  async deleteDestination(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM alert_destinations WHERE id = ?').run(id).changes > 0;
  }

  async createRule(spec: RuleSpec, owner: string, now: number): Promise<AlertRule> {
    const id = newId('rul');
    this.db.prepare('INSERT INTO alert_rules (id, spec, owner, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, JSON.stringify(spec), owner, now, now);
    return { ...spec, id, owner, createdAt: now, updatedAt: now };
  }

  async getRule(id: string): Promise<AlertRule | undefined> {
    const row = this.db.prepare(`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = ?`).get(id) as RuleRow | undefined;
    return row && toRule(row);
  }

  async listRules(): Promise<AlertRule[]> {
    return (this.db.prepare(`SELECT ${RULE_COLUMNS} FROM alert_rules ORDER BY created_at, id`).all() as RuleRow[]).map(toRule);
  }

  async setRuleStatus(id: string, status: RuleStatus | undefined): Promise<void> {
    this.db.prepare('UPDATE alert_rules SET status = ? WHERE id = ?').run(status === undefined ? null : JSON.stringify(status), id);
  }

  async replaceRule(id: string, spec: RuleSpec, now: number): Promise<AlertRule | undefined> {
    const changed = this.db.transaction(() => {
      // A rule that stops being a digest drops what it had collected for its next digest.
      if (spec.trigger.kind !== 'digest') this.db.prepare('DELETE FROM alert_digest_items WHERE rule = ?').run(id);
      return this.db.prepare('UPDATE alert_rules SET spec = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(spec), now, id).changes;
    })();
    return changed === 0 ? undefined : this.getRule(id);
  }

  async deleteRule(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM alert_incidents WHERE rule = ?').run(id);
      this.db.prepare('DELETE FROM alert_digest_items WHERE rule = ?').run(id);
      return this.db.prepare('DELETE FROM alert_rules WHERE id = ?').run(id).changes > 0;
    })();
  }

  async cursor(): Promise<number> {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(CURSOR_KEY) as { value: string } | undefined;
    return row ? Number(row.value) : 0;
  }

  async incident(rule: string, groupKey: string): Promise<Incident | undefined> {
    const r = this.db.prepare('SELECT * FROM alert_incidents WHERE rule = ? AND group_key = ?').get(rule, groupKey) as IncidentRow | undefined;
    return (
      r && {
        rule: r.rule,
        groupKey: r.group_key,
        openedAt: r.opened_at,
        lastAlertAt: r.last_alert_at,
        band: r.band,
        count: r.count,
        updates: r.updates,
        alerts: r.alerts,
        updatedAt: r.updated_at,
      }
    );
  }

  private addDeliveries(deliveries: readonly NewDelivery[], now: number): number[] {
    return deliveries.map((d) => {
      const id = Number(this.insertDelivery.run(randomUUID(), d.rule, d.destination, d.kind, d.finding ?? null, JSON.stringify(d.message), now, d.arrivedAt, now).lastInsertRowid);
      for (const k of d.about) this.insertAbout.run(id, k.accountId, k.region, k.id);
      return id;
    });
  }

  async enqueue(deliveries: readonly NewDelivery[], now: number): Promise<number[]> {
    return this.db.transaction(() => this.addDeliveries(deliveries, now))();
  }

  async prune(incidentsBefore: number, deliveriesBefore: number): Promise<void> {
    relaxed(this.db, () => {
      this.db.prepare('DELETE FROM alert_incidents WHERE updated_at < ?').run(incidentsBefore);
      this.db
        .prepare(`DELETE FROM alert_delivery_findings WHERE delivery IN (SELECT id FROM alert_deliveries WHERE status <> 'pending' AND created_at < ?)`)
        .run(deliveriesBefore);
      this.db.prepare(`DELETE FROM alert_deliveries WHERE status <> 'pending' AND created_at < ?`).run(deliveriesBefore);
    });
  }

  async commitEvaluation(result: EvaluationResult, now: number): Promise<void> {
    relaxed(this.db, () => {
      for (const i of result.incidents) this.upsertIncident.run(i);
      for (const item of result.digestItems) this.insertDigestItem.run(item.rule, JSON.stringify(item.finding), item.at);
      this.addDeliveries(result.deliveries, now);
      this.setCursor.run(CURSOR_KEY, String(result.cursor));
    });
  }

  async digestItems(rule: string): Promise<DigestItem[]> {
    const rows = this.db.prepare('SELECT seq, finding, at FROM alert_digest_items WHERE rule = ? ORDER BY seq').all(rule) as Array<{ seq: number; finding: string; at: number }>;
    return rows.map((r) => ({ rule, finding: JSON.parse(r.finding) as AlertFinding, at: r.at, seq: r.seq }));
  }

  async cutDigest(rule: string, build: (items: readonly DigestItem[]) => NewDelivery[], now: number, throughSeq?: number): Promise<number> {
    return this.db.transaction(() => {
      const rows = this.db
        .prepare('SELECT seq, finding, at FROM alert_digest_items WHERE rule = ? AND seq <= ? ORDER BY seq')
        .all(rule, throughSeq ?? Number.MAX_SAFE_INTEGER) as Array<{ seq: number; finding: string; at: number }>;
      if (rows.length === 0) return 0;
      const deliveries = build(rows.map((r) => ({ rule, finding: JSON.parse(r.finding) as AlertFinding, at: r.at, seq: r.seq })));
      this.addDeliveries(deliveries, now);
      this.db.prepare('DELETE FROM alert_digest_items WHERE rule = ? AND seq <= ?').run(rule, rows[rows.length - 1]!.seq);
      return deliveries.length;
    })();
  }

  async dueDeliveries(now: number, limit: number, exclude: ReadonlySet<number>): Promise<Delivery[]> {
    const rows = this.db
      .prepare(`SELECT * FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`)
      .all(now, limit + exclude.size) as DeliveryRow[];
    return rows.filter((r) => !exclude.has(r.id)).slice(0, limit).map(toDelivery);
  }

  async nextDueAt(): Promise<number | undefined> {
    const row = this.db.prepare(`SELECT min(next_attempt_at) AS at FROM alert_deliveries WHERE status = 'pending'`).get() as { at: number | null };
    return row.at ?? undefined;
  }

  async markSent(id: number, now: number, latencyMs: number): Promise<void> {
    // Losing this mark in a power cut means one repeat with the same idempotency key, never a lost alert.
    relaxed(this.db, () => this.db.prepare(`UPDATE alert_deliveries SET status = 'sent', attempts = attempts + 1, sent_at = ?, latency_ms = ?, last_error = NULL WHERE id = ?`).run(now, latencyMs, id));
  }

  async markFailed(id: number, error: string, now: number, retryAt: number | undefined): Promise<void> {
    relaxed(this.db, () =>
      this.db
        .prepare(`UPDATE alert_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?`)
        .run(retryAt === undefined ? 'dead' : 'pending', retryAt ?? now, error.slice(0, 1000), id),
    );
  }

  async retryDead(id: number, now: number): Promise<boolean> {
    return this.db.prepare(`UPDATE alert_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND status = 'dead'`).run(now, id).changes > 0;
  }

  async getDelivery(id: number, scope?: BoundNode): Promise<Delivery | undefined> {
    const visible = deliveryScope(scope);
    const row = this.db.prepare(`SELECT d.* FROM alert_deliveries d WHERE d.id = ? AND ${visible.sql}`).get(id, ...visible.params) as DeliveryRow | undefined;
    return row && toDelivery(row);
  }

  async listDeliveries(filter: DeliveryFilter): Promise<Delivery[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) (where.push('d.status = ?'), params.push(filter.status));
    if (filter.rule) (where.push('d.rule = ?'), params.push(filter.rule));
    if (filter.destination) (where.push('d.destination = ?'), params.push(filter.destination));
    if (filter.before !== undefined) (where.push('d.id < ?'), params.push(filter.before));
    const visible = deliveryScope(filter.scope);
    where.push(visible.sql);
    params.push(...visible.params);
    const sql = `SELECT d.* FROM alert_deliveries d WHERE ${where.join(' AND ')} ORDER BY d.id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, filter.limit) as DeliveryRow[]).map(toDelivery);
  }

  async deleteDelivery(id: number): Promise<boolean> {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM alert_delivery_findings WHERE delivery = ?').run(id);
      return this.db.prepare('DELETE FROM alert_deliveries WHERE id = ?').run(id).changes > 0;
    })();
  }
}

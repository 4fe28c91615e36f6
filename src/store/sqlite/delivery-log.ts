// The delivery log in the embedded database: queued deliveries, their attempts and outcomes, and the findings each is about.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Delivery, DeliveryFilter, DeliveryLog, NewDelivery } from '../../alerts/delivery-log.js';
import { DELIVERY_COLUMNS, deliveryOf, type DeliveryRow } from '../../alerts/alert-rows.js';
import type { BoundNode } from '../../query/bound.js';
import { compileQuery, type CompiledQuery } from './compile-query.js';
import { relaxed } from './relaxed.js';

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

/**
 * Inserts pending deliveries with the findings they are about, inside the caller's transaction (an evaluation's
 * commit, a digest's cut, a delivery queued by hand); returns their ids.
 */
export function deliveryWriter(db: Database.Database): (deliveries: readonly NewDelivery[], now: number) => number[] {
  const insertDelivery = db.prepare(
    `INSERT INTO alert_deliveries (idempotency_key, rule, destination, kind, finding, message, status, attempts, next_attempt_at, arrived_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
  );
  const insertAbout = db.prepare('INSERT OR IGNORE INTO alert_delivery_findings (delivery, account_id, region, id) VALUES (?, ?, ?, ?)');
  return (deliveries, now) =>
    deliveries.map((d) => {
      const id = Number(insertDelivery.run(randomUUID(), d.rule, d.destination, d.kind, d.finding ?? null, JSON.stringify(d.message), now, d.arrivedAt, now).lastInsertRowid);
      for (const k of d.about) insertAbout.run(id, k.accountId, k.region, k.id);
      return id;
    });
}

// Writes that record attempts are `relaxed` (see each): alerting derives from the change log, committed durably.

export class SqliteDeliveryLog implements DeliveryLog {
  private readonly addDeliveries: (deliveries: readonly NewDelivery[], now: number) => number[];

  constructor(private readonly db: Database.Database) {
    this.addDeliveries = deliveryWriter(db);
  }

  async enqueue(deliveries: readonly NewDelivery[], now: number): Promise<number[]> {
    return this.db.transaction(() => this.addDeliveries(deliveries, now))();
  }

  async dueDeliveries(now: number, limit: number, exclude: ReadonlySet<number>): Promise<Delivery[]> {
    const rows = this.db
      .prepare(`SELECT * FROM alert_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`)
      .all(now, limit + exclude.size) as DeliveryRow[];
    return rows.filter((r) => !exclude.has(r.id)).slice(0, limit).map(deliveryOf);
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
    const row = this.db.prepare(`SELECT ${DELIVERY_COLUMNS} FROM alert_deliveries d WHERE d.id = ? AND ${visible.sql}`).get(id, ...visible.params) as DeliveryRow | undefined;
    return row && deliveryOf(row);
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
    const sql = `SELECT ${DELIVERY_COLUMNS} FROM alert_deliveries d WHERE ${where.join(' AND ')} ORDER BY d.id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params, filter.limit) as DeliveryRow[]).map(deliveryOf);
  }

  async deleteDelivery(id: number): Promise<boolean> {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM alert_delivery_findings WHERE delivery = ?').run(id);
      return this.db.prepare('DELETE FROM alert_deliveries WHERE id = ?').run(id).changes > 0;
    })();
  }

  async prune(before: number): Promise<void> {
    // A clean-up lost in a power cut is done again by the next one.
    relaxed(this.db, () => {
      this.db
        .prepare(`DELETE FROM alert_delivery_findings WHERE delivery IN (SELECT id FROM alert_deliveries WHERE status <> 'pending' AND created_at < ?)`)
        .run(before);
      this.db.prepare(`DELETE FROM alert_deliveries WHERE status <> 'pending' AND created_at < ?`).run(before);
    });
  }
}

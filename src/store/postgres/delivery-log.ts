// The delivery log in PostgreSQL: queued deliveries, their attempts and outcomes, the findings each is about. With
// several instances, each due delivery is claimed by one dispatcher (FOR UPDATE SKIP LOCKED, then a claim that
// lapses after `claimMs`), so an alert is sent once; a claim left by an instance that died is taken over.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Delivery, DeliveryFilter, DeliveryLog, NewDelivery } from '../../alerts/delivery-log.js';
import { DELIVERY_COLUMNS, deliveryOf, type DeliveryRow } from '../../alerts/alert-rows.js';
import type { BoundNode } from '../../query/bound.js';
import { compileQuery, Params } from './compile-query.js';
import type { PgDatabase, Sql } from './database.js';

/**
 * Longest a send may take before another instance may take the delivery over: above the longest send timeout
 * (120 s) with room for looking up the destination and recording the outcome.
 */
export const DELIVERY_CLAIM_MS = 180_000;

/**
 * Deliveries `d` whose every finding the scope selects: one finding outside it (or no longer stored, so that its
 * account can no longer be judged) hides the delivery. Part of the WHERE clause, so pages never count what the
 * caller may not see.
 */
function deliveryScope(scope: BoundNode | undefined, p: Params): string {
  if (scope === undefined || scope.kind === 'all') return 'true';
  const inScope = compileQuery({ kind: 'bound', root: scope }, p);
  return `EXISTS (SELECT 1 FROM alert_delivery_findings x WHERE x.delivery = d.id)
    AND NOT EXISTS (SELECT 1 FROM alert_delivery_findings df
      LEFT JOIN findings f ON f.account_id = df.account_id AND f.region = df.region AND f.id = df.id
      WHERE df.delivery = d.id AND (f.rid IS NULL OR (${inScope}) IS NOT TRUE))`;
}

/**
 * Inserts pending deliveries with the findings they are about, inside the caller's transaction (an evaluation's
 * commit, a digest's cut, a delivery queued by hand); resolves with their ids, in order.
 */
export async function addDeliveries(tx: Sql, deliveries: readonly NewDelivery[], now: number): Promise<number[]> {
  if (deliveries.length === 0) return [];
  const rows = await tx.rows<{ id: number; ord: number }>(
    `INSERT INTO alert_deliveries (idempotency_key, rule, destination, kind, finding, message, status, attempts, next_attempt_at, arrived_at, created_at)
     SELECT k, r, dst, kind, f, m, 'pending', 0, $7, a, $7
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $8::bigint[]) WITH ORDINALITY AS n (k, r, dst, kind, f, m, a, ord)
     ORDER BY ord RETURNING id`,
    [
      deliveries.map(() => randomUUID()),
      deliveries.map((d) => d.rule),
      deliveries.map((d) => d.destination),
      deliveries.map((d) => d.kind),
      deliveries.map((d) => d.finding ?? null),
      deliveries.map((d) => JSON.stringify(d.message)),
      now,
      deliveries.map((d) => d.arrivedAt),
    ],
  );
  // Identity values are handed out in insertion order, which ORDER BY ord fixed.
  const ids = rows.map((r) => r.id).sort((a, b) => a - b);
  const about = deliveries.flatMap((d, i) => d.about.map((k) => [ids[i]!, k.accountId, k.region, k.id] as const));
  if (about.length > 0) {
    await tx.run(
      `INSERT INTO alert_delivery_findings (delivery, account_id, region, id)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) ON CONFLICT DO NOTHING`,
      [about.map((a) => a[0]), about.map((a) => a[1]), about.map((a) => a[2]), about.map((a) => a[3])],
    );
  }
  return ids;
}

export interface PostgresDeliveryLogOptions {
  /** How long a claimed delivery stays with its dispatcher before another may take it over. */
  readonly claimMs?: number;
}

export class PostgresDeliveryLog implements DeliveryLog {
  /** This dispatcher's name on its claims. */
  private readonly claimant = randomBytes(9).toString('base64url');
  private readonly claimMs: number;

  constructor(
    private readonly db: PgDatabase,
    options: PostgresDeliveryLogOptions = {},
  ) {
    this.claimMs = options.claimMs ?? DELIVERY_CLAIM_MS;
  }

  async enqueue(deliveries: readonly NewDelivery[], now: number): Promise<number[]> {
    return this.db.transaction((tx) => addDeliveries(tx, deliveries, now));
  }

  /**
   * Claims and returns pending deliveries due at `now`, oldest first: those no other dispatcher holds (rows being
   * claimed elsewhere are skipped, not waited for; a claim that lapsed is free again), leaving out `exclude`.
   */
  async dueDeliveries(now: number, limit: number, exclude: ReadonlySet<number>): Promise<Delivery[]> {
    if (limit <= 0) return [];
    const rows = await this.db.rows<DeliveryRow>(
      `UPDATE alert_deliveries d SET claimed_by = $1, claimed_until = $2 + $3::bigint
       WHERE d.id IN (
         SELECT id FROM alert_deliveries
         WHERE status = 'pending' AND next_attempt_at <= $2
           AND (claimed_until IS NULL OR claimed_until <= $2 OR claimed_by = $1)
           AND NOT (id = ANY($4::bigint[]))
         ORDER BY next_attempt_at, id LIMIT $5
         FOR UPDATE SKIP LOCKED)
       RETURNING ${DELIVERY_COLUMNS}`,
      [this.claimant, now, this.claimMs, [...exclude], limit],
    );
    rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id);
    return rows.map(deliveryOf);
  }

  /** When the next pending delivery is due for this dispatcher: one claimed by another is due when its claim lapses. */
  async nextDueAt(): Promise<number | undefined> {
    const [row] = await this.db.rows<{ at: number | null }>(
      `SELECT min(CASE WHEN claimed_until IS NULL OR claimed_by = $1 THEN next_attempt_at ELSE GREATEST(next_attempt_at, claimed_until) END) AS at
       FROM alert_deliveries WHERE status = 'pending'`,
      [this.claimant],
    );
    return row?.at ?? undefined;
  }

  async markSent(id: number, now: number, latencyMs: number): Promise<void> {
    await this.db.run(
      `UPDATE alert_deliveries SET status = 'sent', attempts = attempts + 1, sent_at = $1, latency_ms = $2, last_error = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = $3`,
      [now, latencyMs, id],
    );
  }

  async markFailed(id: number, error: string, now: number, retryAt: number | undefined): Promise<void> {
    await this.db.run(
      'UPDATE alert_deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2, last_error = $3, claimed_by = NULL, claimed_until = NULL WHERE id = $4',
      [retryAt === undefined ? 'dead' : 'pending', retryAt ?? now, error.slice(0, 1000), id],
    );
  }

  async retryDead(id: number, now: number): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE alert_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1, claimed_by = NULL, claimed_until = NULL WHERE id = $2 AND status = 'dead'`,
      [now, id],
    );
    return changed > 0;
  }

  async getDelivery(id: number, scope?: BoundNode): Promise<Delivery | undefined> {
    const p = new Params();
    const where = `d.id = ${p.add(id)} AND ${deliveryScope(scope, p)}`;
    const [row] = await this.db.rows<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM alert_deliveries d WHERE ${where}`, p.values);
    return row && deliveryOf(row);
  }

  async listDeliveries(filter: DeliveryFilter): Promise<Delivery[]> {
    const p = new Params();
    const where: string[] = [];
    if (filter.status) where.push(`d.status = ${p.add(filter.status)}`);
    if (filter.rule) where.push(`d.rule = ${p.add(filter.rule)}`);
    if (filter.destination) where.push(`d.destination = ${p.add(filter.destination)}`);
    if (filter.before !== undefined) where.push(`d.id < ${p.add(filter.before)}`);
    where.push(deliveryScope(filter.scope, p));
    const rows = await this.db.rows<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM alert_deliveries d WHERE ${where.join(' AND ')} ORDER BY d.id DESC LIMIT ${p.add(filter.limit)}`, p.values);
    return rows.map(deliveryOf);
  }

  async deleteDelivery(id: number): Promise<boolean> {
    // Its findings go with it (ON DELETE CASCADE).
    return (await this.db.run('DELETE FROM alert_deliveries WHERE id = $1', [id])) > 0;
  }

  async prune(before: number): Promise<void> {
    await this.db.run(`DELETE FROM alert_deliveries WHERE status <> 'pending' AND created_at < $1`, [before]);
  }
}

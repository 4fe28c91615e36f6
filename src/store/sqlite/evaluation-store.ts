// Alert evaluation's state in the embedded database: the cursor (in `meta`), incidents and collected digest items.
import type Database from 'better-sqlite3';
import type { NewDelivery } from '../../alerts/delivery-log.js';
import type { Incident } from '../../alerts/evaluate.js';
import type { DigestItem, EvaluationResult, EvaluationStore } from '../../alerts/evaluation-store.js';
import type { AlertFinding } from '../../alerts/message.js';
import { INCIDENT_COLUMNS, incidentOf, type IncidentRow } from '../../alerts/alert-rows.js';
import { deliveryWriter } from './delivery-log.js';
import { relaxed } from './relaxed.js';
import type { FindingKey } from '../../findings/finding.js';
import { keyText, withoutFindings, type ForgottenCounts } from '../../alerts/forget.js';
import type { AlertMessage } from '../../alerts/message.js';

const CURSOR_KEY = 'alerts:cursor';

// Evaluation's writes are `relaxed`: they derive from the change log, which is committed durably with the findings,
// and rolling back an evaluation in a power cut rewinds its cursor with it, so the changes are evaluated again.

export class SqliteEvaluationStore implements EvaluationStore {
  private readonly upsertIncident: Database.Statement;
  private readonly insertDigestItem: Database.Statement;
  private readonly setCursor: Database.Statement;
  private readonly addDeliveries: (deliveries: readonly NewDelivery[], now: number) => number[];

  constructor(private readonly db: Database.Database) {
    this.upsertIncident = db.prepare(
      `INSERT INTO alert_incidents (rule, group_key, opened_at, last_alert_at, band, count, updates, alerts, updated_at)
       VALUES (@rule, @groupKey, @openedAt, @lastAlertAt, @band, @count, @updates, @alerts, @updatedAt)
       ON CONFLICT (rule, group_key) DO UPDATE SET opened_at = excluded.opened_at, last_alert_at = excluded.last_alert_at,
         band = excluded.band, count = excluded.count, updates = excluded.updates, alerts = excluded.alerts, updated_at = excluded.updated_at`,
    );
    this.insertDigestItem = db.prepare('INSERT INTO alert_digest_items (rule, finding, at) VALUES (?, ?, ?)');
    this.setCursor = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.addDeliveries = deliveryWriter(db);
  }

  async cursor(): Promise<number> {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(CURSOR_KEY) as { value: string } | undefined;
    return row ? Number(row.value) : 0;
  }

  async incident(rule: string, groupKey: string): Promise<Incident | undefined> {
    const r = this.db.prepare(`SELECT ${INCIDENT_COLUMNS} FROM alert_incidents WHERE rule = ? AND group_key = ?`).get(rule, groupKey) as IncidentRow | undefined;
    return r && incidentOf(r);
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

  async forgetFindings(keys: readonly FindingKey[], groups: readonly string[]): Promise<ForgottenCounts> {
    const erased = new Set(keys.map(keyText));
    const incident = this.db.prepare('DELETE FROM alert_incidents WHERE group_key = ?');
    const item = this.db.prepare(
      `DELETE FROM alert_digest_items WHERE json_extract(finding, '$.accountId') = ? AND json_extract(finding, '$.region') = ? AND json_extract(finding, '$.id') = ?`,
    );
    const about = this.db.prepare<[string, string, string], { delivery: number }>('SELECT delivery FROM alert_delivery_findings WHERE account_id = ? AND region = ? AND id = ?');
    const message = this.db.prepare<[number], { message: string }>('SELECT message FROM alert_deliveries WHERE id = ?');
    const dropDelivery = this.db.prepare('DELETE FROM alert_deliveries WHERE id = ?');
    const dropAbout = this.db.prepare('DELETE FROM alert_delivery_findings WHERE delivery = ?');
    const dropOneAbout = this.db.prepare('DELETE FROM alert_delivery_findings WHERE delivery = ? AND account_id = ? AND region = ? AND id = ?');
    const rewrite = this.db.prepare('UPDATE alert_deliveries SET message = ? WHERE id = ?');
    return this.db.transaction(() => {
      let incidents = 0;
      let digestItems = 0;
      const deliveries = new Set<number>();
      for (const group of groups) incidents += incident.run(group).changes;
      for (const k of keys) {
        digestItems += item.run(k.accountId, k.region, k.id).changes;
        for (const r of about.all(k.accountId, k.region, k.id)) deliveries.add(r.delivery);
      }
      for (const id of deliveries) {
        const row = message.get(id);
        const kept = row === undefined ? undefined : withoutFindings(JSON.parse(row.message) as AlertMessage, erased);
        if (kept === undefined) {
          dropDelivery.run(id);
          dropAbout.run(id);
        } else {
          rewrite.run(JSON.stringify(kept), id);
          for (const k of keys) dropOneAbout.run(id, k.accountId, k.region, k.id);
        }
      }
      return { incidents, deliveries: deliveries.size, digestItems };
    })();
  }

  async prune(before: number): Promise<void> {
    relaxed(this.db, () => {
      this.db.prepare('DELETE FROM alert_incidents WHERE updated_at < ?').run(before);
    });
  }
}

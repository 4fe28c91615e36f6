// Alert evaluation's state in PostgreSQL: the cursor (in `meta`), incidents and collected digest items; each pass
// commits with its deliveries in one transaction.
import type { NewDelivery } from '../../alerts/delivery-log.js';
import type { Incident } from '../../alerts/evaluate.js';
import type { DigestItem, EvaluationResult, EvaluationStore } from '../../alerts/evaluation-store.js';
import type { AlertFinding } from '../../alerts/message.js';
import { INCIDENT_COLUMNS, incidentOf, type IncidentRow } from '../../alerts/alert-rows.js';
import type { PgDatabase } from './database.js';
import { addDeliveries } from './delivery-log.js';
import type { FindingKey } from '../../findings/finding.js';
import { keyText, withoutFindings, type ForgottenCounts } from '../../alerts/forget.js';
import type { AlertMessage } from '../../alerts/message.js';

const CURSOR_KEY = 'alerts:cursor';

const INCIDENT_FIELDS: ReadonlyArray<readonly [string, string, (i: Incident) => unknown]> = [
  ['rule', 'text', (i) => i.rule],
  ['group_key', 'text', (i) => i.groupKey],
  ['opened_at', 'bigint', (i) => i.openedAt],
  ['last_alert_at', 'bigint', (i) => i.lastAlertAt],
  ['band', 'text', (i) => i.band],
  ['count', 'bigint', (i) => i.count],
  ['updates', 'bigint', (i) => i.updates],
  ['alerts', 'bigint', (i) => i.alerts],
  ['updated_at', 'bigint', (i) => i.updatedAt],
];

const UPSERT_INCIDENTS = `INSERT INTO alert_incidents (${INCIDENT_FIELDS.map(([c]) => c).join(', ')})
  SELECT * FROM unnest(${INCIDENT_FIELDS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
  ON CONFLICT (rule, group_key) DO UPDATE SET ${INCIDENT_FIELDS.slice(2).map(([c]) => `${c} = excluded.${c}`).join(', ')}`;

export class PostgresEvaluationStore implements EvaluationStore {
  constructor(private readonly db: PgDatabase) {}

  async cursor(): Promise<number> {
    const [row] = await this.db.rows<{ value: string }>('SELECT value FROM meta WHERE key = $1', [CURSOR_KEY]);
    return row ? Number(row.value) : 0;
  }

  async incident(rule: string, groupKey: string): Promise<Incident | undefined> {
    const [r] = await this.db.rows<IncidentRow>(
      `SELECT ${INCIDENT_COLUMNS} FROM alert_incidents WHERE rule = $1 AND group_key = $2`,
      [rule, groupKey],
    );
    return r && incidentOf(r);
  }

  async commitEvaluation(result: EvaluationResult, now: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      // One incident per (rule, group) in a statement: ON CONFLICT cannot touch a row twice, so the last one wins.
      const incidents = [...new Map(result.incidents.map((i) => [`${i.rule}\u0000${i.groupKey}`, i])).values()];
      if (incidents.length > 0) await tx.run(UPSERT_INCIDENTS, INCIDENT_FIELDS.map(([, , value]) => incidents.map(value)));
      if (result.digestItems.length > 0) {
        await tx.run(
          'INSERT INTO alert_digest_items (rule, finding, at) SELECT r, f, a FROM unnest($1::text[], $2::text[], $3::bigint[]) WITH ORDINALITY AS n (r, f, a, ord) ORDER BY ord',
          [result.digestItems.map((d) => d.rule), result.digestItems.map((d) => JSON.stringify(d.finding)), result.digestItems.map((d) => d.at)],
        );
      }
      await addDeliveries(tx, result.deliveries, now);
      await tx.run('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [CURSOR_KEY, String(result.cursor)]);
    });
  }

  async digestItems(rule: string): Promise<DigestItem[]> {
    const rows = await this.db.rows<{ seq: number; finding: string; at: number }>('SELECT seq, finding, at FROM alert_digest_items WHERE rule = $1 ORDER BY seq', [rule]);
    return rows.map((r) => ({ rule, finding: JSON.parse(r.finding) as AlertFinding, at: r.at, seq: r.seq }));
  }

  async cutDigest(rule: string, build: (items: readonly DigestItem[]) => NewDelivery[], now: number, throughSeq?: number): Promise<number> {
    return this.db.transaction(async (tx) => {
      // Locked: a cut running elsewhere at the same moment waits, then finds the items gone.
      const rows = await tx.rows<{ seq: number; finding: string; at: number }>(
        'SELECT seq, finding, at FROM alert_digest_items WHERE rule = $1 AND seq <= $2 ORDER BY seq FOR UPDATE',
        [rule, throughSeq ?? Number.MAX_SAFE_INTEGER],
      );
      if (rows.length === 0) return 0;
      const deliveries = build(rows.map((r) => ({ rule, finding: JSON.parse(r.finding) as AlertFinding, at: r.at, seq: r.seq })));
      await addDeliveries(tx, deliveries, now);
      await tx.run('DELETE FROM alert_digest_items WHERE seq = ANY($1::bigint[])', [rows.map((r) => r.seq)]);
      return deliveries.length;
    });
  }

  async forgetFindings(keys: readonly FindingKey[], groups: readonly string[]): Promise<ForgottenCounts> {
    const erased = new Set(keys.map(keyText));
    const accounts = keys.map((k) => k.accountId);
    const regions = keys.map((k) => k.region);
    const ids = keys.map((k) => k.id);
    return this.db.transaction(async (tx) => {
      const incidents = await tx.run('DELETE FROM alert_incidents WHERE group_key = ANY($1::text[])', [groups]);
      const digestItems = await tx.run(
        `DELETE FROM alert_digest_items d USING unnest($1::text[], $2::text[], $3::text[]) AS k (account_id, region, id)
         WHERE d.finding::json ->> 'accountId' = k.account_id AND d.finding::json ->> 'region' = k.region AND d.finding::json ->> 'id' = k.id`,
        [accounts, regions, ids],
      );
      const about = await tx.rows<{ id: number; message: string }>(
        `SELECT d.id, d.message FROM alert_deliveries d WHERE d.id IN (SELECT x.delivery FROM alert_delivery_findings x
           JOIN unnest($1::text[], $2::text[], $3::text[]) AS k (account_id, region, id) ON x.account_id = k.account_id AND x.region = k.region AND x.id = k.id)
         ORDER BY d.id FOR UPDATE`,
        [accounts, regions, ids],
      );
      for (const row of about) {
        const kept = withoutFindings(JSON.parse(row.message) as AlertMessage, erased);
        if (kept === undefined) {
          await tx.run('DELETE FROM alert_deliveries WHERE id = $1', [row.id]);
        } else {
          await tx.run('UPDATE alert_deliveries SET message = $1 WHERE id = $2', [JSON.stringify(kept), row.id]);
          await tx.run(
            `DELETE FROM alert_delivery_findings x USING unnest($2::text[], $3::text[], $4::text[]) AS k (account_id, region, id)
             WHERE x.delivery = $1 AND x.account_id = k.account_id AND x.region = k.region AND x.id = k.id`,
            [row.id, accounts, regions, ids],
          );
        }
      }
      return { incidents, deliveries: about.length, digestItems };
    });
  }

  async prune(before: number): Promise<void> {
    await this.db.run('DELETE FROM alert_incidents WHERE updated_at < $1', [before]);
  }
}

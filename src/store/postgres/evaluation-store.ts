// Alert evaluation's state in PostgreSQL: the cursor (in `meta`), incidents and collected digest items; each pass
// commits with its deliveries in one transaction.
import type { NewDelivery } from '../../alerts/delivery-log.js';
import type { Incident } from '../../alerts/evaluate.js';
import type { DigestItem, EvaluationResult, EvaluationStore } from '../../alerts/evaluation-store.js';
import type { AlertFinding } from '../../alerts/message.js';
import { INCIDENT_COLUMNS, incidentOf, type IncidentRow } from '../../alerts/alert-rows.js';
import type { PgDatabase } from './database.js';
import { addDeliveries } from './delivery-log.js';

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

  async prune(before: number): Promise<void> {
    await this.db.run('DELETE FROM alert_incidents WHERE updated_at < $1', [before]);
  }
}

// Alert rules in PostgreSQL.
import { newAlertId } from '../../alerts/alert-id.js';
import type { AlertRuleStore } from '../../alerts/alert-rule-store.js';
import type { AlertRule, RuleSpec, RuleStatus } from '../../alerts/rule.js';
import { RULE_COLUMNS, ruleOf, type RuleRow } from '../../alerts/alert-rows.js';
import type { PgDatabase } from './database.js';

export class PostgresAlertRuleStore implements AlertRuleStore {
  constructor(private readonly db: PgDatabase) {}

  async createRule(spec: RuleSpec, owner: string, now: number): Promise<AlertRule> {
    const id = newAlertId('rul');
    await this.db.run('INSERT INTO alert_rules (id, spec, owner, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)', [id, JSON.stringify(spec), owner, now]);
    return { ...spec, id, owner, createdAt: now, updatedAt: now };
  }

  async getRule(id: string): Promise<AlertRule | undefined> {
    const [row] = await this.db.rows<RuleRow>(`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = $1`, [id]);
    return row && ruleOf(row);
  }

  async listRules(): Promise<AlertRule[]> {
    return (await this.db.rows<RuleRow>(`SELECT ${RULE_COLUMNS} FROM alert_rules ORDER BY created_at, id`)).map(ruleOf);
  }

  async setRuleStatus(id: string, status: RuleStatus | undefined): Promise<void> {
    await this.db.run('UPDATE alert_rules SET status = $1 WHERE id = $2', [status === undefined ? null : JSON.stringify(status), id]);
  }

  async replaceRule(id: string, spec: RuleSpec, now: number): Promise<AlertRule | undefined> {
    const [row] = await this.db.transaction(async (tx) => {
      // A rule that stops being a digest drops what it had collected for its next digest.
      if (spec.trigger.kind !== 'digest') await tx.run('DELETE FROM alert_digest_items WHERE rule = $1', [id]);
      return tx.rows<RuleRow>(`UPDATE alert_rules SET spec = $1, updated_at = $2 WHERE id = $3 RETURNING ${RULE_COLUMNS}`, [JSON.stringify(spec), now, id]);
    });
    return row && ruleOf(row);
  }

  async deleteRule(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM alert_incidents WHERE rule = $1', [id]);
      await tx.run('DELETE FROM alert_digest_items WHERE rule = $1', [id]);
      return (await tx.run('DELETE FROM alert_rules WHERE id = $1', [id])) > 0;
    });
  }
}

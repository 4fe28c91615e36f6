// Alert rules in the embedded database.
import type Database from 'better-sqlite3';
import { newAlertId } from '../../alerts/alert-id.js';
import type { AlertRuleStore } from '../../alerts/alert-rule-store.js';
import type { AlertRule, RuleSpec, RuleStatus } from '../../alerts/rule.js';
import { RULE_COLUMNS, ruleOf, type RuleRow } from '../../alerts/alert-rows.js';

export class SqliteAlertRuleStore implements AlertRuleStore {
  constructor(private readonly db: Database.Database) {}

  async createRule(spec: RuleSpec, owner: string, now: number): Promise<AlertRule> {
    const id = newAlertId('rul');
    this.db.prepare('INSERT INTO alert_rules (id, spec, owner, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, JSON.stringify(spec), owner, now, now);
    return { ...spec, id, owner, createdAt: now, updatedAt: now };
  }

  async getRule(id: string): Promise<AlertRule | undefined> {
    const row = this.db.prepare(`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE id = ?`).get(id) as RuleRow | undefined;
    return row && ruleOf(row);
  }

  async listRules(): Promise<AlertRule[]> {
    return (this.db.prepare(`SELECT ${RULE_COLUMNS} FROM alert_rules ORDER BY created_at, id`).all() as RuleRow[]).map(ruleOf);
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
}

// Where alert rules are kept: their specs, owners and statuses (SQLite now; PostgreSQL later).
import type { AlertRule, RuleSpec, RuleStatus } from './rule.js';

export interface AlertRuleStore {
  createRule(spec: RuleSpec, owner: string, now: number): Promise<AlertRule>;
  getRule(id: string): Promise<AlertRule | undefined>;
  /** Every rule, in creation order. */
  listRules(): Promise<AlertRule[]>;
  /** Replaces a rule; one that is no longer a digest drops its collected digest items. */
  replaceRule(id: string, spec: RuleSpec, now: number): Promise<AlertRule | undefined>;
  /** Deletes a rule with its incidents and collected digest items. */
  deleteRule(id: string): Promise<boolean>;
  /** Records why a rule fires on nothing, or (undefined) that it evaluates again; `updatedAt` is left alone. */
  setRuleStatus(id: string, status: RuleStatus | undefined): Promise<void>;
}

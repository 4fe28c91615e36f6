// Retention rules: how long findings stay in the store (current version and history) and in the archive, by
// severity band and by the account's catalog group, tags or ID. Absent a rule and a default, findings are kept
// forever. One schema for the configuration's `retention` section and the API's PUT /api/v1/retention.
import { z } from 'zod';
import { SEVERITY_BANDS, type SeverityBand } from '../findings/severity.js';
import { ACCOUNT_ID_PATTERN, GROUP_NAME_PATTERN, parseTagString } from '../catalog/names.js';

/** At most a century; at least one day, so a version still reaches the archive before its finding can expire. */
const days = z.number().int().min(1).max(36_500);

export const RULE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const MAX_RETENTION_RULES = 100;

export const retentionRuleSchema = z
  .object({
    /** Names the rule in plans, metrics and the audit log. */
    name: z.string().regex(RULE_NAME_PATTERN, 'a rule name is 1 to 64 characters among A-Z a-z 0-9 _ . - (not starting with _ . -)'),
    /** Severity bands of the finding's current version; absent: every band. */
    bands: z.array(z.enum(SEVERITY_BANDS)).min(1).max(4).optional(),
    /** Catalog groups of the finding's account (accounts the catalog does not hold are in `unassigned`); absent: any. */
    groups: z.array(z.string().regex(GROUP_NAME_PATTERN, 'a group name is 1 to 64 characters among a-z 0-9 _ . -')).min(1).max(100).optional(),
    /** Account tags, `key=value` or `key` (the empty value); the account needs one of them. Absent: any. */
    tags: z.array(z.string().min(1).max(385)).min(1).max(100).optional(),
    /** Account IDs; absent: any. */
    accounts: z.array(z.string().regex(ACCOUNT_ID_PATTERN, 'account IDs are 12 digits')).min(1).max(1000).optional(),
    /** Days a finding stays in the store after Yagura last received a version of it; absent: this rule says nothing. */
    storeDays: days.optional(),
    /** Days an archived version stays in the archive after the day Yagura received it; absent: this rule says nothing. */
    archiveDays: days.optional(),
  })
  .strict()
  .refine((r) => r.storeDays !== undefined || r.archiveDays !== undefined, { message: 'a rule sets storeDays, archiveDays or both' });

export const retentionDefaultSchema = z
  .object({
    /** Days for findings no rule sets `storeDays` for; absent: forever. */
    storeDays: days.optional(),
    /** Days for archived versions no rule sets `archiveDays` for; absent: forever. */
    archiveDays: days.optional(),
  })
  .strict();

/** The policy's fields, shared by the API's schema and the configuration's `retention` section. */
export const retentionPolicyFields = {
  default: retentionDefaultSchema.default({}),
  /** Read top to bottom: for each of the store and the archive, the first matching rule that sets it decides. */
  rules: z.array(retentionRuleSchema).max(MAX_RETENTION_RULES).default([]),
};

/** Refuses two rules of one name (names compare without case). */
export function checkRuleNames(policy: { readonly rules: readonly RetentionRule[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  policy.rules.forEach((rule, i) => {
    const name = rule.name.toLowerCase();
    if (seen.has(name) || name === DEFAULT_RULE) ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `the rule name "${rule.name}" is already taken` });
    seen.add(name);
  });
}

export const retentionPolicySchema = z.object(retentionPolicyFields).strict().superRefine(checkRuleNames);

export type RetentionRule = z.infer<typeof retentionRuleSchema>;
export type RetentionPolicy = z.infer<typeof retentionPolicySchema>;

/** Which store or archive retention is being decided. */
export type RetentionScope = 'store' | 'archive';

/** What decides retention about one account (its catalog entry). */
export interface AccountFacts {
  readonly accountId: string;
  /** `unassigned` for an account the catalog does not hold. */
  readonly group: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The rule that decides, its name (`default` when none matched) and its days (undefined: forever). */
export interface RetentionDecision {
  readonly rule: string;
  readonly days: number | undefined;
}

/** The name plans and metrics give the global default. */
export const DEFAULT_RULE = 'default';

function hasTag(tags: Readonly<Record<string, string>>, tag: string): boolean {
  const [key, value] = parseTagString(tag);
  return Object.hasOwn(tags, key) && tags[key] === value;
}

/** Whether `rule` selects findings of `band` in `account` (its criteria are AND-ed; each list needs one match). */
export function ruleMatches(rule: RetentionRule, band: SeverityBand, account: AccountFacts): boolean {
  if (rule.bands !== undefined && !rule.bands.includes(band)) return false;
  if (rule.groups !== undefined && !rule.groups.includes(account.group)) return false;
  if (rule.accounts !== undefined && !rule.accounts.includes(account.accountId)) return false;
  if (rule.tags !== undefined && !rule.tags.some((t) => hasTag(account.tags, t))) return false;
  return true;
}

/**
 * How long findings of `band` in `account` are kept in the store or the archive: the first rule, in order, that
 * matches and sets that scope's days; else the default's; else forever. Deterministic: only the policy's order counts.
 */
export function decideRetention(policy: RetentionPolicy, scope: RetentionScope, band: SeverityBand, account: AccountFacts): RetentionDecision {
  for (const rule of policy.rules) {
    const ruleDays = scope === 'store' ? rule.storeDays : rule.archiveDays;
    if (ruleDays !== undefined && ruleMatches(rule, band, account)) return { rule: rule.name, days: ruleDays };
  }
  return { rule: DEFAULT_RULE, days: scope === 'store' ? policy.default.storeDays : policy.default.archiveDays };
}

/** A policy that removes nothing. */
export const KEEP_FOREVER: RetentionPolicy = Object.freeze({ default: {}, rules: [] });

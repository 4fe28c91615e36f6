// Alert rules: what to watch (KQL, band, scope), how to group, when to fire, and where to route.
import { z } from 'zod';
import { SEVERITY_BANDS } from '../findings/severity.js';

const ids = z.array(z.string().min(1).max(256)).max(1000);

export const triggerSchema = z.discriminatedUnion('kind', [
  /** Every matching new finding (and every finding that newly matches), once per incident. */
  z.object({ kind: z.literal('new') }).strict(),
  /** A finding whose band rose above the band of the version it replaced. */
  z.object({ kind: z.literal('escalation') }).strict(),
  /** A finding whose `service.count` reached `threshold` (crossing, not every version above it). */
  z.object({ kind: z.literal('count'), threshold: z.number().int().min(1).max(1_000_000_000) }).strict(),
  /** A periodic summary of what matched, on a cron schedule in a time zone (e.g. "0 9 * * *", "Europe/Paris"). */
  z.object({ kind: z.literal('digest'), schedule: z.string().min(1).max(100), timezone: z.string().min(1).max(64).default('UTC') }).strict(),
]);
export type Trigger = z.infer<typeof triggerSchema>;

export const routeSchema = z
  .object({
    destination: z.string().min(1).max(64),
    /** Only findings of these account IDs; all three matchers empty or absent means every account. */
    accounts: ids.optional(),
    /** Only accounts with these names (from the `accounts` configuration section). */
    accountNames: ids.optional(),
    /** Only accounts carrying one of these tags (from the `accounts` configuration section). */
    accountTags: ids.optional(),
  })
  .strict();
export type Route = z.infer<typeof routeSchema>;

export const GROUP_BY = ['finding', 'type', 'resource', 'account'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

export const ruleSpecSchema = z
  .object({
    name: z.string().min(1).max(200),
    enabled: z.boolean().default(true),
    /** KQL over findings; empty matches everything. */
    query: z.string().max(10_000).default(''),
    minBand: z.enum(SEVERITY_BANDS).default('Low'),
    accounts: ids.optional(),
    regions: ids.optional(),
    groupBy: z.enum(GROUP_BY).default('finding'),
    trigger: triggerSchema,
    /** An incident absorbs further matches for this long after its last alert (escalation still alerts). */
    throttleSeconds: z.number().int().min(0).max(30 * 86_400).default(3600),
    includeSample: z.boolean().default(false),
    includeArchived: z.boolean().default(false),
    routes: z.array(routeSchema).min(1).max(50),
  })
  .strict();
export type RuleSpec = z.infer<typeof ruleSpecSchema>;

/** Why a rule fires on nothing; absent while it evaluates normally. */
export interface RuleStatus {
  readonly state: 'suspended';
  readonly reason: string;
}

export interface AlertRule extends RuleSpec {
  readonly id: string;
  /**
   * ARN of the principal that created the rule: the rule fires only on findings this principal may read
   * (`yagura:GetFinding`) when it is evaluated. Set at creation and never changed.
   */
  readonly owner: string;
  readonly status?: RuleStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
}

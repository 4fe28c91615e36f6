// Retention as the API and the passes see it: the policy in effect (the one put through the API, else the
// configuration's) and legal holds, checked before they are kept.
import { randomUUID } from 'node:crypto';
import { ACCOUNT_ID_PATTERN } from '../catalog/names.js';
import { validateQuery } from '../query/validate.js';
import { RetentionError } from './retention-error.js';
import { retentionPolicySchema, type RetentionPolicy } from './retention-policy.js';
import type { HoldTarget, LegalHold, RetentionStore } from './retention-store.js';

/** Holds in force at once: each one's query is evaluated, AND-ed out, by every batch of a pass. */
export const MAX_ACTIVE_HOLDS = 200;
export const MAX_HOLD_REASON_LENGTH = 1000;

/** The policy in effect and where it comes from. */
export interface PolicyInEffect {
  readonly source: 'configuration' | 'api';
  readonly policy: RetentionPolicy;
  readonly updatedBy?: string;
  readonly updatedAt?: number;
}

export class Retention {
  constructor(
    private readonly store: RetentionStore,
    /** The configuration's `default` and `rules`. */
    private readonly configured: RetentionPolicy,
  ) {}

  async policy(): Promise<PolicyInEffect> {
    const stored = await this.store.getPolicy();
    if (stored === undefined) return { source: 'configuration', policy: this.configured };
    return { source: 'api', policy: stored.policy, updatedBy: stored.updatedBy, updatedAt: stored.updatedAt };
  }

  /** Validates and keeps `input` as the policy in effect; INVALID_RETENTION_POLICY names the first problem. */
  async putPolicy(input: unknown, actor: string, now: number): Promise<PolicyInEffect> {
    const parsed = retentionPolicySchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      throw new RetentionError('INVALID_RETENTION_POLICY', `${where}${issue?.message ?? 'the policy is not valid'}`);
    }
    const stored = await this.store.putPolicy(parsed.data, actor, now);
    return { source: 'api', policy: stored.policy, updatedBy: stored.updatedBy, updatedAt: stored.updatedAt };
  }

  /** A hold on the findings a KQL query selects or on an account; INVALID_LEGAL_HOLD for a bad query, account or reason. */
  async createHold(input: { readonly query?: unknown; readonly accountId?: unknown; readonly reason?: unknown }, actor: string, now: number): Promise<LegalHold> {
    const target = holdTarget(input);
    if (typeof input.reason !== 'string' || input.reason.trim() === '' || input.reason.length > MAX_HOLD_REASON_LENGTH) {
      throw new RetentionError('INVALID_LEGAL_HOLD', `a legal hold needs a reason of 1 to ${MAX_HOLD_REASON_LENGTH} characters`);
    }
    if ((await this.store.countActiveHolds()) >= MAX_ACTIVE_HOLDS) {
      throw new RetentionError('TOO_MANY_LEGAL_HOLDS', `at most ${MAX_ACTIVE_HOLDS} legal holds can be in force at once; lift one or widen an existing hold`);
    }
    return this.store.createHold({ id: `lh-${randomUUID()}`, target, reason: input.reason, createdBy: actor, createdAt: now });
  }

  listHolds(includeLifted: boolean): Promise<LegalHold[]> {
    return this.store.listHolds({ includeLifted });
  }

  async getHold(id: string): Promise<LegalHold> {
    const hold = await this.store.getHold(id);
    if (hold === undefined) throw new RetentionError('LEGAL_HOLD_NOT_FOUND', `there is no legal hold ${JSON.stringify(id.slice(0, 80))}`);
    return hold;
  }

  /** Lifts a hold: the findings it kept are removed by the next pass if their retention has passed. */
  async liftHold(id: string, actor: string, now: number): Promise<LegalHold> {
    const hold = await this.store.liftHold(id, actor, now);
    if (hold === undefined) throw new RetentionError('LEGAL_HOLD_NOT_FOUND', `there is no legal hold ${JSON.stringify(id.slice(0, 80))}`);
    return hold;
  }

  /** The holds in force. */
  activeHolds(): Promise<LegalHold[]> {
    return this.store.listHolds({ includeLifted: false });
  }
}

function holdTarget(input: { readonly query?: unknown; readonly accountId?: unknown }): HoldTarget {
  const hasQuery = input.query !== undefined;
  const hasAccount = input.accountId !== undefined;
  if (hasQuery === hasAccount) throw new RetentionError('INVALID_LEGAL_HOLD', 'a legal hold names either a KQL query or an accountId, not both');
  if (hasAccount) {
    if (typeof input.accountId !== 'string' || !ACCOUNT_ID_PATTERN.test(input.accountId)) {
      throw new RetentionError('INVALID_LEGAL_HOLD', 'accountId must be 12 digits');
    }
    return { accountId: input.accountId };
  }
  if (typeof input.query !== 'string' || input.query.trim() === '') {
    throw new RetentionError('INVALID_LEGAL_HOLD', 'query must be a KQL query that selects some findings (an empty query would hold everything: hold by account instead, or change the policy)');
  }
  try {
    validateQuery(input.query);
  } catch (error) {
    throw new RetentionError('INVALID_LEGAL_HOLD', `the hold's query is not valid: ${(error as Error).message}`);
  }
  return { query: input.query };
}

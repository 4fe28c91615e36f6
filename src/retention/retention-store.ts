// Where retention keeps its state: the policy set through the API and legal holds (active and lifted).
import type { RetentionPolicy } from './retention-policy.js';

export interface StoredRetentionPolicy {
  readonly policy: RetentionPolicy;
  /** The principal's ARN that set it. */
  readonly updatedBy: string;
  readonly updatedAt: number;
}

/** What a legal hold keeps: the findings a KQL query selects, or every finding of an account. */
export type HoldTarget = { readonly query: string; readonly accountId?: undefined } | { readonly accountId: string; readonly query?: undefined };

export type LegalHold = HoldTarget & {
  readonly id: string;
  readonly reason: string;
  readonly createdBy: string;
  readonly createdAt: number;
  /** Set once the hold is lifted; a lifted hold keeps nothing and stays listed for the record. */
  readonly liftedBy?: string;
  readonly liftedAt?: number;
};

export interface NewLegalHold {
  readonly id: string;
  readonly target: HoldTarget;
  readonly reason: string;
  readonly createdBy: string;
  readonly createdAt: number;
}

export interface RetentionStore {
  /** The policy set through the API; undefined while none was (the configuration's applies). */
  getPolicy(): Promise<StoredRetentionPolicy | undefined>;
  putPolicy(policy: RetentionPolicy, updatedBy: string, now: number): Promise<StoredRetentionPolicy>;

  createHold(hold: NewLegalHold): Promise<LegalHold>;
  getHold(id: string): Promise<LegalHold | undefined>;
  /** Active holds, oldest first; with `includeLifted`, lifted ones too. */
  listHolds(options: { readonly includeLifted: boolean }): Promise<LegalHold[]>;
  /** Number of holds not lifted. */
  countActiveHolds(): Promise<number>;
  /** Lifts an active hold; undefined when there is no such hold. A hold already lifted is answered unchanged. */
  liftHold(id: string, liftedBy: string, now: number): Promise<LegalHold | undefined>;
}

/** A stored row of a hold, as both backends read it. */
export interface HoldRow {
  readonly id: string;
  readonly query: string | null;
  readonly account_id: string | null;
  readonly reason: string;
  readonly created_by: string;
  readonly created_at: number | string;
  readonly lifted_by: string | null;
  readonly lifted_at: number | string | null;
}

/** A hold from its row (PostgreSQL's bigints arrive as strings). */
export function holdFromRow(row: HoldRow): LegalHold {
  const target: HoldTarget = row.query !== null ? { query: row.query } : { accountId: row.account_id ?? '' };
  return {
    ...target,
    id: row.id,
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
    ...(row.lifted_at !== null && { liftedAt: Number(row.lifted_at), liftedBy: row.lifted_by ?? '' }),
  };
}

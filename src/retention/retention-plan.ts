// What the next retention pass would remove, per rule, for the store and the archive, without removing anything.

/** What a pass of one scope would remove, or removed, under one rule. */
export interface RulePlan {
  readonly rule: string;
  /** Undefined: kept forever. */
  readonly days: number | undefined;
  /** Findings (store) or archived versions (archive) past their retention and not held: what the pass removes. */
  readonly remove: number;
  /** Past their retention but kept by a legal hold. */
  readonly held: number;
  /** Epoch ms of the oldest finding's updatedAt (store) or archive day (archive) the rule keeps; absent when none. */
  readonly oldestKept?: number;
}

export interface RetentionPlan {
  /** The instant the plan was made for (cutoffs are counted back from it). */
  readonly at: number;
  readonly store: readonly RulePlan[];
  readonly archive: readonly RulePlan[];
}

export interface RetentionPlanner {
  plan(now: number): Promise<RetentionPlan>;
}

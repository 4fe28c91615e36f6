// What alerting needs to know about a rule's owner: the findings it may read now, or why it may read none.
import type { BoundNode } from '../query/bound.js';

export type OwnerScope = { readonly ok: true; readonly scope: BoundNode } | { readonly ok: false; readonly reason: string };

/** The findings the principal `owner` (an ARN) may read at `now`; consulted at every evaluation. */
export type RuleOwners = (owner: string, now: number) => Promise<OwnerScope>;

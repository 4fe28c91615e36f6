// The findings a principal named by its ARN may read now, for work done on its behalf without a request (an alert
// rule evaluated for its owner): its current policies, compiled into a scope, or why it has none.
import type { BoundNode } from '../../query/bound.js';
import type { RequestContext } from '../policy/document.js';
import type { Principal } from '../principals/principal.js';
import type { PrincipalResolver } from '../principals/resolver.js';
import { compileFindingScope, ScopeError } from './compile-scope.js';

export type OwnerScope = { readonly ok: true; readonly scope: BoundNode } | { readonly ok: false; readonly reason: string };

/** The request-independent condition keys: no source address or transport, as there is no request. */
function ownerContext(principal: Principal, now: number): RequestContext {
  const context: Record<string, string | boolean> = {
    'aws:CurrentTime': new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now / 1000)),
    'aws:PrincipalArn': principal.arn,
    'aws:userid': principal.name,
  };
  if (principal.username !== undefined) context['aws:username'] = principal.username;
  for (const [key, value] of Object.entries(principal.tags)) context[`aws:PrincipalTag/${key}`] = value;
  return context;
}

export interface OwnerScopeOptions {
  readonly resolver: Pick<PrincipalResolver, 'byArn'>;
  /** A `yagura:…` action on findings. */
  readonly action: string;
  /** Catalog accounts with their tags, for `aws:ResourceTag/…`. */
  readonly accountTags: () => ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/**
 * Resolved afresh on every call (the resolver's cache follows the principal store's generation), so a policy
 * change or a removal applies at the next call. Never answers a wider scope for lack of one: a missing owner or a
 * policy the store query cannot express is `ok: false` with the reason.
 */
export async function ownerScope(options: OwnerScopeOptions, owner: string, now: number): Promise<OwnerScope> {
  const principal = await options.resolver.byArn(owner);
  if (principal === undefined) return { ok: false, reason: `the rule's owner ${owner} no longer exists` };
  try {
    const scope = compileFindingScope({ policies: principal.policies, action: options.action, context: ownerContext(principal, now), accountTags: options.accountTags() });
    return { ok: true, scope };
  } catch (error) {
    if (error instanceof ScopeError) return { ok: false, reason: `the policies of the rule's owner ${owner} cannot be enforced on findings: ${error.message}` };
    throw error;
  }
}

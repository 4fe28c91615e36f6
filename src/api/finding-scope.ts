// What part of the findings a request may touch: the caller's policies compiled, for the route's action, into a
// condition every store read of the route ANDs in (search, counts, aggregations, one finding, the stream, archiving).
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ActionDefinition } from '../auth/actions.js';
import type { Principal } from '../auth/principals/principal.js';
import { cachedFindingScope, ScopeError } from '../auth/finding-scope/compile-scope.js';
import type { QueryNode } from '../query/ast.js';
import { bindQuery } from '../query/bind.js';
import type { BoundNode, BoundQuery } from '../query/bound.js';
import { andScope } from '../query/scope.js';
import { ApiError } from './api-error.js';
import { requestContext } from './request-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authorization hook on every route that reads or writes findings. */
    findingScope?: BoundNode;
    /**
     * The scope as the request's credentials and policies give it now (undefined once they no longer allow the
     * action), for requests that outlive a policy change: the live stream.
     */
    currentFindingScope?: () => Promise<BoundNode | undefined>;
  }
}

/** Catalog tags of the accounts, for `aws:ResourceTag/…` conditions; an account not listed has none. */
export type AccountTags = () => ReadonlyMap<string, Readonly<Record<string, string>>>;

const NO_TAGS: ReadonlyMap<string, Readonly<Record<string, string>>> = new Map();
export const NO_ACCOUNT_TAGS: AccountTags = () => NO_TAGS;

function selectsNothing(node: BoundNode): boolean {
  return node.kind === 'in' && node.values.length === 0;
}

/**
 * The findings `action` may touch for this request's principal. 403 ACCESS_DENIED when the policies allow the action
 * on no finding at all; 403 POLICY_NOT_ENFORCEABLE when they say something the store query cannot express exactly
 * (answering approximately could show a finding the policy forbids).
 */
export function findingScope(request: FastifyRequest, action: ActionDefinition, now: number, accountTags: AccountTags): BoundNode {
  const principal = request.principal;
  if (principal === undefined) throw new ApiError(401, 'UNAUTHENTICATED', 'this API needs an API key in "Authorization: Bearer <key>" or "X-Api-Key: <key>"');
  return scopeFor(request, principal, action, now, accountTags);
}

function scopeFor(request: FastifyRequest, principal: Principal, action: ActionDefinition, now: number, accountTags: AccountTags): BoundNode {
  let scope: BoundNode;
  try {
    scope = cachedFindingScope({ policies: principal.policies, sessionPolicies: principal.sessionPolicies, action: action.name, context: requestContext(request, principal, now), accountTags: accountTags() });
  } catch (error) {
    if (error instanceof ScopeError) throw new ApiError(403, 'POLICY_NOT_ENFORCEABLE', `${action.name} cannot be enforced for this principal: ${error.message}`);
    throw error;
  }
  if (selectsNothing(scope)) throw new ApiError(403, 'ACCESS_DENIED', `this principal is not allowed to perform ${action.name} on any finding`);
  return scope;
}

/** Sets the request's scope for `action`, and how to recompute it later from its credentials as they are then. */
export function setFindingScope(request: FastifyRequest, action: ActionDefinition, now: () => number, accountTags: AccountTags): void {
  request.findingScope = findingScope(request, action, now(), accountTags);
  request.currentFindingScope = async () => {
    const principal = await request.reauthenticate?.();
    if (principal === undefined) return undefined;
    try {
      return scopeFor(request, principal, action, now(), accountTags);
    } catch {
      return undefined;
    }
  };
}

/** The scope the authorization hook set; a finding route without one is a wiring error, never "everything". */
export function scopeOf(request: FastifyRequest): BoundNode {
  const scope = request.findingScope;
  if (scope === undefined) throw new Error(`${request.method} ${request.routeOptions.url ?? request.url} reads findings but has no finding scope`);
  return scope;
}

const fingerprints = new WeakMap<BoundNode, string>();

/**
 * A digest of the scope, for binding cursors to it: computed once per scope object (a caller's scope stays one
 * object until its policies or the catalog change), not per request.
 */
export function scopeFingerprint(scope: BoundNode): string {
  let digest = fingerprints.get(scope);
  if (digest === undefined) fingerprints.set(scope, (digest = createHash('sha256').update(JSON.stringify(scope)).digest('base64url')));
  return digest;
}

/** A user's query bound (relative times against `now`) and restricted to the request's scope. */
export function scopedQuery(request: FastifyRequest, query: QueryNode, now: number): BoundQuery {
  return andScope(bindQuery(query, { now }), scopeOf(request));
}

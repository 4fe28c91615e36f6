// What part of the findings a request may read: the caller's identity policies compiled into a condition on the
// store query (a bound query node), which routes AND into every read. A policy the store query cannot express
// exactly is refused with 403 POLICY_NOT_ENFORCEABLE rather than answered approximately.
import type { FastifyRequest } from 'fastify';
import type { ActionDefinition } from '../auth/actions.js';
import { compileFindingScope, ScopeError } from '../auth/finding-scope/compile-scope.js';
import type { RequestContext } from '../auth/policy/document.js';
import type { BoundNode } from '../query/bound.js';
import { ApiError } from './api-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authorization hook on routes that read findings. */
    findingScope?: FindingScope;
  }
}

export type FindingScope = BoundNode;

/** Catalog tags are not known here yet: an account has none. */
const NO_TAGS: ReadonlyMap<string, Readonly<Record<string, string>>> = new Map();

/** The findings `action` may touch for this request's principal. */
export function findingScope(request: FastifyRequest, action: ActionDefinition, context: RequestContext): FindingScope {
  const principal = request.principal;
  if (principal === undefined) throw new ApiError(401, 'UNAUTHENTICATED', 'this API needs an API key in "Authorization: Bearer <key>" or "X-Api-Key: <key>"');
  try {
    return compileFindingScope({ policies: principal.policies, action: action.name, context, accountTags: NO_TAGS });
  } catch (error) {
    if (error instanceof ScopeError) throw new ApiError(403, 'POLICY_NOT_ENFORCEABLE', `${action.name}: ${error.message}`);
    throw error;
  }
}

// Authorizes every API request against the action its route needs (route-permissions.ts) with the policy engine.
// Resources are ARNs built from the route's parameters; list and create actions, which name no single resource,
// are evaluated on the collection ARN (`arn:yagura:iam:::user/*`), so a grant on one named resource does not
// cover them while `*` or `…:user/*` does. Catalog routes authorize in their handlers (src/api/routes/catalog.ts):
// an account's ARN names its group, listings are filtered item by item, and the catalog's resource policy counts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ActionDefinition, ResourceType } from '../auth/actions.js';
import { evaluate } from '../auth/policy/evaluate.js';
import type { Policy, RequestContext } from '../auth/policy/document.js';
import { policySetOf, type Principal } from '../auth/principals/principal.js';
import { ApiError } from './api-error.js';
import { NO_ACCOUNT_TAGS, setFindingScope, type AccountTags } from './finding-scope.js';
import { principalArn, requestContext } from './request-context.js';
import { permissionOf } from './route-permissions.js';
import { routePath } from './route-path.js';

type CatalogResource = 'catalog' | 'catalog-group' | 'catalog-account';

/** Resource types whose routes call `authorize` themselves, with the catalog's resource policy. */
export function isCatalogResource(type: ResourceType): type is CatalogResource {
  return type === 'catalog' || type === 'catalog-group' || type === 'catalog-account';
}

const ARN_PREFIX: Readonly<Record<Exclude<ResourceType, 'finding' | 'service' | CatalogResource>, string>> = {
  'alert-rule': 'arn:yagura:alerts:::rule/',
  'alert-destination': 'arn:yagura:alerts:::destination/',
  'alert-delivery': 'arn:yagura:alerts:::delivery/',
  user: 'arn:yagura:iam:::user/',
  group: 'arn:yagura:iam:::group/',
  role: 'arn:yagura:iam:::role/',
  policy: 'arn:yagura:iam:::policy/',
  key: 'arn:yagura:iam:::key/',
  'role-session': 'arn:yagura:sts:::session/',
  'legal-hold': 'arn:yagura:retention:::legal-hold/',
};

/** The resource an action acts on, from the route's `:id` or `:name` parameter, or the collection. */
export function resourceArn(type: ResourceType, params: unknown): string {
  if (type === 'service' || type === 'finding' || isCatalogResource(type)) return '*';
  const p = (params ?? {}) as Record<string, unknown>;
  const id = typeof p.id === 'string' ? p.id : typeof p.name === 'string' ? p.name : '*';
  return `${ARN_PREFIX[type]}${id}`;
}

/** What a check adds to the principal's identity policies: the resource's policy and its own condition keys. */
export interface ResourceOptions {
  readonly resourcePolicy?: Policy | undefined;
  /** `aws:ResourceTag/…`, `aws:ResourceAccount`… of this resource. */
  readonly context?: RequestContext;
}

/** Whether the principal's identity policies (and the resource's policy, if any) allow `action` on `resource`. */
export function isAllowed(request: FastifyRequest, action: ActionDefinition, resource: string, now: number, options: ResourceOptions = {}): boolean {
  const principal = request.principal;
  if (principal === undefined) throw new ApiError(401, 'UNAUTHENTICATED', 'this API needs an API key in "Authorization: Bearer <key>" or "X-Api-Key: <key>"');
  const context = { ...requestContext(request, principal, now), ...options.context };
  return evaluate(policySetOf(principal, options.resourcePolicy), { principal: principal.arn, action: action.name, resource, context }).decision === 'allowed';
}

/** The condition key naming the principal that owns a resource (an alert rule's owner). */
export const RESOURCE_OWNER = 'yagura:ResourceOwner';

/**
 * Authorizes `action` on a resource with an owner, read by the handler (`owner` undefined: there is no such
 * resource). Allowed with `yagura:ResourceOwner` set to its owner; otherwise refused exactly as the same request
 * about a resource that does not exist: `notFound` when the policies allow the action without an owner, 403
 * otherwise. So a refusal never tells whether a resource the caller may not see exists.
 */
export function requireOwned(request: FastifyRequest, action: ActionDefinition, resource: string, owner: string | undefined, now: number, notFound: () => Error): void {
  if (owner !== undefined && isAllowed(request, action, resource, now, { context: { [RESOURCE_OWNER]: owner } })) return;
  if (isAllowed(request, action, resource, now)) throw notFound();
  throw new ApiError(403, 'ACCESS_DENIED', `this principal is not allowed to perform ${action.name} on ${resource}`);
}

/** Whether the caller may `action` the resource owned by `owner` (filtered listings). */
export function allowsOwned(request: FastifyRequest, action: ActionDefinition, resource: string, owner: string, now: number): boolean {
  return isAllowed(request, action, resource, now, { context: { [RESOURCE_OWNER]: owner } });
}

/** Refuses with 403 ACCESS_DENIED unless the principal's policies allow `action` on `resource`. */
export function authorize(request: FastifyRequest, action: ActionDefinition, resource: string, now: number, options: ResourceOptions = {}): void {
  if (!isAllowed(request, action, resource, now, options)) throw new ApiError(403, 'ACCESS_DENIED', `this principal is not allowed to perform ${action.name} on ${resource}`);
}

export function registerAuthorization(app: FastifyInstance, now: () => number, accountTags: AccountTags = NO_ACCOUNT_TAGS): void {
  const check = (request: FastifyRequest): void => {
    const path = routePath(request);
    if (!path.startsWith('/api/')) return;
    // HEAD shares its GET's permission; leaving it out would let HEAD skip the check.
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    const permission = permissionOf(method, path);
    if (permission?.kind !== 'action') return;
    const action = permission.action;
    if (action.resource === 'finding') {
      setFindingScope(request, action, now, accountTags);
      return;
    }
    if (isCatalogResource(action.resource)) return;
    // A resource with an owner is authorized by its handler, which reads the owner (requireOwned).
    if (permission.owner !== 'resource') {
      const principal = request.principal;
      const context = permission.owner === 'caller' && principal !== undefined ? { [RESOURCE_OWNER]: principalArn(principal) } : undefined;
      authorize(request, action, resourceArn(action.resource, request.params), now(), context && { context });
    }
    if (permission.reads !== undefined) setFindingScope(request, permission.reads, now, accountTags);
  };
  // A signed request is authorized once its signature is verified, with its body (preValidation); others at once.
  app.addHook('onRequest', async (request) => {
    if (request.signature === undefined) check(request);
  });
  app.addHook('preValidation', async (request) => {
    if (request.signature !== undefined) check(request);
  });
}

// What the signed-in principal may do, for the dashboard to show only the menus and pages it can use.
import { policySetOf } from '../auth/principals/principal.js';
import type { FastifyRequest } from 'fastify';
import { ACTIONS, type ActionDefinition } from '../auth/actions.js';
import { evaluate } from '../auth/policy/evaluate.js';
import type { Catalog } from '../catalog/catalog.js';
import { CATALOG_ARN } from '../catalog/names.js';
import { ApiError } from './api-error.js';
import { isCatalogResource, resourceArn } from './authorize.js';
import { findingScope, NO_ACCOUNT_TAGS } from './finding-scope.js';
import { requestContext } from './request-context.js';
import { CatalogAccess } from './routes/catalog/catalog-access.js';

/** The actions the dashboard's menus and pages depend on. */
export const DASHBOARD_ACTIONS: readonly string[] = [
  'yagura:ListUsers',
  'yagura:ListGroups',
  'yagura:ListRoles',
  'yagura:ListPolicies',
  'yagura:ListKeys',
  'yagura:GetCatalogGroups',
  'yagura:SearchAuditLog',
  'yagura:SimulatePolicy',
  'yagura:SearchFindings',
  'yagura:AggregateFindings',
  'yagura:GetFinding',
  'yagura:StreamFindings',
];

const BY_NAME: ReadonlyMap<string, ActionDefinition> = new Map(Object.values(ACTIONS).map((a) => [a.name, a]));

/**
 * Each dashboard action → whether the caller may use it, decided as the authorization hook decides a request:
 * the policy engine on the collection ARN for administration actions (for catalog actions, on the catalog with its
 * resource policy, as the catalog routes decide); for finding actions, whether the compiled finding scope (with the
 * catalog's tags) selects anything; what it selects is enforced by every finding route. A policy the scope
 * compiler cannot enforce counts as allowed here, so the page opens and the API's own refusal explains why.
 * An action this server does not define is `false`.
 */
export function dashboardPermissions(request: FastifyRequest, catalog: Catalog | undefined, now: number): Record<string, boolean> {
  const principal = request.principal;
  const result: Record<string, boolean> = {};
  for (const name of DASHBOARD_ACTIONS) {
    const action = BY_NAME.get(name);
    if (principal === undefined || action === undefined) {
      result[name] = false;
      continue;
    }
    const context = requestContext(request, principal, now);
    if (action.resource === 'finding') {
      // The scope the finding routes would apply, with the catalog's tags: refused only when it selects nothing.
      try {
        findingScope(request, action, now, catalog ? () => catalog.accountTags() : NO_ACCOUNT_TAGS);
        result[name] = true;
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 403) throw e;
        result[name] = e.code !== 'ACCESS_DENIED';
      }
      continue;
    }
    if (isCatalogResource(action.resource)) {
      result[name] = catalog !== undefined && new CatalogAccess(request, catalog, now).allows(action, CATALOG_ARN);
      continue;
    }
    const decision = evaluate(policySetOf(principal), { principal: principal.arn, action: name, resource: resourceArn(action.resource, {}), context }).decision;
    result[name] = decision === 'allowed';
  }
  return result;
}

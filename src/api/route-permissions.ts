// What every route needs: the one table of routes and their actions. A route missing here cannot be registered.
import type { FastifyInstance } from 'fastify';
import { ACTIONS, type ActionDefinition } from '../auth/actions.js';

/**
 * - `public`: no credential (health, login, the dashboard's files).
 * - `authenticated`: any valid credential, no action (the caller's own session, the API description).
 * - an action: the caller's policies must allow it on the route's resource.
 */
export type RoutePermission =
  | { readonly kind: 'public' }
  | { readonly kind: 'authenticated' }
  | {
      readonly kind: 'action';
      readonly action: ActionDefinition;
      /** A route whose own action is not on findings but which shows findings too, within this action's scope. */
      readonly reads?: ActionDefinition;
      /**
       * Resources with an owner (alert rules), tested by `yagura:ResourceOwner`: `caller` when the route makes (or
       * tries out) a resource the caller will own; `resource` when the handler authorizes once it has read the
       * resource's owner (`requireOwned` in authorize.ts).
       */
      readonly owner?: 'caller' | 'resource';
    };

const PUBLIC: RoutePermission = { kind: 'public' };
const AUTHENTICATED: RoutePermission = { kind: 'authenticated' };
const act = (action: ActionDefinition, reads?: ActionDefinition): RoutePermission => ({ kind: 'action', action, ...(reads && { reads }) });
const owned = (action: ActionDefinition, owner: 'caller' | 'resource', reads?: ActionDefinition): RoutePermission => ({ kind: 'action', action, owner, ...(reads && { reads }) });

/** `METHOD /pattern` as Fastify registers it. */
export const ROUTE_PERMISSIONS: Readonly<Record<string, RoutePermission>> = {
  'GET /health': PUBLIC,
  'GET /metrics': act(ACTIONS.GetMetrics),
  'GET /api/v1/openapi.json': AUTHENTICATED,
  'POST /api/v1/sessions': PUBLIC,
  'GET /api/v1/sessions/current': AUTHENTICATED,
  'DELETE /api/v1/sessions/current': AUTHENTICATED,
  // Federated dashboard sign-in: which methods exist, and the OpenID Connect redirect flow.
  'GET /api/v1/sessions/methods': PUBLIC,
  'GET /api/v1/sessions/oidc/:provider': PUBLIC,
  'GET /api/v1/sessions/oidc/callback': PUBLIC,
  'GET /api/v1/role-sessions': act(ACTIONS.ListRoleSessions),
  'DELETE /api/v1/role-sessions/:id': act(ACTIONS.RevokeRoleSession),
  'GET /api/v1/federation/ldap/role-map': act(ACTIONS.GetDirectoryRoleMap),
  'PUT /api/v1/federation/ldap/role-map': act(ACTIONS.PutDirectoryRoleMap),
  'GET /api/v1/rate-limits/blocks': act(ACTIONS.GetRateLimitBlocks),
  'GET /api/v1/retention': act(ACTIONS.GetRetentionPolicy),
  'PUT /api/v1/retention': act(ACTIONS.PutRetentionPolicy),
  'GET /api/v1/retention/plan': act(ACTIONS.GetRetentionPlan),
  'GET /api/v1/retention/holds': act(ACTIONS.ListLegalHolds),
  'POST /api/v1/retention/holds': act(ACTIONS.CreateLegalHold),
  'GET /api/v1/retention/holds/:id': act(ACTIONS.ListLegalHolds),
  'POST /api/v1/retention/holds/:id/lift': act(ACTIONS.LiftLegalHold),
  'POST /api/v1/policies/simulate': act(ACTIONS.SimulatePolicy),

  'POST /api/v1/events': act(ACTIONS.IngestFindings),
  'GET /api/v1/sources': act(ACTIONS.ListSources),
  'GET /api/v1/findings': act(ACTIONS.SearchFindings),
  'GET /api/v1/findings/export': act(ACTIONS.ExportFindings),
  'GET /api/v1/findings/:accountId/:region/:id': act(ACTIONS.GetFinding),
  'POST /api/v1/findings/:accountId/:region/:id/archive': act(ACTIONS.ArchiveFindings),
  'POST /api/v1/findings/:accountId/:region/:id/unarchive': act(ACTIONS.UnarchiveFindings),
  'POST /api/v1/erasures': act(ACTIONS.EraseFindings),
  'GET /api/v1/erasures/:id': act(ACTIONS.EraseFindings),
  'POST /api/v1/aggregate': act(ACTIONS.AggregateFindings),
  'GET /api/v1/stream': act(ACTIONS.StreamFindings),

  'GET /api/v1/alert-rules': act(ACTIONS.ListAlertRules),
  'POST /api/v1/alert-rules': owned(ACTIONS.PutAlertRule, 'caller'),
  'POST /api/v1/alert-rules/dry-run': owned(ACTIONS.DryRunAlertRule, 'caller', ACTIONS.SearchFindings),
  'GET /api/v1/alert-rules/:id': owned(ACTIONS.GetAlertRule, 'resource'),
  'PUT /api/v1/alert-rules/:id': owned(ACTIONS.PutAlertRule, 'resource'),
  'DELETE /api/v1/alert-rules/:id': owned(ACTIONS.DeleteAlertRule, 'resource'),
  'POST /api/v1/alert-rules/:id/dry-run': owned(ACTIONS.DryRunAlertRule, 'resource', ACTIONS.SearchFindings),

  'GET /api/v1/destinations': act(ACTIONS.ListAlertDestinations),
  'POST /api/v1/destinations': act(ACTIONS.PutAlertDestination),
  'GET /api/v1/destinations/:id': act(ACTIONS.GetAlertDestination),
  'PUT /api/v1/destinations/:id': act(ACTIONS.PutAlertDestination),
  'DELETE /api/v1/destinations/:id': act(ACTIONS.DeleteAlertDestination),
  'POST /api/v1/destinations/:id/test': act(ACTIONS.TestAlertDestination),

  // The delivery log shows only deliveries about findings the caller may read.
  'GET /api/v1/deliveries': act(ACTIONS.ListAlertDeliveries, ACTIONS.GetFinding),
  'POST /api/v1/deliveries': act(ACTIONS.SendAlert, ACTIONS.GetFinding),
  'GET /api/v1/deliveries/:id': act(ACTIONS.GetAlertDelivery, ACTIONS.GetFinding),
  'DELETE /api/v1/deliveries/:id': act(ACTIONS.DeleteAlertDelivery, ACTIONS.GetFinding),
  'POST /api/v1/deliveries/:id/retry': act(ACTIONS.RetryAlertDelivery, ACTIONS.GetFinding),

  'GET /api/v1/users': act(ACTIONS.ListUsers),
  'POST /api/v1/users': act(ACTIONS.CreateUser),
  'GET /api/v1/users/:name': act(ACTIONS.GetUser),
  'PUT /api/v1/users/:name': act(ACTIONS.UpdateUser),
  'DELETE /api/v1/users/:name': act(ACTIONS.DeleteUser),
  'GET /api/v1/groups': act(ACTIONS.ListGroups),
  'POST /api/v1/groups': act(ACTIONS.CreateGroup),
  'GET /api/v1/groups/:name': act(ACTIONS.GetGroup),
  'PUT /api/v1/groups/:name': act(ACTIONS.UpdateGroup),
  'DELETE /api/v1/groups/:name': act(ACTIONS.DeleteGroup),
  'GET /api/v1/roles': act(ACTIONS.ListRoles),
  'POST /api/v1/roles': act(ACTIONS.CreateRole),
  'GET /api/v1/roles/:name': act(ACTIONS.GetRole),
  'PUT /api/v1/roles/:name': act(ACTIONS.UpdateRole),
  'DELETE /api/v1/roles/:name': act(ACTIONS.DeleteRole),
  'GET /api/v1/policies': act(ACTIONS.ListPolicies),
  'POST /api/v1/policies': act(ACTIONS.CreatePolicy),
  'GET /api/v1/policies/:name': act(ACTIONS.GetPolicy),
  'PUT /api/v1/policies/:name': act(ACTIONS.PutPolicy),
  'DELETE /api/v1/policies/:name': act(ACTIONS.DeletePolicy),
  'GET /api/v1/keys': act(ACTIONS.ListKeys),
  'POST /api/v1/keys': act(ACTIONS.CreateKey),
  'DELETE /api/v1/keys/:id': act(ACTIONS.DeleteKey),

  'GET /api/v1/catalog': act(ACTIONS.GetCatalog),
  'GET /api/v1/catalog/groups': act(ACTIONS.GetCatalogGroups),
  'GET /api/v1/catalog/groups/:name': act(ACTIONS.GetCatalogGroup),
  'PUT /api/v1/catalog/groups/:name': act(ACTIONS.PutCatalogGroup),
  'DELETE /api/v1/catalog/groups/:name': act(ACTIONS.DeleteCatalogGroup),
  'GET /api/v1/catalog/groups/:name/accounts': act(ACTIONS.GetCatalogAccounts),
  'GET /api/v1/catalog/accounts/:accountId': act(ACTIONS.GetCatalogAccount),
  'PUT /api/v1/catalog/accounts/:accountId': act(ACTIONS.PutCatalogAccount),
  'GET /api/v1/catalog/policy': act(ACTIONS.GetCatalogPolicy),
  'PUT /api/v1/catalog/policy': act(ACTIONS.PutCatalogPolicy),
  'DELETE /api/v1/catalog/policy': act(ACTIONS.DeleteCatalogPolicy),
  'GET /api/v1/audit': act(ACTIONS.SearchAuditLog),
};

/** Routes outside the API: the dashboard's pages and assets, which carry no data and need no credential. */
function isApi(url: string): boolean {
  return url.startsWith('/api/') || url === '/health' || url === '/metrics';
}

export function permissionOf(method: string, url: string): RoutePermission | undefined {
  return ROUTE_PERMISSIONS[`${method.toUpperCase()} ${url}`];
}

/**
 * Refuses to register an API route that the table does not name, so a new route cannot ship without deciding
 * who may call it. HEAD routes Fastify adds for GETs share their GET's entry.
 */
export function requireRoutePermissions(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!isApi(route.url)) return;
    for (const method of [route.method].flat()) {
      const m = method === 'HEAD' ? 'GET' : method;
      if (m === 'OPTIONS') continue;
      if (permissionOf(m, route.url) === undefined) {
        throw new Error(`route ${method} ${route.url} has no entry in ROUTE_PERMISSIONS (src/api/route-permissions.ts)`);
      }
    }
  });
}

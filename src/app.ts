// buildApp(deps): the HTTP application without listening, so tests drive it with inject().
import fastifyCookie from '@fastify/cookie';
import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { AuditLog } from './audit/audit-log.js';
import type { PrincipalStore } from './auth/principals/principal-store.js';
import type { Catalog } from './catalog/catalog.js';
import { PrincipalResolver } from './auth/principals/resolver.js';
import type { Sessions } from './auth/sessions.js';
import type { IngestPipeline } from './ingest/pipeline.js';
import type { Metrics } from './metrics/metrics.js';
import type { RateRules } from './protection/rate-rules.js';
import type { FindingStore } from './store/finding-store.js';
import { errorBody, toHttpError } from './api/api-error.js';
import { registerAuditLog } from './api/audit-hook.js';
import { registerAuthentication } from './api/authenticate.js';
import { registerBodyParsers } from './api/body-parsers.js';
import { CursorCodec } from './api/cursor.js';
import { aggregateRoutes } from './api/routes/aggregate.js';
import { auditRoutes } from './api/routes/audit.js';
import { archiveRoutes } from './api/routes/archive.js';
import { erasureRoutes } from './api/routes/erasures.js';
import type { ErasureService } from './erasure/erasure-service.js';
import { dashboardRoutes } from './api/routes/dashboard.js';
import { sessionRoutes } from './api/routes/sessions.js';
import { eventsRoutes } from './api/routes/events.js';
import { sourcesRoutes } from './api/routes/sources.js';
import { SourceSet } from './ingest/source-set.js';
import { exportRoutes } from './api/routes/export.js';
import { findingsRoutes } from './api/routes/findings.js';
import { healthRoutes, type ArchiveHealth } from './api/routes/health.js';
import { operationsRoutes } from './api/routes/operations.js';
import { streamRoutes } from './api/routes/stream.js';
import type { AlertService } from './alerts/alert-service.js';
import { alertRulesRoutes } from './api/routes/alert-rules.js';
import { deliveriesRoutes } from './api/routes/deliveries.js';
import { destinationsRoutes } from './api/routes/destinations.js';
import { openApiRoutes } from './api/routes/openapi.js';
import { policySimulatorRoutes } from './api/routes/policy-simulator.js';
import { registerRateLimits } from './api/rate-limit.js';
import { requireRoutePermissions } from './api/route-permissions.js';
import { RequestLogController } from './api/request-log.js';
import { registerAuthorization } from './api/authorize.js';
import { iamRoutes } from './api/routes/iam/iam-routes.js';
import { catalogRoutes } from './api/routes/catalog/catalog-routes.js';
import { federatedSignInRoutes } from './api/routes/federated-sign-in.js';
import type { OidcDashboard } from './auth/federation/oidc/oidc-federation.js';
import { roleSessionRoutes } from './api/routes/role-sessions.js';
import { roleMapRoutes } from './api/routes/role-map.js';
import { retentionRoutes } from './api/routes/retention.js';
import type { Retention } from './retention/retention.js';
import type { RetentionPlanner } from './retention/retention-plan.js';
import type { DirectoryRoleMap } from './auth/federation/role-map.js';
import { stsCaller } from './api/routes/sts/sts-caller.js';
import { stsRoutes } from './api/routes/sts/sts-routes.js';
import type { FederatedSignIn } from './auth/sts/federated-sign-in.js';
import type { RoleSessions } from './auth/sts/role-sessions.js';
import type { SigningKeys } from './auth/principals/signing-keys.js';
import type { SignInThrottle } from './protection/sign-in-throttle.js';

export interface AppDeps {
  readonly store: FindingStore;
  readonly pipeline: IngestPipeline;
  /** The sources the server runs (the push source at least); their health is served at /api/v1/sources. */
  readonly sources?: SourceSet;
  /** Users, groups, roles, managed policies and API keys. */
  readonly keys: PrincipalStore;
  /** The account catalog: groups, accounts, their tags and the catalog's resource policy. */
  readonly catalog: Catalog;
  /** Where every API call is recorded; without it nothing is recorded and the audit API is not served. */
  readonly audit?: AuditLog;
  /** Secret that signs page cursors; keep it stable across restarts so cursors survive them. */
  readonly cursorSecret: Buffer;
  readonly limits: { readonly maxBodyBytes: number; readonly maxItemsPerRequest: number; readonly maxPageSize: number };
  readonly logger?: FastifyServerOptions['logger'];
  readonly now?: () => number;
  readonly metrics?: Metrics;
  /** The archive's lag, reported by `/health` when too large. */
  readonly archiveHealth?: ArchiveHealth;
  readonly rateRules?: { readonly rules: RateRules; readonly windowSeconds: number };
  /** Told about every route as it is registered (the OpenAPI coverage test collects them). */
  readonly onRoute?: (route: { readonly method: string | readonly string[]; readonly url: string }) => void;
  /** Alerting (rules, destinations, deliveries); its routes are served when it is given. */
  readonly alerts?: AlertService;
  /** Retention: the policy, legal holds and the plan of the next pass; its routes are served when it is given. */
  readonly retention?: { readonly service: Retention; readonly planner: RetentionPlanner };
  /** Dashboard sessions (cookie login); without them only API keys authenticate. */
  readonly sessions?: Sessions;
  /** Temporary credentials (the STS endpoint, SigV4-signed requests) and federated sign-in (LDAP, OIDC). */
  readonly federation?: Federation;
  /** Erasure jobs; their routes are served when it is given. */
  readonly erasures?: ErasureService;
  /** Whether the store answers, for /health (a database server's reachability). */
  readonly storeHealth?: { check(): Promise<void> };
  /** Folder of the built dashboard (dist/web); without it `/` serves nothing. */
  readonly dashboardRoot?: string;
  /** Listener protections; tests leave them out. */
  readonly server?: {
    readonly https?: { readonly cert: Buffer; readonly key: Buffer };
    readonly requestTimeoutSeconds: number;
    readonly keepAliveTimeoutSeconds: number;
    readonly maxHeaderBytes: number;
    readonly maxEventLoopDelayMs: number;
  };
}

export interface Federation {
  readonly roleSessions: RoleSessions;
  /** SigV4 credentials of long-lived API keys. */
  readonly signingKeys: SigningKeys;
  /** Slows failed password sign-ins down per user name. */
  readonly throttle: SignInThrottle;
  readonly signIn: FederatedSignIn;
  readonly oidc?: OidcDashboard | undefined;
  readonly roleMap: DirectoryRoleMap;
  /** The region SigV4 credential scopes must name. */
  readonly sigv4Region: string;
  readonly publicUrl?: string | undefined;
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
};

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const server = deps.server;
  const app = Fastify({
    logger: deps.logger ?? false,
    logController: new RequestLogController(),
    bodyLimit: deps.limits.maxBodyBytes,
    // A slow-loris client cannot hold a connection past these, however slowly it sends.
    requestTimeout: (server?.requestTimeoutSeconds ?? 60) * 1000,
    connectionTimeout: (server?.requestTimeoutSeconds ?? 60) * 1000,
    keepAliveTimeout: (server?.keepAliveTimeoutSeconds ?? 10) * 1000,
    // Node checks header and request timeouts on this interval (30 s by default), so check every second.
    http: { maxHeaderSize: server?.maxHeaderBytes ?? 16 * 1024, connectionsCheckingInterval: 1000 },
    ...(server?.https && { https: { cert: server.https.cert, key: server.https.key } }),
    return503OnClosing: true,
    // Long parameters reach our validation, which names them, instead of the router's own 414.
    routerOptions: { maxParamLength: 4096 },
    // Malformed URLs (bad percent-escapes) get our error shape and headers, without echoing the URL.
    frameworkErrors: (_error, _request, reply) => {
      const r = reply as unknown as FastifyReply;
      r.code(400).headers(SECURITY_HEADERS).send(errorBody('INVALID_PARAMETER', 'the request URL is malformed (bad percent-encoding)'));
    },
  });
  requireRoutePermissions(app);
  if (deps.onRoute) {
    const told = deps.onRoute;
    app.addHook('onRoute', (route) => told(route));
  }
  if (server) {
    // Load shedding: when the event loop lags, refuse new work so that accepted work finishes.
    await app.register(underPressure, {
      maxEventLoopDelay: server.maxEventLoopDelayMs,
      retryAfter: 5,
      pressureHandler: (_request, reply) => {
        reply.code(503).header('retry-after', '5').send(errorBody('OVERLOADED', 'the server is overloaded and refuses new requests for now; retry in a few seconds'));
      },
    });
  }

  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!reply.hasHeader(name)) reply.header(name, value);
    }
    return payload;
  });
  app.setErrorHandler((error, request, reply) => {
    const mapped = toHttpError(error);
    if (mapped.internal) request.log.error({ err: error }, 'request failed');
    reply.code(mapped.status).headers(mapped.headers).send(mapped.body);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody('NOT_FOUND', `there is no ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`));
  });

  registerBodyParsers(app, deps.limits.maxBodyBytes);
  if (deps.rateRules) registerRateLimits(app, deps.rateRules.rules, deps.rateRules.windowSeconds, deps.metrics);
  await app.register(fastifyCookie);
  const now = deps.now ?? Date.now;
  // After the rate limits (their refusals are not recorded), before authentication (its refusals are).
  if (deps.audit) registerAuditLog(app, { audit: deps.audit, now });
  const resolver = new PrincipalResolver(deps.keys, now);
  const federation = deps.federation;
  const signed = federation && { roleSessions: federation.roleSessions, signingKeys: federation.signingKeys, region: federation.sigv4Region, now };
  registerAuthentication(app, resolver, deps.sessions, signed);
  registerAuthorization(app, now, () => deps.catalog.accountTags());
  await app.register(healthRoutes, { ...(deps.archiveHealth && { archive: deps.archiveHealth }), ...(deps.storeHealth && { store: deps.storeHealth }) });
  const sources = deps.sources ?? new SourceSet();
  const erasures = deps.erasures;
  await app.register(eventsRoutes, {
    pipeline: deps.pipeline,
    maxItemsPerRequest: deps.limits.maxItemsPerRequest,
    health: sources.http.recorder,
    ...(deps.metrics && { metrics: deps.metrics }),
    ...(erasures && { isErasedAccount: (accountId: string) => erasures.isErasedAccount(accountId) }),
  });
  await app.register(sourcesRoutes, { sources });
  if (deps.metrics) await app.register(operationsRoutes, { metrics: deps.metrics, resolver, now, ...(deps.rateRules && { rateRules: deps.rateRules.rules }) });
  await app.register(findingsRoutes, { store: deps.store, cursors: new CursorCodec(deps.cursorSecret), maxPageSize: deps.limits.maxPageSize, now });
  await app.register(exportRoutes, { store: deps.store, now });
  await app.register(aggregateRoutes, { store: deps.store, now });
  await app.register(streamRoutes, { store: deps.store, pipeline: deps.pipeline, securityHeaders: SECURITY_HEADERS });
  // Alerting.
  if (deps.alerts) {
    await app.register(destinationsRoutes, { alerts: deps.alerts });
    await app.register(alertRulesRoutes, { alerts: deps.alerts, now });
    await app.register(deliveriesRoutes, { alerts: deps.alerts });
  }
  await app.register(policySimulatorRoutes, { now });
  await app.register(openApiRoutes);
  // Dashboard: sessions, Yagura-side archiving, and the built front end.
  if (deps.sessions) {
    const secureCookie = server?.https !== undefined;
    await app.register(sessionRoutes, {
      store: deps.keys,
      resolver,
      sessions: deps.sessions,
      secureCookie,
      now,
      catalog: deps.catalog,
      ...(federation && { federation: federation.signIn, roleSessions: federation.roleSessions, throttle: federation.throttle }),
    });
    if (federation) {
      await app.register(federatedSignInRoutes, { federation: federation.signIn, oidc: federation.oidc, sessions: deps.sessions, store: deps.keys, secureCookie, publicUrl: federation.publicUrl });
    }
  }
  if (federation && signed) {
    await app.register(stsRoutes, { federation: federation.signIn, callerOf: stsCaller(resolver, signed) });
    await app.register(roleSessionRoutes, { roleSessions: federation.roleSessions });
    await app.register(roleMapRoutes, { roleMap: federation.roleMap, now });
  }
  await app.register(iamRoutes, { store: deps.keys, now, signing: federation?.signingKeys });
  await app.register(catalogRoutes, { catalog: deps.catalog, now });
  if (deps.audit) await app.register(auditRoutes, { audit: deps.audit, cursors: new CursorCodec(deps.cursorSecret), maxPageSize: deps.limits.maxPageSize, now });
  await app.register(archiveRoutes, { store: deps.store, now });
  if (deps.erasures) await app.register(erasureRoutes, { erasures: deps.erasures, now });
  if (deps.retention) await app.register(retentionRoutes, { retention: deps.retention.service, planner: deps.retention.planner, now });
  if (deps.dashboardRoot) await app.register(dashboardRoutes, { root: deps.dashboardRoot });
  return app;
}

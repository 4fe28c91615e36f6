// Applies rate-based rules to every request: per source IP before authentication, per credential after it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Metrics } from '../metrics/metrics.js';
import type { RateRules, RateScope } from '../protection/rate-rules.js';
import { ApiError } from './api-error.js';
import { routePath } from './route-path.js';

function scopeOf(request: FastifyRequest): RateScope | undefined {
  const path = routePath(request);
  if (path === '/health') return undefined;
  if (path === '/api/v1/events' && request.method === 'POST') return 'ingest';
  // Sign-ins: the STS endpoint (also served at POST /), the dashboard's login and its OIDC redirects.
  if (path === '/sts' || path === '/sts/' || (path === '/' && request.method === 'POST') || path.startsWith('/api/v1/login') || path.startsWith('/api/v1/sessions/oidc/')) return 'login';
  if (path === '/api/v1/sessions' && request.method === 'POST') return 'login';
  return 'read';
}

function enforce(rules: RateRules, metrics: Metrics | undefined, scope: RateScope, source: string, windowSeconds: number): void {
  const decision = rules.check(scope, source);
  if (decision.allowed) return;
  metrics?.rateLimited.inc({ scope });
  throw new ApiError(
    429,
    'RATE_LIMITED',
    `too many ${scope} requests from this ${source.startsWith('key:') ? 'credential' : 'address'}: more than ${decision.limit} in ${windowSeconds} s; retry after ${decision.retryAfterSeconds} s`,
    { 'retry-after': String(decision.retryAfterSeconds) },
  );
}

/** Register before authentication, so that floods of bad keys are counted and refused by address. */
export function registerRateLimits(app: FastifyInstance, rules: RateRules, windowSeconds: number, metrics?: Metrics): void {
  app.addHook('onRequest', async (request) => {
    const scope = scopeOf(request);
    if (scope === undefined || rules.isAllowListed(request.ip)) return;
    enforce(rules, metrics, scope, `ip:${request.ip}`, windowSeconds);
  });
  app.addHook('preHandler', async (request) => {
    const scope = scopeOf(request);
    if (scope === undefined || request.identity === undefined || rules.isAllowListed(request.ip)) return;
    enforce(rules, metrics, scope, `key:${request.identity.keyId}`, windowSeconds);
  });
}

// Operator routes: Prometheus metrics and the sources currently refused by rate-based rules.
import type { FastifyInstance } from 'fastify';
import { ACTIONS } from '../../auth/actions.js';
import type { PrincipalResolver } from '../../auth/principals/resolver.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { RateRules } from '../../protection/rate-rules.js';
import { ApiError } from '../api-error.js';
import { keyRefusal, presentedKey } from '../authenticate.js';
import { authorize } from '../authorize.js';

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

export interface OperationsRouteOptions {
  readonly metrics: Metrics;
  readonly rateRules?: RateRules;
  readonly resolver: PrincipalResolver;
  readonly now: () => number;
}

export async function operationsRoutes(app: FastifyInstance, options: OperationsRouteOptions): Promise<void> {
  // Scrapers on the same host need no key; anyone else authenticates like any API client and needs yagura:GetMetrics.
  app.get('/metrics', async (request, reply) => {
    if (!isLoopback(request.ip)) {
      const challenge = { 'www-authenticate': 'Bearer realm="yagura"' };
      const key = presentedKey(request);
      if (key === undefined) throw new ApiError(401, 'UNAUTHENTICATED', '/metrics needs an API key when scraped from another host', challenge);
      const resolved = await options.resolver.byKey(key);
      if (!resolved.ok) throw new ApiError(401, 'UNAUTHENTICATED', keyRefusal(resolved), challenge);
      request.principal = resolved.principal;
      authorize(request, ACTIONS.GetMetrics, '*', options.now());
    }
    reply.header('content-type', options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });

  app.get('/api/v1/rate-limits/blocks', async () => ({ blocks: options.rateRules?.blocks() ?? [] }));
}

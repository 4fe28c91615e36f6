// Operator routes: Prometheus metrics and the sources currently refused by rate-based rules.
import type { FastifyInstance } from 'fastify';
import { authenticate, type ApiKeyRepository } from '../../auth/api-keys.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { RateRules } from '../../protection/rate-rules.js';
import { ApiError } from '../api-error.js';
import { presentedKey } from '../authenticate.js';

function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

export interface OperationsRouteOptions {
  readonly metrics: Metrics;
  readonly rateRules?: RateRules;
  readonly keys: ApiKeyRepository;
}

export async function operationsRoutes(app: FastifyInstance, options: OperationsRouteOptions): Promise<void> {
  // Scrapers on the same host need no key; anyone else authenticates like any API client.
  app.get('/metrics', async (request, reply) => {
    if (!isLoopback(request.ip)) {
      const key = presentedKey(request);
      if (key === undefined || (await authenticate(options.keys, key)) === undefined) {
        throw new ApiError(401, 'UNAUTHENTICATED', '/metrics needs an API key when scraped from another host', { 'www-authenticate': 'Bearer realm="yagura"' });
      }
    }
    reply.header('content-type', options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });

  app.get('/api/v1/rate-limits/blocks', async () => ({ blocks: options.rateRules?.blocks() ?? [] }));
}

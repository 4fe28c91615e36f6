// buildApp(deps): the HTTP application without listening, so tests drive it with inject().
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ApiKeyRepository } from './auth/api-keys.js';
import type { IngestPipeline } from './ingest/pipeline.js';
import type { FindingStore } from './store/finding-store.js';
import { errorBody, toHttpError } from './api/api-error.js';
import { registerAuthentication } from './api/authenticate.js';
import { registerBodyParsers } from './api/body-parsers.js';
import { CursorCodec } from './api/cursor.js';
import { aggregateRoutes } from './api/routes/aggregate.js';
import { eventsRoutes } from './api/routes/events.js';
import { findingsRoutes } from './api/routes/findings.js';
import { healthRoutes } from './api/routes/health.js';

export interface AppDeps {
  readonly store: FindingStore;
  readonly pipeline: IngestPipeline;
  readonly keys: ApiKeyRepository;
  /** Secret that signs page cursors; keep it stable across restarts so cursors survive them. */
  readonly cursorSecret: Buffer;
  readonly limits: { readonly maxBodyBytes: number; readonly maxItemsPerRequest: number; readonly maxPageSize: number };
  readonly logger?: FastifyServerOptions['logger'];
  readonly now?: () => number;
}

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
};

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.limits.maxBodyBytes,
    requestTimeout: 60_000,
    connectionTimeout: 60_000,
    return503OnClosing: true,
    routerOptions: { maxParamLength: 300 },
  });

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
  registerAuthentication(app, deps.keys);
  const now = deps.now ?? Date.now;
  await app.register(healthRoutes);
  await app.register(eventsRoutes, { pipeline: deps.pipeline, maxItemsPerRequest: deps.limits.maxItemsPerRequest });
  await app.register(findingsRoutes, { store: deps.store, cursors: new CursorCodec(deps.cursorSecret), maxPageSize: deps.limits.maxPageSize, now });
  await app.register(aggregateRoutes, { store: deps.store, now });
  return app;
}

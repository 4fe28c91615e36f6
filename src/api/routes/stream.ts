// GET /api/v1/stream?q=KQL: Server-Sent Events of new and updated findings that match, as they are stored.
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { IngestPipeline, StoredListener } from '../../ingest/pipeline.js';
import { bindQuery } from '../../query/bind.js';
import { andScope } from '../../query/scope.js';
import { validateQuery } from '../../query/validate.js';
import { scopeOf } from '../finding-scope.js';
import type { FindingStore } from '../../store/finding-store.js';
import { keyString } from '../../findings/finding.js';
import { ApiError } from '../api-error.js';
import { presentFinding } from '../present.js';
import { parseParams } from '../validate.js';

export interface StreamRouteOptions {
  readonly store: FindingStore;
  readonly pipeline: IngestPipeline;
  readonly maxStreams?: number;
  readonly heartbeatSeconds?: number;
  /** A client that falls this far behind is disconnected (it reconnects and searches for what it missed). */
  readonly maxBufferedBytes?: number;
  readonly securityHeaders: Readonly<Record<string, string>>;
}

const params = z.object({ q: z.string().max(10_000).optional() }).strict();

export async function streamRoutes(app: FastifyInstance, options: StreamRouteOptions): Promise<void> {
  const maxStreams = options.maxStreams ?? 200;
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const open = new Set<ServerResponse>();
  // Streams never end on their own: close them as the server starts closing (preClose, before it waits for
  // in-flight requests to finish), or it would wait for them forever.
  app.addHook('preClose', async () => {
    for (const res of open) res.destroy();
  });

  app.get('/api/v1/stream', async (request, reply) => {
    const { q } = parseParams(params, request.query);
    // Semantic errors (an unknown band name…) surface now as a 400, not later inside the stream.
    const query = validateQuery(q ?? '');
    const scope = scopeOf(request);
    const scopeText = JSON.stringify(scope);
    if (open.size >= maxStreams) throw new ApiError(503, 'TOO_MANY_STREAMS', `this server serves at most ${maxStreams} live streams at once; retry later`, { 'retry-after': '10' });

    reply.hijack();
    const res = reply.raw;
    open.add(res);
    res.writeHead(200, {
      ...options.securityHeaders,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': connected\n\n');
    let closed = false;

    // The stream lives past any one policy decision: it ends as soon as its credentials or scope change (a revoked
    // key, a removed user, an edited policy), checked before every delivery and every second meanwhile.
    const endChanged = (): void => {
      if (closed) return;
      res.end(`event: closed\ndata: ${JSON.stringify({ reason: 'the credentials or policies behind this stream changed; reconnect' })}\n\n`);
      close();
    };
    const stillAllowed = async (): Promise<boolean> => {
      const current = await request.currentFindingScope?.();
      return current !== undefined && JSON.stringify(current) === scopeText;
    };
    const listener: StoredListener = (stored) => {
      const outcomes = new Map(stored.map((s) => [keyString(s.key), s.outcome]));
      const keys = stored.map((s) => s.key);
      stillAllowed()
        .then((allowed) => {
          if (!allowed) {
            endChanged();
            return [];
          }
          return options.store.matching(andScope(bindQuery(query, { now: Date.now() }), scope), keys);
        })
        .then(
        (records) => {
          if (closed) return;
          const now = Date.now();
          for (const record of records) {
            const event = { outcome: outcomes.get(keyString(record.key)), ...presentFinding(record, now) };
            res.write(`event: finding\ndata: ${JSON.stringify(event)}\n\n`);
          }
          if (res.writableLength > maxBuffered) res.destroy();
        },
        (error: unknown) => request.log.error({ err: error }, 'stream matching failed'),
      );
    };
    const unsubscribe = options.pipeline.subscribe(listener);
    const heartbeat = setInterval(() => res.write(': ping\n\n'), (options.heartbeatSeconds ?? 15) * 1000);
    const recheck = setInterval(() => {
      void stillAllowed().then((allowed) => {
        if (!allowed) endChanged();
      });
    }, 1000);
    const close = (): void => {
      if (closed) return;
      closed = true;
      open.delete(res);
      clearInterval(heartbeat);
      clearInterval(recheck);
      unsubscribe();
    };
    res.on('close', close);
    res.on('error', close);
  });
}

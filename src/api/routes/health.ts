// GET /health: liveness, the store's reachability and the archive's lag, without authentication.
import type { FastifyInstance } from 'fastify';

/** How far the archive is behind the store, and the lag beyond which a node reports itself degraded. */
export interface ArchiveHealth {
  lagSeconds(): Promise<number>;
  readonly limitSeconds: number;
}

export interface HealthRouteOptions {
  readonly archive?: ArchiveHealth;
  /** Resolves when the store answers (a PostgreSQL server reachable). */
  readonly store?: { check(): Promise<void> };
}

/** How long /health waits for the store before calling it unreachable. */
const STORE_CHECK_MS = 2000;

/**
 * `{"status":"ok"}` while healthy. An archive lagging more than its limit (twice the roll interval) makes the
 * answer `degraded`, with the details under `checks.archive`, and still HTTP 200: every acknowledged finding is
 * durable in the store and kept in its outbox until archived, so the node accepts data safely and a load balancer
 * must not take it out of service (which would only move the load, not archive anything sooner).
 */
export async function healthRoutes(app: FastifyInstance, options: HealthRouteOptions): Promise<void> {
  app.get('/health', async (_request, reply) => {
    // A store that does not answer means nothing can be accepted durably: 503, so a load balancer sends elsewhere.
    if (options.store !== undefined && !(await answers(options.store))) {
      reply.code(503);
      return { status: 'unavailable', checks: { store: { status: 'unreachable', message: 'the store does not answer; requests that need it answer 503' } } };
    }
    const archive = options.archive;
    if (archive === undefined) return { status: 'ok' };
    const lag = await archive.lagSeconds();
    if (lag <= archive.limitSeconds) return { status: 'ok' };
    const lagSeconds = Math.round(lag * 10) / 10;
    return {
      status: 'degraded',
      checks: {
        archive: {
          status: 'lagging',
          lagSeconds,
          limitSeconds: archive.limitSeconds,
          message: `the oldest version not yet in the archive was stored ${lagSeconds} s ago (limit ${archive.limitSeconds} s); it is safe in the store`,
        },
      },
    };
  });
}

async function answers(store: { check(): Promise<void> }): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([store.check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), STORE_CHECK_MS)))]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

// GET /api/v1/sources: every configured source, its state, counts, recent coded errors and what it last saw per
// account and region.
import type { FastifyInstance } from 'fastify';
import type { SourceSet } from '../../ingest/source-set.js';
import type { SourceState } from '../../ingest/source-health.js';
import { ApiError } from '../api-error.js';

const STATES: readonly SourceState[] = ['starting', 'running', 'degraded', 'failing', 'stopped'];

export interface SourcesRouteOptions {
  readonly sources: SourceSet;
}

export async function sourcesRoutes(app: FastifyInstance, options: SourcesRouteOptions): Promise<void> {
  app.get<{ Querystring: { kind?: string; state?: string } }>('/api/v1/sources', async (request) => {
    const { kind, state } = request.query;
    if (state !== undefined && !STATES.includes(state as SourceState)) {
      throw new ApiError(400, 'INVALID_PARAMETER', `state must be one of ${STATES.join(', ')}`);
    }
    const sources = options.sources.health().filter((s) => (kind === undefined || s.kind === kind) && (state === undefined || s.state === state));
    return { sources };
  });
}

// GET /api/v1/findings (search) and GET /api/v1/findings/{accountId}/{region}/{id} (one finding with history).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseQuery } from '../../query/parser.js';
import { resolveTimeRange } from '../../query/time-range.js';
import type { FindingKey } from '../../findings/finding.js';
import { SORT_FIELDS, type FindingStore, type Sort, type SortField } from '../../store/finding-store.js';
import { ApiError } from '../api-error.js';
import type { CursorCodec } from '../cursor.js';
import { presentFindingJson, presentWithHistory } from '../present.js';
import { parseParams } from '../validate.js';
import { clientGone } from '../client-gone.js';
import { scopedQuery, scopeFingerprint, scopeOf } from '../finding-scope.js';

/** Elasticsearch's default: exact totals up to 10,000, then "10,000 or more". */
const TRACK_TOTAL_UP_TO = 10_000;

export interface FindingsRouteOptions {
  readonly store: FindingStore;
  readonly cursors: CursorCodec;
  readonly maxPageSize: number;
  readonly now?: () => number;
}

/** `updatedAt:desc`, `-severity` or `severity` (ascending). */
export function parseSort(text: string | undefined): Sort {
  if (text === undefined || text === '') return { field: 'updatedAt', order: 'desc' };
  const m = /^(-)?([A-Za-z]+)(?::(asc|desc))?$/.exec(text);
  const field = m?.[2];
  if (!m || field === undefined || !(SORT_FIELDS as readonly string[]).includes(field) || (m[1] && m[3])) {
    throw new ApiError(400, 'INVALID_SORT', `cannot sort by "${text.slice(0, 60)}"; use one of ${SORT_FIELDS.join(', ')}, optionally with :asc or :desc`);
  }
  return { field: field as SortField, order: m[1] ? 'desc' : (m[3] as 'asc' | 'desc' | undefined) ?? 'desc' };
}

export async function findingsRoutes(app: FastifyInstance, options: FindingsRouteOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const listParams = z
    .object({
      q: z.string().max(10_000).optional(),
      from: z.string().max(64).optional(),
      to: z.string().max(64).optional(),
      size: z.coerce.number().int().min(1).max(options.maxPageSize).default(50),
      sort: z.string().max(64).optional(),
      cursor: z.string().max(4096).optional(),
    })
    .strict();

  app.get('/api/v1/findings', async (request, reply) => {
    const params = parseParams(listParams, request.query);
    const t = now();
    const query = scopedQuery(request, parseQuery(params.q ?? ''), t);
    const range = resolveTimeRange({ from: params.from, to: params.to }, t);
    const sort = parseSort(params.sort);
    // The fingerprint binds a cursor to the exact search and to the caller's scope; relative times are bound as typed.
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([params.q ?? '', params.from ?? '', params.to ?? '', sort.field, sort.order, scopeFingerprint(scopeOf(request))]))
      .digest('base64url');
    const after = params.cursor !== undefined ? options.cursors.decode(params.cursor, fingerprint) : undefined;
    const page = await options.store.search({
      query,
      ...(range.from !== undefined && { from: range.from }),
      ...(range.to !== undefined && { to: range.to }),
      size: params.size,
      sort,
      ...(after && { after }),
      trackTotalUpTo: TRACK_TOTAL_UP_TO,
    }, { signal: clientGone(reply) });
    // Written as text so that each document goes out as the store read it (see presentFindingJson).
    const findings = page.findings.map((f) => presentFindingJson(f, t)).join(',');
    reply.auditItems = page.findings.length;
    const nextCursor = page.next ? options.cursors.encode(page.next, fingerprint) : null;
    return reply
      .type('application/json; charset=utf-8')
      .send(`{"total":${page.total},"totalRelation":${JSON.stringify(page.totalRelation)},"findings":[${findings}],"nextCursor":${JSON.stringify(nextCursor)}}`);
  });

  const keyParams = z.object({ accountId: z.string().max(64), region: z.string().max(32), id: z.string().max(256) }).strict();
  app.get('/api/v1/findings/:accountId/:region/:id', async (request) => {
    const key = parseParams(keyParams, request.params);
    const found = (await visible(options.store, request, key)) ? await options.store.get(key) : undefined;
    if (found === undefined) throw notFound(key);
    return presentWithHistory(found, now());
  });
}

/** The same answer for a finding that does not exist and one outside the caller's scope, so existence does not leak. */
export function notFound(key: FindingKey): ApiError {
  return new ApiError(404, 'FINDING_NOT_FOUND', `no finding ${key.id} in account ${key.accountId}, region ${key.region}`);
}

/**
 * Whether the finding exists and lies in the request's scope: one store query whichever is false, so a finding
 * outside the scope costs what a missing one does.
 */
export async function visible(store: FindingStore, request: FastifyRequest, key: FindingKey): Promise<boolean> {
  const matched = await store.matching({ kind: 'bound', root: scopeOf(request) }, [key]);
  return matched.length === 1;
}

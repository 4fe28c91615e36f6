// POST /api/v1/aggregate: Elasticsearch-shaped aggregations over the findings a query and time range select.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { scopedQuery } from '../finding-scope.js';
import { parseQuery } from '../../query/parser.js';
import { resolveTimeRange } from '../../query/time-range.js';
import { AGGREGATION_LIMITS as LIMITS, type Aggregation } from '../../store/aggregation.js';
import type { FindingStore } from '../../store/finding-store.js';
import { parseParams } from '../validate.js';
import { clientGone } from '../client-gone.js';

const field = z.string().min(1).max(200);

const leaf = z.union([
  z.object({ terms: z.object({ field, size: z.number().int().min(1).max(LIMITS.terms).optional() }).strict() }).strict(),
  z.object({ date_histogram: z.object({ field, interval: z.string().max(16) }).strict() }).strict(),
  z.object({ stats: z.object({ field }).strict() }).strict(),
  z.object({
    range: z
      .object({
        field,
        ranges: z.array(z.object({ from: z.number().optional(), to: z.number().optional(), key: z.string().max(100).optional() }).strict()).min(1).max(LIMITS.ranges),
      })
      .strict(),
  }).strict(),
]);

/** Sub-aggregation results sit beside a bucket's own fields, so they cannot take those names. */
const BUCKET_FIELDS = new Set(['key', 'key_as_string', 'doc_count', 'from', 'to']);
const subName = z.string().min(1).max(100).refine((n) => !BUCKET_FIELDS.has(n), 'a sub-aggregation cannot be named key, key_as_string, doc_count, from or to');
const subAggs = z.record(subName, leaf).refine((r) => Object.keys(r).length <= LIMITS.subAggregations, `at most ${LIMITS.subAggregations} sub-aggregations`);
const withSubs = z.union([
  z.object({ terms: z.object({ field, size: z.number().int().min(1).max(LIMITS.terms).optional() }).strict(), aggs: subAggs.optional() }).strict(),
  z.object({ date_histogram: z.object({ field, interval: z.string().max(16) }).strict(), aggs: subAggs.optional() }).strict(),
  z.object({ stats: z.object({ field }).strict() }).strict(),
  z.object({ range: leaf.options[3].shape.range, aggs: subAggs.optional() }).strict(),
]);

const body = z
  .object({
    q: z.string().max(10_000).optional(),
    from: z.string().max(64).optional(),
    to: z.string().max(64).optional(),
    aggs: z.record(z.string().min(1).max(100), withSubs).refine((r) => Object.keys(r).length >= 1 && Object.keys(r).length <= LIMITS.aggregations, `ask for 1 to ${LIMITS.aggregations} aggregations`),
  })
  .strict();

export async function aggregateRoutes(app: FastifyInstance, options: { store: FindingStore; now?: () => number }): Promise<void> {
  const now = options.now ?? Date.now;
  app.post('/api/v1/aggregate', async (request, reply) => {
    const params = parseParams(body, request.body ?? {});
    const t = now();
    const range = resolveTimeRange({ from: params.from, to: params.to }, t);
    return options.store.aggregate({
      query: scopedQuery(request, parseQuery(params.q ?? ''), t),
      ...(range.from !== undefined && { from: range.from }),
      ...(range.to !== undefined && { to: range.to }),
      aggs: params.aggs as Record<string, Aggregation>,
    }, { signal: clientGone(reply) });
  });
}

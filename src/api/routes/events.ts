// POST /api/v1/events: EventBridge events, arrays, NDJSON or bare findings; answers what was stored.
import type { FastifyInstance } from 'fastify';
import { classifyItem, emptyClassified, refuseErasedAccounts, type Classified } from '../../ingest/classify.js';
import { scopeMatches } from '../../auth/finding-scope/scope-matches.js';
import type { BoundNode } from '../../query/bound.js';
import { itemsFromJson, itemsFromNdjson } from '../../ingest/eventbridge-http/parse-body.js';
import type { IngestPipeline } from '../../ingest/pipeline.js';
import type { Metrics } from '../../metrics/metrics.js';
import { ApiError } from '../api-error.js';
import { NdjsonBody } from '../body-parsers.js';
import { scopeOf } from '../finding-scope.js';

export interface EventsRouteOptions {
  readonly pipeline: IngestPipeline;
  readonly maxItemsPerRequest: number;
  readonly metrics?: Metrics;
  /** Whether an account's findings were erased by account (a tombstone): they are refused. */
  readonly isErasedAccount?: (accountId: string) => boolean;
}

export async function eventsRoutes(app: FastifyInstance, options: EventsRouteOptions): Promise<void> {
  app.post('/api/v1/events', async (request, reply) => {
    if (request.body === undefined) {
      throw new ApiError(400, 'EMPTY_BODY', 'the request body is empty; send one event, a JSON array of events, or NDJSON');
    }
    const parsed = request.body instanceof NdjsonBody
      ? itemsFromNdjson(request.body.bytes, options.maxItemsPerRequest)
      : itemsFromJson(request.body, options.maxItemsPerRequest);
    if (!parsed.ok) throw new ApiError(parsed.code === 'TOO_MANY_ITEMS' ? 413 : 400, parsed.code, parsed.message);

    const classified = emptyClassified();
    parsed.items.forEach((item, index) => classifyItem(classified, index, item));
    withinScope(classified, scopeOf(request));
    if (options.isErasedAccount) refuseErasedAccounts(classified, options.isErasedAccount);
    const metrics = options.metrics;
    if (metrics) {
      metrics.received.inc({ source: 'http' }, parsed.items.length);
      if (classified.ignored > 0) metrics.ignored.inc({ source: 'http' }, classified.ignored);
      for (const r of classified.rejected) metrics.rejected.inc({ reason: r.code });
    }
    let outcomes;
    try {
      outcomes = await options.pipeline.submit(classified.findings);
    } catch (error) {
      request.log.error({ err: error }, 'ingest failed');
      throw new ApiError(503, 'STORE_UNAVAILABLE', 'the findings could not be stored durably; nothing was acknowledged, retry later', { 'retry-after': '5' });
    }
    const duplicates = outcomes.filter((o) => o === 'unchanged').length;
    const created = outcomes.filter((o) => o === 'created').length;
    const report = {
      accepted: outcomes.length - duplicates,
      duplicates,
      created,
      updated: outcomes.length - duplicates - created,
      ignored: classified.ignored,
      rejected: classified.rejected,
    };
    if (report.rejected.length > 0 && outcomes.length === 0 && report.ignored === 0) {
      const first = report.rejected[0]!;
      const message = report.rejected.length === 1 ? first.message : `all ${report.rejected.length} items were rejected; the first: ${first.message}`;
      return reply.code(400).send({ error: { code: first.code, message }, ...report });
    }
    return reply.code(200).send(report);
  });
}

/**
 * Moves the findings the caller may not ingest (yagura:IngestFindings on their ARN) to the rejections, item by item,
 * before anything is stored: the counts of the answer then only ever speak of findings within the caller's scope.
 */
function withinScope(classified: Classified, scope: BoundNode): void {
  if (scope.kind === 'all') return;
  const findings = classified.findings.splice(0);
  const indexes = classified.indexes.splice(0);
  findings.forEach((finding, i) => {
    const facts = { ...finding.key, type: finding.type, severity: finding.severity, band: finding.band };
    if (scopeMatches(scope, facts)) {
      classified.findings.push(finding);
      classified.indexes.push(indexes[i]!);
    } else {
      classified.rejected.push({
        index: indexes[i]!,
        code: 'ACCESS_DENIED',
        message: `this principal's policies do not allow yagura:IngestFindings on this finding (account ${finding.key.accountId}, region ${finding.key.region})`,
      });
    }
  });
  classified.rejected.sort((a, b) => a.index - b.index);
}

// POST /api/v1/erasures and GET /api/v1/erasures/{id}: erase findings everywhere they live, as a persisted job.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ErasureJob } from '../../erasure/erasure-job.js';
import type { ErasureService } from '../../erasure/erasure-service.js';
import { parseQuery } from '../../query/parser.js';
import type { BoundNode } from '../../query/bound.js';
import { resolveTimeRange } from '../../query/time-range.js';
import { ApiError } from '../api-error.js';
import { scopedQuery, scopeOf } from '../finding-scope.js';
import { parseParams } from '../validate.js';

const reason = z.string().trim().min(1, 'say why (the receipt keeps it)').max(1000);

const body = z.union([
  z.object({ query: z.string().min(1).max(10_000), from: z.string().max(64).optional(), to: z.string().max(64).optional(), reason }).strict(),
  z.object({ accountId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'an AWS account ID'), reason }).strict(),
]);

const idParams = z.object({ id: z.string().regex(/^er-[0-9a-f-]{36}$/, 'an erasure id (er-…)') }).strict();

/** `not region:cn-*` or `not region:us-gov-*`: what a policy on `arn:aws:…` findings says of the other partitions. */
function excludesOtherPartition(node: BoundNode): boolean {
  if (node.kind !== 'text' || node.field.name !== 'region' || node.test.kind !== 'glob') return false;
  const [first, second, ...rest] = node.test.glob;
  return rest.length === 0 && first?.kind === 'text' && (first.text === 'cn-' || first.text === 'us-gov-') && second?.kind === 'star';
}

/**
 * Whether a scope selects every finding of the account (a whole account's erasure also deletes its archive objects
 * and refuses its findings from then on, so a caller allowed only part of it may not ask for one). Conservative: a
 * condition it cannot read as covering the account refuses. An account lives in one partition, so leaving out the
 * China and GovCloud regions (as a policy on `arn:aws:` findings does) leaves out none of a commercial account's.
 */
export function coversAccount(scope: BoundNode, accountId: string): boolean {
  switch (scope.kind) {
    case 'not':
      return excludesOtherPartition(scope.child);
    case 'all':
      return true;
    case 'in':
      return scope.field.kind === 'column' && scope.field.name === 'accountId' && scope.values.includes(accountId);
    case 'and':
      return scope.children.every((c) => coversAccount(c, accountId));
    case 'or':
      return scope.children.some((c) => coversAccount(c, accountId));
    default:
      return false;
  }
}

/** What a job says to whoever may see it. */
function present(job: ErasureJob): Record<string, unknown> {
  return {
    id: job.id,
    status: job.status,
    phase: job.phase,
    target: job.target.kind === 'account' ? { accountId: job.target.accountId } : { ...(job.target.from !== undefined && { from: new Date(job.target.from).toISOString() }), ...(job.target.to !== undefined && { to: new Date(job.target.to).toISOString() }) },
    reason: job.reason,
    requestedBy: job.requestedBy,
    createdAt: new Date(job.createdAt).toISOString(),
    ...(job.finishedAt !== undefined && { finishedAt: new Date(job.finishedAt).toISOString() }),
    findings: job.keys,
    counts: job.counts,
    ...(job.keysDigest !== undefined && { receipt: { keysDigest: job.keysDigest, algorithm: 'sha256(sorted sha256(accountId\\nregion\\nid))' } }),
    ...(job.error !== undefined && { error: job.error }),
  };
}

/** A caller sees its own erasures; one allowed to erase every finding sees all of them. Others get the same 404. */
function mayRead(request: FastifyRequest, job: ErasureJob): boolean {
  return job.requestedBy === request.principal?.arn || scopeOf(request).kind === 'all';
}

export async function erasureRoutes(app: FastifyInstance, options: { erasures: ErasureService; now?: () => number }): Promise<void> {
  const now = options.now ?? Date.now;
  app.post('/api/v1/erasures', async (request, reply) => {
    const params = parseParams(body, request.body ?? {});
    const t = now();
    const principal = request.principal!.arn;
    let job: ErasureJob;
    if ('accountId' in params) {
      if (!coversAccount(scopeOf(request), params.accountId)) {
        throw new ApiError(403, 'ACCESS_DENIED', 'erasing a whole account needs yagura:EraseFindings on every finding of that account');
      }
      job = await options.erasures.start({ target: { kind: 'account', accountId: params.accountId }, reason: params.reason, requestedBy: principal });
    } else {
      const range = resolveTimeRange({ from: params.from, to: params.to }, t);
      const query = scopedQuery(request, parseQuery(params.query), t);
      job = await options.erasures.start({
        target: { kind: 'query', query, ...(range.from !== undefined && { from: range.from }), ...(range.to !== undefined && { to: range.to }) },
        reason: params.reason,
        requestedBy: principal,
      });
    }
    request.auditDetail = { reason: `erasure ${job.id}: ${params.reason}` };
    reply.code(202).header('location', `/api/v1/erasures/${job.id}`);
    return { id: job.id, status: job.status };
  });

  app.get('/api/v1/erasures/:id', async (request) => {
    const { id } = parseParams(idParams, request.params);
    const job = await options.erasures.get(id);
    if (job === undefined || !mayRead(request, job)) throw new ApiError(404, 'NOT_FOUND', `no erasure ${id}`);
    return present(job);
  });
}

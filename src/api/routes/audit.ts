// GET /api/v1/audit: the audit log searched with KQL over its fields, a time range and signed cursors, newest first.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditLog, AuditPosition } from '../../audit/audit-log.js';
import { parseAuditQuery } from '../../audit/audit-query.js';
import { resolveTimeRange } from '../../query/time-range.js';
import type { CursorCodec } from '../cursor.js';
import { parseParams } from '../validate.js';

export interface AuditRouteOptions {
  readonly audit: AuditLog;
  readonly cursors: CursorCodec;
  readonly maxPageSize: number;
  readonly now: () => number;
}

export async function auditRoutes(app: FastifyInstance, options: AuditRouteOptions): Promise<void> {
  const params = z
    .object({
      q: z.string().max(10_000).optional(),
      from: z.string().max(64).optional(),
      to: z.string().max(64).optional(),
      size: z.coerce.number().int().min(1).max(options.maxPageSize).default(50),
      cursor: z.string().max(4096).optional(),
    })
    .strict();

  app.get('/api/v1/audit', async (request, reply) => {
    const p = parseParams(params, request.query);
    const t = options.now();
    const query = parseAuditQuery(p.q ?? '', t);
    const range = resolveTimeRange({ from: p.from, to: p.to }, t);
    // A cursor continues only the search that issued it; relative times are bound as typed.
    const fingerprint = createHash('sha256').update(JSON.stringify(['audit', p.q ?? '', p.from ?? '', p.to ?? ''])).digest('base64url');
    const after = p.cursor === undefined ? undefined : options.cursors.decode<AuditPosition>(p.cursor, fingerprint);
    const page = await options.audit.search({
      query,
      ...(range.from !== undefined && { from: range.from }),
      ...(range.to !== undefined && { to: range.to }),
      size: p.size,
      ...(after && { after }),
    });
    reply.auditItems = page.entries.length;
    return {
      entries: page.entries.map(({ seq: _seq, ...e }) => ({ ...e, time: new Date(e.time).toISOString() })),
      nextCursor: page.next ? options.cursors.encode<AuditPosition>(page.next, fingerprint) : null,
    };
  });
}

// GET /api/v1/findings/export?q=KQL&from=&to=&format=ndjson|csv: every finding the query selects within the caller's
// scope, streamed as NDJSON or CSV (data-subject access requests, audits); the audit log records how much went out.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseQuery } from '../../query/parser.js';
import { resolveTimeRange } from '../../query/time-range.js';
import type { FindingStore } from '../../store/finding-store.js';
import { clientGone } from '../client-gone.js';
import { scopedQuery } from '../finding-scope.js';
import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS, exportFindings } from '../finding-export.js';
import { parseParams } from '../validate.js';

export interface ExportRouteOptions {
  readonly store: FindingStore;
  readonly now?: () => number;
}

const params = z
  .object({
    q: z.string().max(10_000).optional(),
    from: z.string().max(64).optional(),
    to: z.string().max(64).optional(),
    format: z.enum(EXPORT_FORMATS).default('ndjson'),
  })
  .strict();

export async function exportRoutes(app: FastifyInstance, options: ExportRouteOptions): Promise<void> {
  const now = options.now ?? Date.now;

  app.get('/api/v1/findings/export', async (request, reply) => {
    const p = parseParams(params, request.query);
    const t = now();
    const query = scopedQuery(request, parseQuery(p.q ?? ''), t);
    const range = resolveTimeRange({ from: p.from, to: p.to }, t);
    reply.auditItems = 0;
    reply.auditBytes = 0;
    const pages = exportFindings(
      options.store,
      {
        query,
        ...(range.from !== undefined && { from: range.from }),
        ...(range.to !== undefined && { to: range.to }),
        format: p.format,
        signal: clientGone(reply),
        onPage: (written) => {
          reply.auditItems = written;
        },
      },
      t,
    );
    // The first page is read before the status is sent: a query the store refuses (a timeout) is still a coded error.
    const first = await pages.next();
    async function* text(): AsyncGenerator<Buffer> {
      const chunks = first.done ? [] : [first.value];
      for (const chunk of chunks) yield counted(chunk);
      for await (const chunk of pages) yield counted(chunk);
    }
    const counted = (chunk: string): Buffer => {
      const bytes = Buffer.from(chunk, 'utf8');
      reply.auditBytes = (reply.auditBytes ?? 0) + bytes.byteLength;
      return bytes;
    };
    // A byte stream with a small buffer: the next page is read only once the client has taken the previous one.
    const body = Readable.from(text(), { objectMode: false, highWaterMark: 64 * 1024 });
    // A failure after the first page cannot change the status any more: the connection is cut, so the client sees
    // a truncated transfer (no final chunk), never a complete-looking export.
    body.once('error', (error) => request.log.error({ err: error }, 'export failed after it started'));
    return reply
      .header('content-type', EXPORT_CONTENT_TYPES[p.format])
      .header('content-disposition', `attachment; filename="yagura-findings.${p.format}"`)
      .header('cache-control', 'no-store')
      .send(body);
  });
}

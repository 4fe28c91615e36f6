// One export object from the bucket to the store, with its outcome in the source's health and the log: what the
// listing and the queue collectors both do with each object they learn of.
import type { S3Client } from '@aws-sdk/client-s3';
import type { ArchivePartition } from '../../archive/partition.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { IngestPipeline } from '../pipeline.js';
import { receive } from '../receive.js';
import type { SourceHealthRecorder } from '../source-health.js';
import type { SourceLog } from '../source.js';
import { readExportObject } from './export-object.js';
import type { S3ExportError } from './source-errors.js';


export interface CollectContext {
  readonly sourceId: string;
  readonly s3: S3Client;
  readonly bucket: string;
  readonly pipeline: IngestPipeline;
  /** Accounts erased by account: their findings are refused (see receive). */
  readonly isErasedAccount?: (accountId: string) => boolean;
  readonly health: SourceHealthRecorder;
  readonly log: SourceLog;
  readonly metrics?: Metrics;
  readonly maxObjectBytes: number;
  readonly administratorAccountId?: string;
  readonly signal?: AbortSignal;
}

/**
 * `stored`: its findings are durable (lines refused for their content are reported); `refused`: its content can
 * never be read (not gzip, cut short), nothing of it stored; `retry`: it could not be read or stored now.
 */
export type CollectOutcome = { readonly kind: 'stored' } | { readonly kind: 'refused' | 'retry'; readonly error: S3ExportError };

/** Errors that say the service cannot be used at all, rather than that one object is bad. */
const FATAL = new Set(['ACCESS_DENIED', 'CREDENTIALS_INVALID', 'NO_SUCH_BUCKET', 'NO_SUCH_QUEUE', 'SERVICE_UNAVAILABLE', 'STORE_UNAVAILABLE']);

export function report(ctx: Pick<CollectContext, 'health' | 'log' | 'sourceId'>, error: S3ExportError, ref?: string): void {
  ctx.health.error(error.code, error.message, { ...(ref !== undefined && { ref }), fatal: FATAL.has(error.code) });
  ctx.log.warn({ source: ctx.sourceId, code: error.code, ...(ref !== undefined && { ref }) }, error.message);
}

export async function collectObject(ctx: CollectContext, key: string, partition: ArchivePartition): Promise<CollectOutcome> {
  const read = await readExportObject(ctx.s3, ctx.bucket, key, {
    maxObjectBytes: ctx.maxObjectBytes,
    partition,
    ...(ctx.administratorAccountId !== undefined && { administratorAccountId: ctx.administratorAccountId }),
    ...(ctx.signal && { signal: ctx.signal }),
  });
  if (!read.ok) {
    // A read cut off by stopping is not the object's fault: it is read again at the next start.
    if (ctx.signal?.aborted) return { kind: 'retry', error: read.error };
    report(ctx, read.error, key);
    return { kind: read.error.permanent ? 'refused' : 'retry', error: read.error };
  }
  const accepted = read.classified.findings.map((f) => f.key);
  const result = await receive(ctx.pipeline, { source: 's3-export', received: read.received, classified: read.classified, ...(ctx.isErasedAccount && { isErasedAccount: ctx.isErasedAccount }) }, ctx.metrics);
  if (!result.ok) {
    const error: S3ExportError = { code: 'STORE_UNAVAILABLE', message: `s3://${ctx.bucket}/${key}: ${result.failure.message}`, permanent: false };
    report(ctx, error, key);
    ctx.log.error({ source: ctx.sourceId, err: result.failure.cause }, 'the store failed');
    return { kind: 'retry', error };
  }
  const r = result.report;
  ctx.health.delivered(r, accepted);
  ctx.health.objectRead(partition.accountId, partition.region);
  // One error per code: a wrong account is not hidden behind a line that is not a finding in the same object.
  const byCode = new Map<string, { first: (typeof r.rejected)[number]; count: number }>();
  for (const rejected of r.rejected) {
    const seen = byCode.get(rejected.code);
    if (seen) seen.count++;
    else byCode.set(rejected.code, { first: rejected, count: 1 });
  }
  for (const [code, { first, count }] of byCode) {
    const message = `s3://${ctx.bucket}/${key}: ${count} of ${r.received} lines were refused as ${code}, the rest stored; the first, line ${first.index}: ${first.message}`;
    ctx.health.error(code, message, { ref: `${key}:${first.index}` });
    ctx.log.warn({ source: ctx.sourceId, code, ref: key, refused: count }, message);
  }
  return { kind: 'stored' };
}

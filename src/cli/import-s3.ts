// `yagura import s3://bucket/prefix`: reads GuardDuty export objects straight from a bucket, with the same
// validation, idempotency and archive guarantees as a local import: each object whole or not at all.
import { ListObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseArchiveUrl } from '../archive/s3/archive-url.js';
import { buildClients } from '../ingest/s3-export/aws-clients.js';
import { isReadable } from '../ingest/s3-export/export-files.js';
import { parseExportKey } from '../ingest/s3-export/export-key.js';
import { readExportObject } from '../ingest/s3-export/export-object.js';
import { CliError } from './cli-error.js';
import type { ImportSummary } from './import.js';
import type { ImportBatch, Target } from './target.js';

/** An object inflating to more is refused (OBJECT_TOO_LARGE); GuardDuty's objects are kilobytes. */
const MAX_OBJECT_BYTES = 1024 * 1024 * 1024;

export function isS3Url(path: string): boolean {
  return path.startsWith('s3://');
}

interface Listed {
  readonly key: string;
  readonly bytes: number;
}

/**
 * The client for the CLI: the SDK's default credential chain and region (AWS_REGION, the profile), its endpoint
 * variables (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL), and path-style addressing with YAGURA_S3_FORCE_PATH_STYLE=true.
 */
async function cliClient(env: NodeJS.ProcessEnv): Promise<{ s3: S3Client; destroy(): void }> {
  const style = env.YAGURA_S3_FORCE_PATH_STYLE;
  if (style !== undefined && style !== '' && !['true', 'false', '1', '0'].includes(style)) throw new CliError(`YAGURA_S3_FORCE_PATH_STYLE must be true or false, not "${style}"`);
  const probe = buildClients({ region: 'us-east-1' }).s3;
  let region: string | undefined;
  try {
    region = env.AWS_REGION || env.AWS_DEFAULT_REGION || (await probe.config.region().catch(() => undefined));
  } finally {
    probe.destroy();
  }
  // S3-compatible servers (MinIO, Ceph) sign with us-east-1 unless told otherwise.
  region ??= env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL ? 'us-east-1' : undefined;
  if (region === undefined) throw new CliError("no AWS region: set AWS_REGION (or a profile's region) for the bucket");
  const clients = buildClients({ region, ...(style === 'true' || style === '1' ? { forcePathStyle: true } : {}) });
  return { s3: clients.s3, destroy: () => clients.destroy() };
}

async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<Listed[]> {
  const found: Listed[] = [];
  let marker: string | undefined;
  for (;;) {
    const page = await s3.send(new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, ...(marker !== undefined && { Marker: marker }) }));
    const contents = page.Contents ?? [];
    for (const o of contents) {
      if (o.Key === undefined) continue;
      marker = o.Key;
      if (isReadable(o.Key)) found.push({ key: o.Key, bytes: o.Size ?? 0 });
    }
    if (page.IsTruncated !== true || contents.length === 0) return found;
  }
}

/** The key's account, region and day when it is in the export layout (below any prefix), for the account check. */
function layoutOf(key: string): ReturnType<typeof parseExportKey> {
  const at = key.startsWith('AWSLogs/') ? 0 : key.lastIndexOf('/AWSLogs/');
  if (at === -1) return undefined;
  return parseExportKey(at === 0 ? '' : key.slice(0, at + 1), key);
}

export async function importS3(
  target: Target,
  url: string,
  options: { batchSize: number; env?: NodeJS.ProcessEnv; onProgress?: (bytes: number, total: number) => void; onIndexing?: () => void },
): Promise<ImportSummary> {
  const started = performance.now();
  const location = parseArchiveUrl(url);
  if (location === undefined) throw new CliError(`${url}: must be an s3:// URL naming a bucket and an optional prefix, like s3://my-bucket/guardduty`);
  const { s3, destroy } = await cliClient(options.env ?? process.env);
  try {
    let objects: Listed[];
    try {
      objects = await listObjects(s3, location.bucket, location.prefix);
    } catch (error) {
      const e = error as { name?: string; message?: string };
      throw new CliError(`cannot list ${url}: ${e.name ?? 'error'}: ${e.message ?? String(error)}`);
    }
    const total = objects.reduce((n, o) => n + o.bytes, 0);
    const summary: ImportSummary = { read: 0, files: objects.length, seconds: 0, created: 0, updated: 0, unchanged: 0, ignored: 0, rejected: [] };
    let batch: ImportBatch = { findings: [], refs: [] };
    const flush = async (): Promise<void> => {
      if (batch.findings.length === 0) return;
      const taken = batch;
      batch = { findings: [], refs: [] };
      await target.ingest(taken, summary);
    };
    const deferred = await target.beginImport(total);
    let done = 0;
    try {
      for (const object of objects) {
        const ref = `s3://${location.bucket}/${object.key}`;
        const partition = layoutOf(object.key);
        const read = await readExportObject(s3, location.bucket, object.key, { maxObjectBytes: MAX_OBJECT_BYTES, ...(partition && { partition }) });
        done += object.bytes;
        options.onProgress?.(done, total);
        if (!read.ok) {
          summary.rejected.push({ ref, code: read.error.code, message: read.error.message });
          continue;
        }
        summary.read += read.received;
        summary.ignored += read.classified.ignored;
        for (const r of read.classified.rejected) summary.rejected.push({ ref: `${ref}:${r.index}`, code: r.code, message: r.message });
        read.classified.findings.forEach((f, i) => {
          batch.findings.push(f);
          batch.refs.push(`${ref}:${read.classified.indexes[i]}`);
        });
        if (batch.findings.length >= options.batchSize) await flush();
      }
      await flush();
    } finally {
      if (deferred) options.onIndexing?.();
      await target.endImport();
    }
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  } finally {
    destroy();
  }
}

// Builds the S3 archive of `archive.url`: the SDK's client with its default credential chain, region and timeouts.
import { S3Client } from '@aws-sdk/client-s3';
import { ArchiveConfigError, type ArchiveConfig } from '../archive-config.js';
import { parseArchiveUrl } from './archive-url.js';
import { S3Archive } from './s3-archive.js';

/**
 * A connection that does not open within this time is a failed attempt (the SDK retries it, the archiver retries
 * the object): without it a bucket behind a black hole would hold the archiver's pass, and the shutdown, for minutes.
 */
const CONNECT_TIMEOUT_MS = 5_000;
/** A request whose socket stays silent this long has failed (a large part on a slow link still streams). */
const SOCKET_TIMEOUT_MS = 60_000;

/**
 * The archive in the bucket of `config.url`, reached with the AWS SDK's default credential chain (environment,
 * profile, SSO, web identity, container or instance role). Throws ArchiveConfigError when no region is known.
 */
export async function openS3Archive(config: ArchiveConfig & { readonly url: string }): Promise<S3Archive> {
  const location = parseArchiveUrl(config.url);
  // The schema checked it: this only guards a configuration built without it.
  if (location === undefined) throw new ArchiveConfigError(`invalid configuration: archive.url is not an s3:// URL: ${config.url}`);
  const client = new S3Client({
    region: await regionOf(config),
    ...(config.endpoint !== undefined && { endpoint: config.endpoint }),
    ...(config.forcePathStyle !== undefined && { forcePathStyle: config.forcePathStyle }),
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, socketTimeout: SOCKET_TIMEOUT_MS },
  });
  return new S3Archive({
    client,
    ...location,
    ...(config.sse !== undefined && { encryption: { algorithm: config.sse, ...(config.sseKmsKeyId !== undefined && { kmsKeyId: config.sseKmsKeyId }) } }),
  });
}

/** `archive.region`, else the SDK's (AWS_REGION, the profile), else `us-east-1` for an S3-compatible endpoint. */
async function regionOf(config: ArchiveConfig): Promise<string> {
  if (config.region !== undefined) return config.region;
  const probe = new S3Client({});
  try {
    return await probe.config.region();
  } catch {
    // MinIO, Ceph and most S3-compatible services sign with us-east-1 unless told otherwise.
    if (config.endpoint !== undefined) return 'us-east-1';
    throw new ArchiveConfigError(
      "invalid configuration: archive.region (YAGURA_ARCHIVE_REGION) is not set and the AWS SDK found no region (AWS_REGION or the profile's region)",
    );
  } finally {
    probe.destroy();
  }
}

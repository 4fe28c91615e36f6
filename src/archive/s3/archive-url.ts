// `s3://bucket/prefix`: where an S3 archive writes, checked once when the configuration is read.
/** A bucket and the key prefix the export layout is written under (`''`, or segments ending with `/`). */
export interface ArchiveLocation {
  readonly bucket: string;
  readonly prefix: string;
}

/**
 * Bucket names as S3 allows them for new buckets: 3 to 63 lower-case letters, digits, dots and hyphens, starting
 * and ending with a letter or digit, no `..`, not shaped like an IP address.
 */
const BUCKET = /^(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/**
 * A prefix segment: S3's safe key characters (and `=`, for `key=value` partition folders). `.` and `..` are refused
 * because some S3-compatible services and proxies normalise them away, which would move the layout.
 */
const SEGMENT = /^(?!\.{1,2}$)[A-Za-z0-9!_.*'()=-]{1,255}$/;

export const ARCHIVE_URL_HINT =
  'must be an s3:// URL naming a bucket (3 to 63 lower-case letters, digits, dots and hyphens) and an optional prefix, like s3://my-bucket/guardduty';

/** Reads `s3://bucket/prefix`; undefined when it is not one (see ARCHIVE_URL_HINT). */
export function parseArchiveUrl(url: string): ArchiveLocation | undefined {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(url);
  if (match === null) return undefined;
  const bucket = match[1]!;
  if (!BUCKET.test(bucket)) return undefined;
  // One trailing slash is optional; empty, `.` or `..` segments are not.
  const path = (match[2] ?? '').replace(/\/$/, '');
  if (path === '') return { bucket, prefix: '' };
  const segments = path.split('/');
  if (!segments.every((s) => SEGMENT.test(s)) || path.length > 512) return undefined;
  return { bucket, prefix: `${path}/` };
}

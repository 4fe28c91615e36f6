// The coded errors of S3-export collection, as health and the log show them, and how AWS's errors map onto them.

export type S3ExportErrorCode =
  /** An object whose key ends in .gz is not gzip. */
  | 'NOT_GZIP'
  /** A gzip stream that ends before its end (an upload cut short). */
  | 'TRUNCATED_GZIP'
  /** A gzip stream whose data or checksum is wrong. */
  | 'CORRUPT_GZIP'
  | 'OBJECT_TOO_LARGE'
  /** A key that is not `<prefix>AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<name>`. */
  | 'KEY_OUTSIDE_LAYOUT'
  /** A finding whose account is not the one its object's key names. */
  | 'ACCOUNT_MISMATCH'
  /** The bucket, object or queue refuses these credentials. */
  | 'ACCESS_DENIED'
  /** No credentials found, or the ones found are expired, unknown or do not sign correctly. */
  | 'CREDENTIALS_INVALID'
  | 'NO_SUCH_BUCKET'
  | 'NO_SUCH_QUEUE'
  /** The object named (by a notification) is not there any more. */
  | 'OBJECT_GONE'
  /** S3 or SQS did not answer, or answered with a server error. */
  | 'SERVICE_UNAVAILABLE'
  /** An SQS message that is not an S3 event notification. */
  | 'NOT_S3_NOTIFICATION'
  /** A notification about another bucket than the source's. */
  | 'BUCKET_MISMATCH'
  /** A message received `maxReceiveCount` times whose objects still could not be read. */
  | 'RECEIVES_EXHAUSTED'
  /** The findings could not be stored durably. */
  | 'STORE_UNAVAILABLE';

export interface S3ExportError {
  readonly code: S3ExportErrorCode;
  readonly message: string;
  /** Reading again will give the same answer (the object's content): it is marked, not retried. */
  readonly permanent: boolean;
}

/** One AWS SDK (or network) failure as a coded error. `what` names what was being done: `reading s3://b/k`. */
export function awsError(error: unknown, what: string): S3ExportError {
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  const detail = (e.message ?? String(error)).slice(0, 300);
  const make = (code: S3ExportErrorCode, sentence: string): S3ExportError => ({ code, message: `${what}: ${sentence} (${name || e.code || 'error'}: ${detail})`, permanent: false });
  if (name === 'CredentialsProviderError' || /^(InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|ExpiredTokenException|InvalidClientTokenId|TokenRefreshRequired|UnrecognizedClientException|InvalidToken)$/.test(name)) {
    return make('CREDENTIALS_INVALID', 'the credentials are missing, expired or not accepted');
  }
  if (/^(AccessDenied|AccessDeniedException|AllAccessDisabled|KMS\.AccessDeniedException)$/.test(name) || status === 403) return make('ACCESS_DENIED', 'access is denied');
  if (name === 'NoSuchBucket') return make('NO_SUCH_BUCKET', 'the bucket does not exist');
  if (name === 'NoSuchKey' || (status === 404 && what.startsWith('reading'))) return make('OBJECT_GONE', 'the object is not there');
  if (/QueueDoesNotExist|NonExistentQueue/.test(name)) return make('NO_SUCH_QUEUE', 'the queue does not exist');
  return make('SERVICE_UNAVAILABLE', 'the service did not answer or failed');
}

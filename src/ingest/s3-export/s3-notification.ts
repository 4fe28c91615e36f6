// Reads an SQS message body as S3 event notifications: directly from S3, or through SNS (S3 → SNS → SQS).

export interface NotifiedObject {
  readonly bucket: string;
  /** The object key, decoded (notifications URL-encode keys, spaces as `+`). */
  readonly key: string;
}

export type Notification =
  | { readonly kind: 'objects'; readonly objects: readonly NotifiedObject[] }
  /** S3's `s3:TestEvent`, sent when notifications are configured: nothing to read. */
  | { readonly kind: 'test' }
  | { readonly kind: 'invalid'; readonly reason: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function parseNotification(body: string, depth = 0): Notification {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { kind: 'invalid', reason: 'the message is not JSON' };
  }
  if (!isObject(value)) return { kind: 'invalid', reason: 'the message is not a JSON object' };
  if (value.Event === 's3:TestEvent') return { kind: 'test' };
  // Delivered through an SNS topic: the notification is the SNS message's text (opened once, not nested further).
  if (value.Type === 'Notification' && typeof value.Message === 'string' && depth === 0) return parseNotification(value.Message, 1);
  const records = value.Records;
  if (!Array.isArray(records) || records.length === 0) return { kind: 'invalid', reason: 'the message has no Records' };
  const objects: NotifiedObject[] = [];
  for (const record of records) {
    if (!isObject(record) || record.eventSource !== 'aws:s3' || typeof record.eventName !== 'string' || !isObject(record.s3)) {
      return { kind: 'invalid', reason: 'a record is not an S3 event (eventSource aws:s3, eventName, s3)' };
    }
    // Only new objects bring findings; removals and other events are acknowledged without reading anything.
    if (!record.eventName.startsWith('ObjectCreated:')) continue;
    const bucket = isObject(record.s3.bucket) ? record.s3.bucket.name : undefined;
    const key = isObject(record.s3.object) ? record.s3.object.key : undefined;
    if (typeof bucket !== 'string' || typeof key !== 'string') return { kind: 'invalid', reason: 'a record has no s3.bucket.name or s3.object.key' };
    let decoded: string;
    try {
      decoded = decodeURIComponent(key.replaceAll('+', ' '));
    } catch {
      return { kind: 'invalid', reason: 'a record has a key that is not URL-encoded' };
    }
    objects.push({ bucket, key: decoded });
  }
  return { kind: 'objects', objects };
}

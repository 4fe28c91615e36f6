// Opens SNS notifications (Lambda's `Records[].Sns` and the HTTP/SQS form) whose `Message` carries an event as JSON.
import { checkShape } from '../findings/document-shape.js';
import { rejection, type FindingRejection } from '../findings/finding-error.js';

/** One message of a notification: its parsed, shape-checked JSON, or why it cannot be read. */
export type SnsPart =
  | { readonly kind: 'message'; readonly value: unknown; readonly path: string }
  | { readonly kind: 'rejected'; readonly error: FindingRejection };

/** SNS caps a message at 256 KiB; a finding document is refused past 1 MiB of JSON anyway. */
const MAX_MESSAGE_CHARS = 1024 * 1024;
/** SNS gives Lambda one record per invocation; a few more are tolerated for hand-merged files. */
const MAX_RECORDS = 100;

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `{"Type":"Notification","Message":"…",…}`: what SNS posts to HTTP endpoints and puts in SQS queues. */
export function isSnsNotification(item: Record<string, unknown>): boolean {
  return typeof item.Type === 'string' && Object.hasOwn(item, 'Message');
}

/** `{"Records":[{"EventSource":"aws:sns","Sns":{…}}]}`: what SNS hands a Lambda function. */
export function isSnsLambdaEvent(item: Record<string, unknown>): boolean {
  return Array.isArray(item.Records) && item.Records.some((r) => isObject(r) && isObject(r.Sns));
}

/** The message of one notification, parsed with the checks every delivered item gets (it is attacker-controlled). */
function message(sns: Record<string, unknown>, prefix: string): SnsPart {
  const field = `${prefix}Message`;
  if (sns.Type !== 'Notification') {
    const type = typeof sns.Type === 'string' ? `"${sns.Type.slice(0, 64)}"` : 'unknown';
    return { kind: 'rejected', error: rejection('NOT_A_FINDING', `an SNS message of type ${type} is not a notification and carries no finding`) };
  }
  const text = sns.Message;
  if (typeof text !== 'string') {
    return { kind: 'rejected', error: rejection('INVALID_FIELD', `the SNS message (${field}) must be a string holding an EventBridge event or a GuardDuty finding as JSON`) };
  }
  if (text.length > MAX_MESSAGE_CHARS) {
    return { kind: 'rejected', error: rejection('DOCUMENT_TOO_LARGE', `the SNS message (${field}) is longer than ${MAX_MESSAGE_CHARS} characters`) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = (error as Error).message.slice(0, 120);
    return { kind: 'rejected', error: rejection('INVALID_JSON', `the SNS message (${field}) is not JSON: ${reason}; the topic must carry EventBridge events or GuardDuty findings as JSON`) };
  }
  const shape = checkShape(value);
  if (shape) return { kind: 'rejected', error: { code: shape.code, message: `${shape.message} (in ${field})` } };
  return { kind: 'message', value, path: field };
}

/** The messages of an SNS notification or Lambda SNS event; `undefined` when `item` is neither. */
export function snsMessages(item: Record<string, unknown>): SnsPart[] | undefined {
  if (isSnsLambdaEvent(item)) {
    const records = item.Records as unknown[];
    if (records.length > MAX_RECORDS) {
      return [{ kind: 'rejected', error: rejection('DOCUMENT_TOO_LARGE', `an SNS event holds at most ${MAX_RECORDS} records`) }];
    }
    return records.map((record, i): SnsPart => {
      if (!isObject(record) || !isObject(record.Sns)) {
        return { kind: 'rejected', error: rejection('NOT_A_FINDING', `Records[${i}] is not an SNS notification`) };
      }
      return message(record.Sns, `Records[${i}].Sns.`);
    });
  }
  if (isSnsNotification(item)) return [message(item, '')];
  return undefined;
}

// With a queue: S3 event notifications through SQS. A message is deleted only once its objects' findings are
// durable (or their content refused); it stays invisible while they are read; one that cannot be used is parked.
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { MAX_PARKED_BODY, type SourceStateStore } from '../source-state-store.js';
import { collectObject, report, type CollectContext } from './collect-object.js';
import { parseExportKey } from './export-key.js';
import { parseNotification } from './s3-notification.js';
import { awsError, type S3ExportError } from './source-errors.js';

export interface QueueSettings {
  readonly queueUrl: string;
  readonly prefix: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /** SQS long polling: how long a receive waits for messages (20 s, SQS's most, unless a test asks less). */
  readonly waitTimeSeconds: number;
}

/** What became of one message. */
export type MessageOutcome = 'deleted' | 'parked' | 'retry';

export class QueueCollector {
  constructor(
    private readonly ctx: CollectContext,
    private readonly sqs: SQSClient,
    private readonly state: SourceStateStore,
    private readonly settings: QueueSettings,
    private readonly now: () => number = Date.now,
  ) {}

  private get options(): { abortSignal?: AbortSignal } {
    return this.ctx.signal ? { abortSignal: this.ctx.signal } : {};
  }

  /** One long poll and the messages it brought; a queue that cannot be reached ends the pass `failing` (false). */
  async poll(): Promise<{ ok: boolean; outcomes: MessageOutcome[] }> {
    const { health } = this.ctx;
    let messages: Message[];
    try {
      const answer = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.settings.queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: this.settings.waitTimeSeconds,
          VisibilityTimeout: this.settings.visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
        this.options,
      );
      messages = answer.Messages ?? [];
    } catch (error) {
      if (this.ctx.signal?.aborted) return { ok: true, outcomes: [] };
      health.beginPass();
      report(this.ctx, awsError(error, `receiving from ${this.settings.queueUrl}`));
      health.endPass();
      return { ok: false, outcomes: [] };
    }
    health.beginPass();
    const outcomes: MessageOutcome[] = [];
    for (const message of messages) outcomes.push(await this.handle(message));
    health.endPass();
    return { ok: true, outcomes };
  }

  private async handle(message: Message): Promise<MessageOutcome> {
    const id = message.MessageId ?? '?';
    const body = message.Body ?? '';
    const notification = parseNotification(body);
    if (notification.kind === 'test') return (await this.delete(message)) ? 'deleted' : 'retry';
    if (notification.kind === 'invalid') {
      return this.park(message, { code: 'NOT_S3_NOTIFICATION', message: `message ${id} is not an S3 event notification: ${notification.reason}`, permanent: true });
    }
    // Kept invisible while its objects are read: a large object may take longer than the visibility timeout.
    const heartbeat = setInterval(() => void this.extend(message), (this.settings.visibilityTimeoutSeconds * 1000) / 2);
    heartbeat.unref();
    let refused: S3ExportError | undefined;
    let retry: S3ExportError | undefined;
    try {
      for (const object of notification.objects) {
        if (object.bucket !== this.ctx.bucket) {
          refused ??= { code: 'BUCKET_MISMATCH', message: `message ${id} names s3://${object.bucket}/${object.key}, not this source's bucket ${this.ctx.bucket}`, permanent: true };
          report(this.ctx, refused, id);
          continue;
        }
        const partition = parseExportKey(this.settings.prefix, object.key);
        if (partition === undefined) {
          const error: S3ExportError = { code: 'KEY_OUTSIDE_LAYOUT', message: `s3://${object.bucket}/${object.key} is not in GuardDuty's export layout under ${this.settings.prefix || 'the bucket root'}; it was not read`, permanent: true };
          refused ??= error;
          report(this.ctx, error, object.key);
          continue;
        }
        const outcome = await collectObject(this.ctx, object.key, partition);
        if (outcome.kind === 'refused') refused ??= outcome.error;
        else if (outcome.kind === 'retry') retry ??= outcome.error;
      }
    } finally {
      clearInterval(heartbeat);
    }
    if (retry !== undefined) {
      const received = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
      // The store failing is not the message's fault: it is never parked for that, only received again.
      if (retry.code === 'STORE_UNAVAILABLE' || received < this.settings.maxReceiveCount) return 'retry';
      return this.park(message, { code: 'RECEIVES_EXHAUSTED', message: `message ${id} was received ${received} times and its objects still could not be read; the last error: ${retry.code}: ${retry.message}`, permanent: true });
    }
    // Objects refused for their content were reported; the message is kept with the reason, as a poison message.
    if (refused !== undefined) return this.park(message, refused, false);
    return (await this.delete(message)) ? 'deleted' : 'retry';
  }

  /** Keeps the message with its reason in the store, then deletes it from the queue. */
  private async park(message: Message, reason: S3ExportError, reportIt = true): Promise<MessageOutcome> {
    const id = message.MessageId ?? '?';
    if (reportIt) report(this.ctx, reason, id);
    try {
      await this.state.park(this.ctx.sourceId, {
        messageId: id,
        // PostgreSQL text cannot hold NUL (SQS does not allow it in bodies either).
        body: (message.Body ?? '').slice(0, MAX_PARKED_BODY).replaceAll('\u0000', '\uFFFD'),
        code: reason.code,
        reason: reason.message,
        at: this.now(),
      });
    } catch (error) {
      report(this.ctx, { code: 'STORE_UNAVAILABLE', message: `message ${id} could not be parked: ${(error as Error).message}`, permanent: false }, id);
      return 'retry';
    }
    return (await this.delete(message)) ? 'parked' : 'retry';
  }

  private async delete(message: Message): Promise<boolean> {
    try {
      await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.settings.queueUrl, ReceiptHandle: message.ReceiptHandle }), this.options);
      return true;
    } catch (error) {
      // Received again later: reading its objects again adds nothing. A delete cut off by stopping is no error.
      if (this.ctx.signal?.aborted) return false;
      report(this.ctx, awsError(error, `deleting message ${message.MessageId ?? '?'} from ${this.settings.queueUrl}`), message.MessageId);
      return false;
    }
  }

  private async extend(message: Message): Promise<void> {
    try {
      await this.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.settings.queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: this.settings.visibilityTimeoutSeconds }), this.options);
    } catch (error) {
      this.ctx.log.warn({ source: this.ctx.sourceId, err: error }, 'the visibility timeout of a message being read could not be extended');
    }
  }
}

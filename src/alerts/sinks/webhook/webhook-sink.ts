// Generic webhook: the alert as JSON, signed with HMAC-SHA256 and carrying an idempotency key.
import type { AlertMessage } from '../../message.js';
import { postJson } from '../http-post.js';
import type { NetworkPolicy, Resolver } from '../network-policy.js';
import type { SendContext, SendResult, Sink } from '../sink.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, sign } from './signature.js';

export class WebhookSink implements Sink {
  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly policy: NetworkPolicy,
    private readonly now: () => number = Date.now,
    private readonly resolve?: Resolver,
  ) {}

  async send(message: AlertMessage, context: SendContext): Promise<SendResult> {
    const body = JSON.stringify({ id: context.idempotencyKey, ...message });
    const timestamp = Math.floor(this.now() / 1000);
    return postJson(
      this.url,
      body,
      { 'idempotency-key': context.idempotencyKey, [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: sign(this.secret, timestamp, body) },
      context.timeoutMs,
      this.policy,
      this.resolve,
    );
  }

  async close(): Promise<void> {}
}

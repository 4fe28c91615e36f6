// The contract every alert sink fulfils: send one message, say how it went, release resources on close.
import type { AlertMessage } from '../message.js';

export interface SendContext {
  /** The same for every attempt at one delivery, so a receiver can drop a repeat. */
  readonly idempotencyKey: string;
  readonly timeoutMs: number;
}

/** Failures are values: a permanent failure (the receiver refused the message) is not retried. */
export type SendResult = { readonly ok: true; readonly status?: number } | { readonly ok: false; readonly error: string; readonly permanent: boolean };

export interface Sink {
  send(message: AlertMessage, context: SendContext): Promise<SendResult>;
  close(): Promise<void>;
}

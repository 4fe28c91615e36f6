// Email over SMTP with nodemailer: STARTTLS required, implicit TLS, or plain for a loopback relay.
import nodemailer, { type Transporter } from 'nodemailer';
import type { AlertMessage } from '../../message.js';
import { refuseHost, type NetworkPolicy } from '../network-policy.js';
import type { SendContext, SendResult, Sink } from '../sink.js';
import { renderEmail } from './render.js';

export interface EmailSinkOptions {
  readonly host: string;
  readonly port: number;
  readonly security: 'starttls' | 'tls' | 'none';
  readonly username?: string;
  readonly password?: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly timeoutMs: number;
}

export class EmailSink implements Sink {
  private readonly transport: Transporter;

  constructor(
    private readonly options: EmailSinkOptions,
    private readonly policy: NetworkPolicy,
  ) {
    this.transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.security === 'tls',
      requireTLS: options.security === 'starttls',
      ignoreTLS: options.security === 'none',
      ...(options.username !== undefined && { auth: { user: options.username, pass: options.password ?? '' } }),
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    });
  }

  async send(message: AlertMessage, context: SendContext): Promise<SendResult> {
    const refused = await refuseHost(this.options.host, this.policy);
    if (refused !== undefined) return { ok: false, error: refused, permanent: true };
    const email = renderEmail(message);
    try {
      await this.transport.sendMail({
        from: this.options.from,
        to: [...this.options.to],
        subject: email.subject,
        text: email.text,
        html: email.html,
        // Lets a mail system (or a person) spot a repeat from the at-least-once window.
        messageId: `<${context.idempotencyKey}@yagura>`,
        headers: { 'X-Yagura-Delivery': context.idempotencyKey },
      });
      return { ok: true };
    } catch (error) {
      const e = error as { responseCode?: number; code?: string; message?: string };
      // 5xx SMTP replies are permanent (bad recipient, refused sender); everything else may pass later.
      const permanent = typeof e.responseCode === 'number' && e.responseCode >= 500;
      return { ok: false, error: `SMTP: ${e.code ?? ''} ${e.message ?? 'send failed'}`.trim().slice(0, 500), permanent };
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

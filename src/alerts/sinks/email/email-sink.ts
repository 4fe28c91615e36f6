// Email over SMTP with nodemailer: STARTTLS required, implicit TLS, or plain for a loopback relay.
import nodemailer, { type Transporter } from 'nodemailer';
import type { AlertMessage } from '../../message.js';
import { isIP } from 'node:net';
import { checkedAddress, systemResolver, type NetworkPolicy, type Resolver } from '../network-policy.js';
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
  constructor(
    private readonly options: EmailSinkOptions,
    private readonly policy: NetworkPolicy,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  /**
   * A transport to the relay's address checked now. nodemailer would resolve the name again when connecting,
   * and a DNS server answering a public address to the check and a private one to the connection (DNS
   * rebinding) would pass it; so it connects to the checked address and validates TLS against the name.
   */
  private async transport(): Promise<{ transport: Transporter } | { refused: string; permanent: boolean }> {
    const o = this.options;
    let host = o.host;
    let servername: string | undefined;
    if (!this.policy.allowPrivateNetworks) {
      const checked = await checkedAddress(o.host, this.policy, this.resolve);
      if ('refused' in checked) return checked;
      if (isIP(o.host) === 0) servername = o.host;
      host = checked.address;
    }
    return {
      transport: nodemailer.createTransport({
        host,
        ...(servername !== undefined && { servername }),
        port: o.port,
        secure: o.security === 'tls',
        requireTLS: o.security === 'starttls',
        ignoreTLS: o.security === 'none',
        ...(o.username !== undefined && { auth: { user: o.username, pass: o.password ?? '' } }),
        connectionTimeout: o.timeoutMs,
        greetingTimeout: o.timeoutMs,
        socketTimeout: o.timeoutMs,
      }),
    };
  }

  async send(message: AlertMessage, context: SendContext): Promise<SendResult> {
    const made = await this.transport();
    if ('refused' in made) return { ok: false, error: made.refused, permanent: made.permanent };
    const email = renderEmail(message);
    try {
      await made.transport.sendMail({
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
    } finally {
      made.transport.close();
    }
  }

  async close(): Promise<void> {
    // Each send opens and closes its own transport.
  }
}

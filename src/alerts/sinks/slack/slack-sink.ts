// Slack incoming webhook: a Block Kit message in an attachment coloured by band, every finding string as plain text.
import { BAND_COLOURS, headline, type AlertFinding, type AlertMessage } from '../../message.js';
import { postJson } from '../http-post.js';
import type { NetworkPolicy, Resolver } from '../network-policy.js';
import type { SendContext, SendResult, Sink } from '../sink.js';
import { escapeSlack } from './escape.js';

const DIGEST_LINES = 20;

/** Plain text is never parsed for mrkdwn or mentions; escaping on top keeps `<…>` sequences inert. */
function plain(text: string, max = 2000): { type: 'plain_text'; text: string; emoji: false } {
  return { type: 'plain_text', text: escapeSlack(text, max), emoji: false };
}

function findingBlocks(f: AlertFinding): unknown[] {
  const account = f.accountName ? `${f.accountId} (${f.accountName})` : f.accountId;
  const blocks: unknown[] = [
    {
      type: 'section',
      fields: [
        plain(`Severity: ${f.band} (${f.severity})`),
        plain(`Type: ${f.type}`),
        plain(`Account: ${account}`),
        plain(`Region: ${f.region}`),
        plain(`Resource: ${f.resource}`),
        plain(`Actor: ${f.actor}`),
        plain(`Count: ${f.count}`),
        plain(`Updated: ${f.updatedAt}`),
      ],
    },
  ];
  if (f.link) blocks.push({ type: 'actions', elements: [{ type: 'button', text: plain('View finding'), url: f.link }] });
  return blocks;
}

export function slackPayload(message: AlertMessage): Record<string, unknown> {
  const top = message.findings[0];
  const colour = top ? BAND_COLOURS[top.band] : '#888888';
  const blocks: unknown[] = [{ type: 'header', text: plain(headline(message), 150) }];
  if (message.kind === 'digest') {
    const lines = message.findings.slice(0, DIGEST_LINES).map((f) => `${f.band} · ${f.type} · ${f.accountName ?? f.accountId} · ${f.region} · ${f.resource}`);
    const more = (message.total ?? message.findings.length) - lines.length;
    blocks.push({ type: 'section', text: plain(`${lines.join('\n')}${more > 0 ? `\n… and ${more} more` : ''}`, 3000) });
    if (message.period) blocks.push({ type: 'context', elements: [plain(`${message.period.from} – ${message.period.to}`)] });
  } else if (top) {
    blocks.push(...findingBlocks(top));
  }
  blocks.push({ type: 'context', elements: [plain(`Rule: ${message.rule.name}`)] });
  return {
    // Notification fallback: mrkdwn off, and escaped as well.
    text: escapeSlack(headline(message), 300),
    mrkdwn: false,
    attachments: [{ color: colour, blocks }],
  };
}

export class SlackSink implements Sink {
  constructor(
    private readonly url: string,
    private readonly policy: NetworkPolicy,
    private readonly resolve?: Resolver,
  ) {}

  async send(message: AlertMessage, context: SendContext): Promise<SendResult> {
    return postJson(this.url, JSON.stringify(slackPayload(message)), { 'idempotency-key': context.idempotencyKey }, context.timeoutMs, this.policy, this.resolve);
  }

  async close(): Promise<void> {}
}

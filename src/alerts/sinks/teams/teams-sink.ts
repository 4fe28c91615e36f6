// Microsoft Teams incoming webhook: an Adaptive Card with the finding's facts and a link to the finding view.
import { headline, type AlertMessage, type AlertFinding } from '../../message.js';
import { postJson } from '../http-post.js';
import type { NetworkPolicy, Resolver } from '../network-policy.js';
import type { SendContext, SendResult, Sink } from '../sink.js';
import { escapeTeams } from './escape.js';

const DIGEST_LINES = 20;

/** Adaptive Card colour names by band (cards have no free colours). */
const BAND_STYLE = { Low: 'accent', Medium: 'warning', High: 'warning', Critical: 'attention' } as const;

function facts(f: AlertFinding): unknown {
  const account = f.accountName ? `${f.accountId} (${f.accountName})` : f.accountId;
  const rows: Array<[string, string]> = [
    ['Severity', `${f.band} (${f.severity})`],
    ['Type', f.type],
    ['Account', account],
    ['Region', f.region],
    ['Resource', f.resource],
    ['Actor', f.actor],
    ['Count', String(f.count)],
    ['Updated', f.updatedAt],
  ];
  return { type: 'FactSet', facts: rows.map(([title, value]) => ({ title, value: escapeTeams(value) })) };
}

export function teamsPayload(message: AlertMessage): Record<string, unknown> {
  const top = message.findings[0];
  const body: unknown[] = [
    { type: 'TextBlock', text: escapeTeams(headline(message), 300), weight: 'Bolder', size: 'Medium', wrap: true, color: top ? BAND_STYLE[top.band] : 'default' },
  ];
  const actions: unknown[] = [];
  if (message.kind === 'digest') {
    for (const f of message.findings.slice(0, DIGEST_LINES)) {
      body.push({ type: 'TextBlock', wrap: true, text: escapeTeams(`${f.band} · ${f.type} · ${f.accountName ?? f.accountId} · ${f.region} · ${f.resource}`) });
    }
    const more = (message.total ?? message.findings.length) - Math.min(DIGEST_LINES, message.findings.length);
    if (more > 0) body.push({ type: 'TextBlock', text: escapeTeams(`… and ${more} more`), isSubtle: true });
  } else if (top) {
    body.push(facts(top));
    if (top.link) actions.push({ type: 'Action.OpenUrl', title: 'View finding', url: top.link });
  }
  body.push({ type: 'TextBlock', text: escapeTeams(`Rule: ${message.rule.name}`), isSubtle: true, size: 'Small', wrap: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body, ...(actions.length > 0 && { actions }) },
      },
    ],
  };
}

export class TeamsSink implements Sink {
  constructor(
    private readonly url: string,
    private readonly policy: NetworkPolicy,
    private readonly resolve?: Resolver,
  ) {}

  async send(message: AlertMessage, context: SendContext): Promise<SendResult> {
    return postJson(this.url, JSON.stringify(teamsPayload(message)), { 'idempotency-key': context.idempotencyKey }, context.timeoutMs, this.policy, this.resolve);
  }

  async close(): Promise<void> {}
}

// Alert delivery end to end: real Slack-, Teams- and webhook-shaped HTTP receivers and a real SMTP server on loopback.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifySignature } from '../../src/alerts/sinks/webhook/signature.js';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { alertsFolder, type AlertsFolder, type AlertsHarness } from '../support/alerts-harness.js';
import { httpReceiver, smtpReceiver, type HttpReceiver, type SmtpReceiver } from '../support/receivers.js';

const PROD = '111122223333';
const DEV = '444455556666';
const SECRET = 'a-webhook-secret-of-some-length';

describe('alert delivery to Slack, Teams, a webhook and email', () => {
  let folder: AlertsFolder;
  let h: AlertsHarness;
  let slack: HttpReceiver;
  let slackProd: HttpReceiver;
  let teams: HttpReceiver;
  let webhook: HttpReceiver;
  let smtp: SmtpReceiver;
  const counts = (): number[] => [slack.received.length, slackProd.received.length, teams.received.length, webhook.received.length, smtp.messages.length];

  /** Waits for alerting to settle, then a little longer so that a stray extra send would be seen. */
  const settle = async (): Promise<void> => {
    await h.alerts.settled();
    await new Promise((r) => setTimeout(r, 100));
    await h.alerts.settled();
  };

  before(async () => {
    [slack, slackProd, teams, webhook, smtp] = await Promise.all([httpReceiver(), httpReceiver(), httpReceiver(), httpReceiver(), smtpReceiver()]);
    folder = await alertsFolder();
    h = await folder.open({
      publicUrl: 'https://yagura.example.com/',
      accounts: { [PROD]: { name: 'prod-payments', tags: ['production'] }, [DEV]: { name: 'dev-sandbox', tags: ['dev'] } },
    });
    const create = async (body: object): Promise<string> => {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/destinations', headers: h.auth, payload: body });
      assert.equal(res.statusCode, 201, res.body);
      return (res.json() as { id: string }).id;
    };
    const ids = {
      slack: await create({ type: 'slack', name: 'all', url: `${slack.url}/services/T0/B0/xyz` }),
      slackProd: await create({ type: 'slack', name: 'sec-prod', url: `${slackProd.url}/services/T0/B1/xyz` }),
      teams: await create({ type: 'teams', name: 'teams', url: `${teams.url}/webhookb2/abc` }),
      webhook: await create({ type: 'webhook', name: 'siem', url: `${webhook.url}/hook`, secret: SECRET }),
      email: await create({ type: 'email', name: 'soc mail', host: '127.0.0.1', port: smtp.port, security: 'none', from: 'yagura@example.com', to: ['soc@example.com'] }),
    };
    const rule = await h.app.inject({
      method: 'POST',
      url: '/api/v1/alert-rules',
      headers: h.auth,
      payload: {
        name: 'Tor and worse',
        query: 'type:UnauthorizedAccess*',
        minBand: 'High',
        trigger: { kind: 'new' },
        throttleSeconds: 3600,
        routes: [
          { destination: ids.slack },
          { destination: ids.slackProd, accountTags: ['production'] },
          { destination: ids.teams },
          { destination: ids.webhook },
          { destination: ids.email },
        ],
      },
    });
    assert.equal(rule.statusCode, 201, rule.body);
  });
  after(async () => {
    await h.stop();
    await folder.remove();
    await Promise.all([slack.close(), slackProd.close(), teams.close(), webhook.close(), smtp.close()]);
  });

  test('a High finding in a production account alerts once on each routed destination with the right content', async () => {
    await h.ingest([eventOf(findingDoc({ id: 'tor1', accountId: PROD, severity: 8 }))]);
    await Promise.all([slack.waitFor(1), slackProd.waitFor(1), teams.waitFor(1), webhook.waitFor(1), smtp.waitFor(1)]);
    await settle();
    assert.deepEqual(counts(), [1, 1, 1, 1, 1]);

    const link = `https://yagura.example.com/#/findings/${PROD}/us-east-1/tor1`;
    const s = JSON.parse(slack.received[0]!.body) as { text: string; mrkdwn: boolean; attachments: Array<{ color: string; blocks: unknown[] }> };
    assert.equal(s.mrkdwn, false);
    assert.equal(s.attachments[0]!.color, '#f2994a');
    const slackText = JSON.stringify(s.attachments[0]!.blocks);
    for (const expected of ['UnauthorizedAccess:EC2/TorClient', `${PROD} (prod-payments)`, 'us-east-1', 'Instance i-0a1b2c3d4e5f60718', '198.51.100.7 (Example Transit BV)', link]) {
      assert.ok(slackText.includes(expected), `Slack message lacks ${expected}`);
    }

    const t = JSON.parse(teams.received[0]!.body) as { type: string; attachments: Array<{ contentType: string; content: { type: string; body: unknown[]; actions: Array<{ url: string }> } }> };
    assert.equal(t.attachments[0]!.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(t.attachments[0]!.content.type, 'AdaptiveCard');
    assert.equal(t.attachments[0]!.content.actions[0]!.url, link);
    assert.ok(JSON.stringify(t.attachments[0]!.content.body).includes('Example Transit BV'));

    const w = webhook.received[0]!;
    const body = JSON.parse(w.body) as { kind: string; findings: Array<{ accountId: string; band: string; type: string; link: string }> };
    assert.equal(body.kind, 'new');
    assert.deepEqual([body.findings[0]!.accountId, body.findings[0]!.band, body.findings[0]!.link], [PROD, 'High', link]);
    assert.ok(w.headers['idempotency-key']);

    const mail = smtp.messages[0]!;
    assert.match(mail.subject ?? '', /^\[Yagura\] High finding: EC2 instance/);
    assert.ok(String(mail.html).includes(link));
    assert.ok((mail.text ?? '').includes('Resource: Instance i-0a1b2c3d4e5f60718'));
  });

  test('the webhook signature verifies with the shared secret and fails with another', () => {
    const w = webhook.received[0]!;
    const ts = String(w.headers['x-yagura-timestamp']);
    const sig = String(w.headers['x-yagura-signature']);
    const now = Math.floor(Date.now() / 1000);
    assert.ok(verifySignature(SECRET, ts, w.body, sig, now));
    assert.ok(!verifySignature('another-secret-entirely', ts, w.body, sig, now));
    assert.ok(!verifySignature(SECRET, ts, `${w.body} `, sig, now));
    assert.ok(!verifySignature(SECRET, ts, w.body, sig, now + 3600), 'a stale timestamp is refused');
  });

  test('a finding of another account skips the production-only route', async () => {
    const before = counts();
    await h.ingest([eventOf(findingDoc({ id: 'dev1', accountId: DEV, severity: 7.5 }))]);
    await smtp.waitFor(before[4]! + 1);
    await settle();
    assert.deepEqual(counts(), [before[0]! + 1, before[1]!, before[2]! + 1, before[3]! + 1, before[4]! + 1]);
  });

  test('redelivery and an update inside the throttle window alert nothing; escalation to Critical alerts again', async () => {
    const start = counts();
    await h.ingest([eventOf(findingDoc({ id: 'tor1', accountId: PROD, severity: 8 }))]);
    await settle();
    assert.deepEqual(counts(), start, 'redelivery of the same version alerted');

    await h.ingest([eventOf(findingDoc({ id: 'tor1', accountId: PROD, severity: 8, count: 7, updatedAt: '2026-11-20T09:00:00.000Z' }))]);
    await settle();
    assert.deepEqual(counts(), start, 'an update inside the window alerted');

    await h.ingest([eventOf(findingDoc({ id: 'tor1', accountId: PROD, severity: 9.5, count: 8, updatedAt: '2026-11-20T10:00:00.000Z' }))]);
    await smtp.waitFor(start[4]! + 1);
    await settle();
    assert.deepEqual(counts(), start.map((n) => n + 1));
    const last = JSON.parse(webhook.received.at(-1)!.body) as { kind: string; findings: Array<{ band: string; count: number }> };
    assert.equal(last.kind, 'escalation');
    assert.deepEqual([last.findings[0]!.band, last.findings[0]!.count], ['Critical', 8]);
    assert.equal(JSON.parse(slack.received.at(-1)!.body).attachments[0].color, '#eb5757');
  });

  test('mentions, hidden links and markup in finding text arrive neutralised in every channel', async () => {
    const start = counts();
    const hostile = '<!channel> <@U024BE7LH> *bold* <https://evil.example|click me> <script>alert(1)</script> <at>Boss</at> [x](https://evil.example)';
    await h.ingest([eventOf(findingDoc({ id: 'hostile', accountId: PROD, severity: 8.5, title: hostile }))]);
    await smtp.waitFor(start[4]! + 1);
    await settle();

    const slackBody = slack.received.at(-1)!.body;
    for (const bad of ['<!channel>', '<@U024BE7LH>', '<https://evil.example', '<script>']) assert.ok(!slackBody.includes(bad), `Slack got ${bad}`);
    assert.ok(slackBody.includes('&lt;!channel&gt;'));
    const slackMessage = JSON.parse(slackBody) as { attachments: Array<{ blocks: Array<{ text?: { type: string }; fields?: Array<{ type: string }> }> }> };
    for (const block of slackMessage.attachments[0]!.blocks) {
      for (const t of [block.text, ...(block.fields ?? [])]) if (t) assert.equal(t.type, 'plain_text', 'finding text must never be mrkdwn');
    }

    const teamsBody = teams.received.at(-1)!.body;
    for (const bad of ['<at>', '<script>', '[x](https']) assert.ok(!teamsBody.includes(bad), `Teams got ${bad}`);

    const mail = smtp.messages.at(-1)!;
    const html = String(mail.html);
    assert.ok(!html.includes('<script>') && !html.includes('<at>'));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!/\r|\n/.test(mail.subject ?? ''));

    const webhookBody = JSON.parse(webhook.received.at(-1)!.body) as { findings: Array<{ title: string }> };
    assert.equal(webhookBody.findings[0]!.title, hostile, 'the webhook carries the text verbatim as a JSON string');
  });

  test('sample and archived findings do not alert unless a rule asks for them', async () => {
    const start = counts();
    await h.ingest([eventOf(findingDoc({ id: 'sample1', accountId: PROD, severity: 8, sample: true })), eventOf(findingDoc({ id: 'archived1', accountId: PROD, severity: 8, archived: true }))]);
    await settle();
    assert.deepEqual(counts(), start);
  });

  test('every delivery is logged with rule, finding, destination, attempts, outcome and latency', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/deliveries?status=sent&size=1000', headers: h.auth });
    assert.equal(res.statusCode, 200);
    const { deliveries } = res.json() as { deliveries: Array<{ rule: string; finding: string; destination: string; attempts: number; status: string; latencyMs: number }> };
    assert.equal(deliveries.length, counts().reduce((a, b) => a + b, 0));
    for (const d of deliveries) {
      assert.ok(d.rule.startsWith('rul_') && d.destination.startsWith('dst_') && d.finding.includes('/'));
      assert.equal(d.attempts, 1);
      assert.ok(d.latencyMs >= 0 && d.latencyMs < 10_000);
    }
  });

  test('sends a test message to a destination on demand, outside the outbox', async () => {
    const list = (await h.app.inject({ method: 'GET', url: '/api/v1/destinations', headers: h.auth })).json() as { destinations: Array<{ id: string; type: string }> };
    const hook = list.destinations.find((d) => d.type === 'webhook')!;
    const before = webhook.received.length;
    const res = await h.app.inject({ method: 'POST', url: `/api/v1/destinations/${hook.id}/test`, headers: h.auth });
    assert.equal(res.statusCode, 200);
    assert.equal((res.json() as { ok: boolean }).ok, true);
    assert.equal(webhook.received.length, before + 1);
    assert.equal((JSON.parse(webhook.received.at(-1)!.body) as { kind: string }).kind, 'test');
    const missing = await h.app.inject({ method: 'POST', url: '/api/v1/destinations/dst_missing/test', headers: h.auth });
    assert.equal(missing.statusCode, 404);
  });

  test('sends a stored finding to a destination by hand through the outbox', async () => {
    const list = (await h.app.inject({ method: 'GET', url: '/api/v1/destinations', headers: h.auth })).json() as { destinations: Array<{ id: string; type: string }> };
    const hook = list.destinations.find((d) => d.type === 'webhook')!;
    const before = webhook.received.length;
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/deliveries', headers: h.auth, payload: { destination: hook.id, finding: { accountId: PROD, region: 'us-east-1', id: 'tor1' } } });
    assert.equal(res.statusCode, 202, res.body);
    await webhook.waitFor(before + 1);
    const body = JSON.parse(webhook.received.at(-1)!.body) as { rule: { id: string }; findings: Array<{ id: string; band: string }> };
    assert.deepEqual([body.rule.id, body.findings[0]!.id, body.findings[0]!.band], ['manual', 'tor1', 'Critical']);
    const missing = await h.app.inject({ method: 'POST', url: '/api/v1/deliveries', headers: h.auth, payload: { destination: hook.id, finding: { accountId: PROD, region: 'us-east-1', id: 'nope' } } });
    assert.equal(missing.statusCode, 404);
    assert.equal((missing.json() as { error: { code: string } }).error.code, 'FINDING_NOT_FOUND');
  });
});

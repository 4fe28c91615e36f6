// Alert delivery under failure: a receiver that is down, a restart between accept and delivery, and digests.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { Metrics } from '../../src/metrics/metrics.js';
import { eventOf, finding, findingDoc } from '../fixtures/findings.js';
import { alertsFolder, type AlertsFolder, type AlertsHarness } from '../support/alerts-harness.js';
import { httpReceiver, type HttpReceiver } from '../support/receivers.js';

interface DeliveryView {
  id: number;
  status: string;
  attempts: number;
  lastError: string | null;
  idempotencyKey: string;
}

async function setUp(h: AlertsHarness, receiverUrl: string, trigger: object = { kind: 'new' }): Promise<{ destination: string; rule: string }> {
  const d = await h.app.inject({ method: 'POST', url: '/api/v1/destinations', headers: h.auth, payload: { type: 'webhook', name: 'siem', url: `${receiverUrl}/hook`, secret: 'sixteen-chars-or-more' } });
  assert.equal(d.statusCode, 201, d.body);
  const destination = (d.json() as { id: string }).id;
  const r = await h.app.inject({ method: 'POST', url: '/api/v1/alert-rules', headers: h.auth, payload: { name: 'all high', minBand: 'High', trigger, routes: [{ destination }] } });
  assert.equal(r.statusCode, 201, r.body);
  return { destination, rule: (r.json() as { id: string }).id };
}

async function deliveries(h: AlertsHarness, query = ''): Promise<DeliveryView[]> {
  const res = await h.app.inject({ method: 'GET', url: `/api/v1/deliveries${query}`, headers: h.auth });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { deliveries: DeliveryView[] }).deliveries;
}

async function until(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('alert delivery under failure', () => {
  let folder: AlertsFolder;
  let receiver: HttpReceiver;
  beforeEach(async () => {
    folder = await alertsFolder();
    receiver = await httpReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    await folder.remove();
  });

  test('a receiver that is down gets every attempt, then the delivery is dead-lettered, listed, and can be retried', async () => {
    const metrics = new Metrics(false);
    const h = await folder.open({ metrics });
    try {
      await setUp(h, receiver.url);
      receiver.answer = 503;
      await h.ingest([eventOf(findingDoc({ id: 'down1', severity: 8 }))]);
      await until(async () => (await deliveries(h, '?status=dead')).length === 1);
      assert.equal(receiver.received.length, 3, 'maxAttempts is 3 in tests');
      const [dead] = await deliveries(h, '?status=dead');
      assert.equal(dead!.attempts, 3);
      assert.match(dead!.lastError ?? '', /503/);
      // Every attempt carried the same idempotency key.
      assert.deepEqual(new Set(receiver.received.map((r) => r.headers['idempotency-key'])), new Set([dead!.idempotencyKey]));

      const notDead = await h.app.inject({ method: 'POST', url: '/api/v1/deliveries/999/retry', headers: h.auth });
      assert.equal(notDead.statusCode, 404);
      receiver.answer = 200;
      const retry = await h.app.inject({ method: 'POST', url: `/api/v1/deliveries/${dead!.id}/retry`, headers: h.auth });
      assert.equal(retry.statusCode, 202, retry.body);
      await until(async () => (await deliveries(h, '?status=sent')).length === 1);
      assert.equal(receiver.received.length, 4);
      const again = await h.app.inject({ method: 'POST', url: `/api/v1/deliveries/${dead!.id}/retry`, headers: h.auth });
      assert.equal(again.statusCode, 409);
      assert.equal((again.json() as { error: { code: string } }).error.code, 'NOT_DEAD_LETTER');
      const scraped = await metrics.registry.metrics();
      assert.match(scraped, /yagura_alert_deliveries_total\{type="webhook",outcome="failed"\} 2/);
      assert.match(scraped, /yagura_alert_deliveries_total\{type="webhook",outcome="dead"\} 1/);
      assert.match(scraped, /yagura_alert_deliveries_total\{type="webhook",outcome="sent"\} 1/);
      assert.match(scraped, /yagura_alert_latency_seconds_count\{type="webhook"\} 1/);
    } finally {
      await h.stop();
    }
  });

  test('a connection refused or a receiver that never answers is retried like a 5xx', async () => {
    const h = await folder.open();
    try {
      await setUp(h, receiver.url);
      receiver.answer = 'down';
      await h.ingest([eventOf(findingDoc({ id: 'reset1', severity: 8 }))]);
      await until(async () => (await deliveries(h, '?status=dead')).length === 1);
      const [dead] = await deliveries(h, '?status=dead');
      assert.match(dead!.lastError ?? '', /cannot reach the receiver/);
    } finally {
      await h.stop();
    }
  });

  test('a finding accepted just before a stop is alerted exactly once after the restart', async () => {
    const first = await folder.open({ start: false });
    await setUp(first, receiver.url);
    // Alerting is not running: the finding is acknowledged, nothing is evaluated or sent yet.
    await first.ingest([eventOf(findingDoc({ id: 'crash1', severity: 8 }))]);
    await first.stop();
    assert.equal(receiver.received.length, 0);

    const second = await folder.open();
    try {
      await receiver.waitFor(1);
      await second.alerts.settled();
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(receiver.received.length, 1);
      assert.equal((await deliveries(second, '?status=sent')).length, 1);
    } finally {
      await second.stop();
    }
    const third = await folder.open();
    try {
      await third.alerts.settled();
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(receiver.received.length, 1, 'a confirmed delivery is never repeated after a restart');
    } finally {
      await third.stop();
    }
  });

  test('a delivery that failed and waits for its retry when the server stops is sent once after the restart', async () => {
    const first = await folder.open({ alerts: { retryBaseMilliseconds: 400, retryMaxMilliseconds: 400, maxAttempts: 10 } });
    await setUp(first, receiver.url);
    receiver.answer = 503;
    await first.ingest([eventOf(findingDoc({ id: 'queued1', severity: 8 }))]);
    await until(async () => (await deliveries(first, '?status=pending')).some((d) => d.attempts === 1));
    await first.stop();
    assert.equal(receiver.received.length, 1);

    receiver.answer = 200;
    const second = await folder.open();
    try {
      await until(async () => (await deliveries(second, '?status=sent')).length === 1);
      assert.equal(receiver.received.length, 2);
      assert.equal(receiver.received[0]!.headers['idempotency-key'], receiver.received[1]!.headers['idempotency-key']);
    } finally {
      await second.stop();
    }
    const third = await folder.open();
    try {
      await third.alerts.settled();
      await new Promise((r) => setTimeout(r, 150));
      assert.equal(receiver.received.length, 2);
    } finally {
      await third.stop();
    }
  });

  test('a digest collects what matched in its period into one message', async () => {
    const h = await folder.open();
    try {
      await setUp(h, receiver.url, { kind: 'digest', schedule: '*/2 * * * * *', timezone: 'Europe/Paris' });
      await h.ingest([eventOf(findingDoc({ id: 'dg1', severity: 8 })), eventOf(findingDoc({ id: 'dg2', severity: 9.2 })), eventOf(findingDoc({ id: 'low', severity: 2 }))]);
      await h.alerts.settled();
      assert.equal(receiver.received.length, 0, 'a digest waits for its schedule');
      const [request] = await receiver.waitFor(1, 5000);
      const body = JSON.parse(request!.body) as { kind: string; total: number; findings: Array<{ id: string; band: string }>; period: { from: string; to: string } };
      assert.equal(body.kind, 'digest');
      assert.equal(body.total, 2);
      assert.deepEqual(body.findings.map((f) => [f.id, f.band]), [['dg2', 'Critical'], ['dg1', 'High']]);
      assert.ok(Date.parse(body.period.from) <= Date.parse(body.period.to));
      // Nothing new arrived: the next period sends nothing.
      await new Promise((r) => setTimeout(r, 2200));
      assert.equal(receiver.received.length, 1);
    } finally {
      await h.stop();
    }
  });
});

describe('alerting without rules', () => {
  test('prunes a change log longer than one prune statement takes, as an import leaves it, down to nothing', async () => {
    const folder = await alertsFolder();
    const h = await folder.open({ start: false });
    try {
      // More than two chunks of the engine's prune: a loop that stopped after one would leave rows behind.
      await h.embedded.store.upsert(Array.from({ length: 12_345 }, (_, i) => finding({ id: `imported${i}` })), Date.now());
      assert.equal((await h.embedded.store.changesSince(0, 20_000)).length, 12_345);
      await h.alerts.start();
      await h.alerts.settled();
      assert.deepEqual(await h.embedded.store.changesSince(0, 10), [], 'the whole log was pruned');
      assert.equal(await h.alerts.alerts.evaluation.cursor(), await h.embedded.store.lastChange());
    } finally {
      await h.stop();
      await folder.remove();
    }
  });

  test('skips the change log while no rule exists, and a rule created later alerts only on what arrives after it', async () => {
    const folder = await alertsFolder();
    const receiver = await httpReceiver();
    const h = await folder.open();
    try {
      await h.ingest([eventOf(findingDoc({ id: 'before-rule', severity: 9 }))]);
      await h.alerts.settled();
      assert.equal(await h.embedded.store.lastChange(), await h.alerts.alerts.evaluation.cursor());
      assert.deepEqual(await h.embedded.store.changesSince(0, 10), [], 'the log was pruned up to the cursor');
      await setUp(h, receiver.url);
      await h.ingest([eventOf(findingDoc({ id: 'after-rule', severity: 9 }))]);
      const [request] = await receiver.waitFor(1);
      assert.equal((JSON.parse(request!.body) as { findings: Array<{ id: string }> }).findings[0]!.id, 'after-rule');
      await h.alerts.settled();
      assert.equal(receiver.received.length, 1);
    } finally {
      await h.stop();
      await receiver.close();
      await folder.remove();
    }
  });
});

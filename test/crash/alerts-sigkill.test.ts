// Alerting across SIGKILL of the real server: a delivery in flight when the process dies is sent again after the
// restart with the same idempotency key (the documented at-least-once window), and a confirmed one never again.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { spawnServe, type ServeProcess } from '../support/serve-process.js';

const KEY = 'alerts-crash-bootstrap-key-0123456789';

function start(data: string, config: string): Promise<ServeProcess> {
  return spawnServe(data, { key: KEY, args: ['--config', config] });
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a delivery in flight at SIGKILL is sent again once with the same idempotency key; a confirmed one never again', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-alerts-crash-'));
  const data = path.join(dir, 'data');
  const config = path.join(dir, 'config.json');
  await writeFile(config, JSON.stringify({ alerts: { allowPrivateNetworks: true, retryBaseMilliseconds: 50, retryMaxMilliseconds: 200 } }));
  const received: Array<{ key: string; at: number }> = [];
  let hang = true;
  const hanging: ServerResponse[] = [];
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ key: String(req.headers['idempotency-key']), at: Date.now() });
      if (hang) hanging.push(res);
      else res.writeHead(200).end('ok');
    });
  });
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  let server = await start(data, config);
  const api = async (method: string, url: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${server.url}${url}`, { method, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
    assert.ok(res.ok, `${method} ${url} answered ${res.status}`);
    return res.json();
  };
  try {
    const destination = (await api('POST', '/api/v1/destinations', { type: 'webhook', name: 'siem', url: `${receiverUrl}/hook`, secret: 'sixteen-characters!' })) as { id: string };
    await api('POST', '/api/v1/alert-rules', { name: 'high', minBand: 'High', trigger: { kind: 'new' }, routes: [{ destination: destination.id }] });
    await api('POST', '/api/v1/events', [eventOf(findingDoc({ id: 'inflight', severity: 8 }))]);
    await until(() => received.length === 1);
    // The receiver holds the request: the server dies between sending and confirming.
    await kill(server.child);
    for (const res of hanging) res.destroy();
    hang = false;

    server = await start(data, config);
    await until(() => received.length === 2);
    assert.equal(received[1]!.key, received[0]!.key, 'the repeat carries the same idempotency key');
    await until(async () => ((await api('GET', '/api/v1/deliveries?status=sent')) as { deliveries: unknown[] }).deliveries.length === 1);

    // A confirmed delivery survives another SIGKILL and is not sent again; a redelivered finding alerts nothing.
    await kill(server.child);
    server = await start(data, config);
    await api('POST', '/api/v1/events', [eventOf(findingDoc({ id: 'inflight', severity: 8 }))]);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(received.length, 2);
    const all = (await api('GET', '/api/v1/deliveries')) as { deliveries: Array<{ status: string; attempts: number }> };
    assert.deepEqual(all.deliveries.map((d) => [d.status, d.attempts]), [['sent', 1]]);
  } finally {
    server.child.kill('SIGKILL');
    receiver.closeAllConnections();
    receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
});

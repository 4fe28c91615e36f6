// Three `yagura serve` processes (dist/) on one PostgreSQL database and one S3-compatible bucket (s3rver): findings
// are posted through all three, the one holding the alerting and archive leases is killed with SIGKILL in the middle
// of the load and started again, and afterwards every acknowledged finding is in the store once and in the archive
// once, and every alert was sent once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { httpReceiver, type HttpReceiver } from '../support/receivers.js';
import { S3RVER_CREDENTIALS, startS3Server, type S3Server } from '../support/s3-server.js';
import { spawnServe, type ServeProcess } from '../support/serve-process.js';

const KEY = 'cluster-bootstrap-key-0123456789abcdef';
const PREFIX = 'cluster';
const ALERTED = '444444444444';
/** Writers, one per instance, each posting batches of this many findings. */
const BATCHES = 40;
const BATCH = 10;

let database: TestDatabase;
let s3: S3Server;
let receiver: HttpReceiver;
let dir: string;
const running = new Set<ServeProcess>();

function env(): NodeJS.ProcessEnv {
  return {
    YAGURA_DATABASE_URL: database.url,
    YAGURA_ARCHIVE_URL: `s3://${s3.bucket}/${PREFIX}`,
    YAGURA_ARCHIVE_ENDPOINT: s3.endpoint,
    YAGURA_ARCHIVE_FORCE_PATH_STYLE: 'true',
    YAGURA_ARCHIVE_REGION: 'us-east-1',
    YAGURA_ARCHIVE_ROLL_SECONDS: '1',
    YAGURA_MASTER_KEY: masterKey,
    YAGURA_ALERTS_ALLOW_PRIVATE_NETWORKS: 'true',
    // A delivery the killed instance had claimed is taken over after this (the default is three minutes).
    YAGURA_ALERTS_CLAIM_SECONDS: '15',
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: '',
  };
}
const masterKey = randomBytes(32).toString('base64');

async function start(name: string): Promise<ServeProcess> {
  const server = await spawnServe(path.join(dir, name), { key: KEY, env: env() });
  running.add(server);
  server.child.once('exit', () => running.delete(server));
  return server;
}

async function call(server: ServeProcess, method: string, route: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}${route}`, {
    method,
    headers: { 'x-api-key': KEY, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await sleep(250);
  }
}

before(async () => {
  database = await createTestDatabase('cluster');
  s3 = await startS3Server();
  receiver = await httpReceiver();
  dir = await mkdtemp(path.join(tmpdir(), 'yagura-cluster-'));
});

after(async () => {
  for (const server of running) server.child.kill('SIGKILL');
  await receiver?.close();
  await s3?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

test('three instances, one killed with SIGKILL mid-load: every acknowledged finding stored once, archived once, alerted once', { timeout: 300_000 }, async () => {
  // The first instance migrates the database, takes the alerting and archive leases, and gets the alert rule.
  const first = await start('one');
  const destination = (await (await call(first, 'POST', '/api/v1/destinations', { type: 'webhook', name: 'hook', url: `${receiver.url}/hook`, secret: 'sixteen-characters!' })).json()) as { id: string };
  const rule = await call(first, 'POST', '/api/v1/alert-rules', { name: 'watched', query: `accountId:${ALERTED}`, minBand: 'Low', trigger: { kind: 'new' }, routes: [{ destination: destination.id }] });
  assert.equal(rule.status, 201, await rule.clone().text());
  const instances = [first, await start('two'), await start('three')];

  const acknowledged = new Set<string>();
  let killed = false;
  const writer = async (w: number): Promise<void> => {
    for (let b = 0; b < BATCHES; b++) {
      const ids = Array.from({ length: BATCH }, (_, i) => `w${w}-b${b}-${i}`);
      const events = ids.map((id, i) => eventOf(findingDoc({ id, accountId: i === 0 ? ALERTED : `11112222${String(w).padStart(4, '0')}` })));
      // Like a load balancer: a writer whose instance is gone posts through the next one.
      const target = killed && w === 0 ? instances[1]! : instances[w]!;
      try {
        const res = await call(target, 'POST', '/api/v1/events', events);
        if (res.status === 200) for (const id of ids) acknowledged.add(id);
        else assert.ok(res.status === 503, `${res.status}: ${await res.text()}`);
      } catch {
        // The connection died with the instance: nothing was acknowledged.
      }
      if (w === 0 && b === Math.floor(BATCHES / 3)) {
        first.child.kill('SIGKILL');
        killed = true;
      }
    }
  };
  await Promise.all([0, 1, 2].map(writer));
  assert.ok(killed);
  assert.ok(acknowledged.size >= 2 * BATCHES * BATCH, `${acknowledged.size} findings acknowledged`);
  // The killed instance comes back on its folder, as a supervisor would start it again.
  instances[0] = await start('one');

  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    // The store: every acknowledged finding, once, with one version.
    const rows = (await admin.query<{ account_id: string; id: string; versions: number }>('SELECT account_id, id, versions FROM findings')).rows;
    const stored = new Map(rows.map((r) => [r.id, r]));
    assert.equal(stored.size, rows.length, 'one record per finding');
    for (const id of acknowledged) assert.equal(stored.get(id)?.versions, 1, `${id} stored once`);

    // The archive: once every outbox object is written and confirmed, each stored finding is in exactly one line.
    await until('the outbox draining', 60_000, async () => Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM archive_objects')).rows[0]!.n) === 0);
    const lines = new Map<string, number>();
    for (const key of await s3.keys(PREFIX)) {
      for (const line of gunzipSync(await s3.read(key)).toString('utf8').split('\n').filter(Boolean)) {
        const id = (JSON.parse(line) as { id: string }).id;
        lines.set(id, (lines.get(id) ?? 0) + 1);
      }
    }
    for (const id of stored.keys()) assert.equal(lines.get(id), 1, `${id} archived once`);
    assert.equal(lines.size, stored.size, 'nothing archived that the store does not hold');

    // Alerts: one per stored finding of the watched account, whichever instance evaluated and delivered it. A send
    // cut off by the kill after the receiver answered is repeated with the same Idempotency-Key, which names the alert.
    const watched = [...stored.values()].filter((r) => r.account_id === ALERTED).map((r) => r.id).sort();
    const alertsByFinding = (): Map<string, Set<string>> => {
      const keys = new Map<string, Set<string>>();
      for (const r of receiver.received) {
        const body = JSON.parse(r.body) as { findings: Array<{ id: string }> };
        for (const f of body.findings) keys.set(f.id, (keys.get(f.id) ?? new Set()).add(String(r.headers['idempotency-key'])));
      }
      return keys;
    };
    await until('every watched finding alerted', 90_000, async () => alertsByFinding().size >= watched.length);
    // Longer than a claim: a delivery that could still be sent a second time would have been by now.
    await sleep(16_000);
    const alerts = alertsByFinding();
    assert.deepEqual([...alerts.keys()].sort(), watched);
    for (const [id, keys] of alerts) assert.equal(keys.size, 1, `${id}: one alert`);
    const delivered = (await admin.query<{ n: string }>("SELECT count(*) AS n FROM alert_deliveries WHERE status <> 'sent'")).rows[0]!.n;
    assert.equal(Number(delivered), 0, 'every delivery recorded as sent');
  } finally {
    await admin.end();
  }
  // The instances, the restarted one included, still serve the store.
  for (const server of instances.filter((s) => running.has(s))) {
    const page = (await (await call(server, 'GET', '/api/v1/findings?size=1')).json()) as { total: number };
    assert.ok(page.total > 0);
  }
});

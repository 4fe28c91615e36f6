// `yagura serve` on a PostgreSQL store: ingest, read back, administration and the audit log land in the database,
// and a second server on the same database sees them (two instances, one store).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { configSchema } from '../../src/config/schema.js';
import { startServer, type Server } from '../../src/main.js';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { httpReceiver } from '../support/receivers.js';
import { setTimeout as sleep } from 'node:timers/promises';

const KEY = 'postgres-serve-bootstrap-key-0123456789';

describe('yagura serve on PostgreSQL', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let dir: string;
  const servers: Server[] = [];
  // Instances sharing a store share its sealed secrets: the master key comes from the environment, not a folder.
  const masterKey = randomBytes(32).toString('base64');
  let savedMasterKey: string | undefined;

  const start = async (name: string): Promise<Server> => {
    const server = await startServer(
      configSchema.parse({ dataDir: path.join(dir, name), port: 0, bootstrapKey: KEY, logLevel: 'silent', store: { url: database.url, poolSize: 4 }, alerts: { allowPrivateNetworks: true } }),
    );
    servers.push(server);
    return server;
  };
  const call = async (server: Server, method: string, route: string, body?: unknown): Promise<Response> =>
    fetch(`${server.url}${route}`, { method, headers: { 'x-api-key': KEY, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });

  before(async () => {
    database = await createTestDatabase('serve');
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-pg-serve-'));
    savedMasterKey = process.env.YAGURA_MASTER_KEY;
    process.env.YAGURA_MASTER_KEY = masterKey;
  });
  after(async () => {
    for (const server of servers) await server.close().catch(() => undefined);
    if (savedMasterKey === undefined) delete process.env.YAGURA_MASTER_KEY;
    else process.env.YAGURA_MASTER_KEY = savedMasterKey;
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('stores, reads back and administers through PostgreSQL, and a second instance on the same store sees it all', async () => {
    const one = await start('one');
    const posted = await call(one, 'POST', '/api/v1/events', [eventOf(findingDoc({ id: 'pg-1', accountId: '111111111111' })), eventOf(findingDoc({ id: 'pg-2', accountId: '222222222222' }))]);
    assert.equal(posted.status, 200, await posted.clone().text());
    assert.equal(((await posted.json()) as { created: number }).created, 2);
    const one1 = await call(one, 'GET', '/api/v1/findings/111111111111/us-east-1/pg-1');
    assert.equal(one1.status, 200, await one1.clone().text());
    const page = await call(one, 'GET', '/api/v1/findings?size=10');
    assert.equal(page.status, 200, await page.clone().text());
    assert.equal(((await page.json()) as { total: number }).total, 2);
    assert.equal((await call(one, 'POST', '/api/v1/policies', { name: 'reader', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:*', Resource: 'arn:aws:guardduty:*:111111111111:detector/*/finding/*' }] } })).status, 201);
    assert.equal((await call(one, 'POST', '/api/v1/roles', { name: 'reader', policies: ['reader'] })).status, 201);
    const key = (await (await call(one, 'POST', '/api/v1/keys', { name: 'r', role: 'reader' })).json()) as { key: string };

    const two = await start('two');
    const scoped = await fetch(`${two.url}/api/v1/findings?size=10`, { headers: { 'x-api-key': key.key } });
    assert.equal(scoped.status, 200, await scoped.clone().text());
    assert.deepEqual(((await scoped.json()) as { findings: { finding: { id: string } }[] }).findings.map((f) => f.finding.id), ['pg-1'], 'the second instance knows the key, the role and the findings, scoped');
    // Each instance writes its audit entries in batches (every 200 ms): the other sees them once written.
    let entries: { route: string }[] = [];
    for (let attempt = 0; attempt < 50 && !entries.some((e) => e.route === '/api/v1/events'); attempt++) {
      if (attempt > 0) await sleep(100);
      const audit = await call(two, 'GET', '/api/v1/audit?size=50');
      assert.equal(audit.status, 200, await audit.clone().text());
      entries = ((await audit.json()) as { entries: { route: string }[] }).entries;
    }
    assert.ok(entries.some((e) => e.route === '/api/v1/events'), "the first instance's calls are in the shared audit log");
  });

  test('with two instances, an alert is sent once: only the holder of the evaluation lease evaluates, and the other takes over when it stops', async () => {
    const receiver = await httpReceiver();
    try {
      const one = servers[0]!;
      const destination = (await (await call(one, 'POST', '/api/v1/destinations', { type: 'webhook', name: 'hook', url: `${receiver.url}/hook`, secret: 'sixteen-characters!' })).json()) as { id: string };
      const created = await call(one, 'POST', '/api/v1/alert-rules', { name: 'everything', query: 'accountId:444444444444', minBand: 'Low', trigger: { kind: 'new' }, routes: [{ destination: destination.id }] });
      assert.equal(created.status, 201, await created.clone().text());
      // Rules are read at evaluation; the instances reload theirs on a rule change made through them, so restart the
      // second to be sure both know the rule, as a rolling restart would.
      const two = await start('three');
      await call(two, 'POST', '/api/v1/events', [eventOf(findingDoc({ id: 'alert-1', accountId: '444444444444' }))]);
      await receiver.waitFor(1, 30_000);
      await sleep(2 * 5_000 + 1_000);
      assert.equal(receiver.received.length, 1, 'sent once, whichever instance evaluated');
      // The first instance took the lease when it started; when it stops, another takes it over within seconds.
      await one.close();
      servers.splice(servers.indexOf(one), 1);
      await call(two, 'POST', '/api/v1/events', [eventOf(findingDoc({ id: 'alert-2', accountId: '444444444444' }))]);
      await receiver.waitFor(2, 30_000);
      await sleep(2 * 5_000 + 1_000);
      assert.equal(receiver.received.length, 2, 'the second alert, once, from the instance that took over');
    } finally {
      await receiver.close();
    }
  });

  test("an instance's live stream carries the findings another instance stored", { timeout: 30_000 }, async () => {
    const [reader, writer] = [servers[0]!, servers[servers.length - 1]!];
    assert.notEqual(reader, writer);
    const res = await fetch(`${reader.url}/api/v1/stream?q=accountId:555555555555`, { headers: { 'x-api-key': KEY } });
    assert.equal(res.status, 200);
    const body = res.body!.getReader();
    await body.read();
    assert.equal((await call(writer, 'POST', '/api/v1/events', [eventOf(findingDoc({ id: 'streamed', accountId: '555555555555' }))])).status, 200);
    let text = '';
    while (!text.includes('event: finding')) {
      const next = await body.read();
      if (next.done) break;
      text += new TextDecoder().decode(next.value);
    }
    await body.cancel().catch(() => undefined);
    // How soon is the benchmark's to measure, not a test's: here only that it arrives.
    assert.match(text, /"id":"streamed"/);
  });

  test("an instance's overview, answered from its in-memory facets, counts what another instance stored and archived", { timeout: 30_000 }, async () => {
    const [reader, writer] = [servers[0]!, servers[servers.length - 1]!];
    assert.notEqual(reader, writer);
    const facetsReady = async (server: Server): Promise<boolean> => /^yagura_store_facets_ready\{[^}]*\} 1$/m.test(await (await call(server, 'GET', '/metrics')).text());
    for (const server of [reader, writer]) {
      for (let i = 0; i < 100 && !(await facetsReady(server)); i++) await sleep(100);
      assert.equal(await facetsReady(server), true, 'the facets are loaded');
    }
    const overview = async (): Promise<{ total: number; archived: number }> => {
      const res = await call(reader, 'POST', '/api/v1/aggregate', { q: 'accountId:666666666666', aggs: { archived: { terms: { field: 'archived' } } } });
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as { total: number; aggregations: { archived: { buckets: Array<{ key: string; doc_count: number }> } } };
      return { total: body.total, archived: body.aggregations.archived.buckets.find((b) => b.key === 'true')?.doc_count ?? 0 };
    };
    const until = async (expected: { total: number; archived: number }): Promise<void> => {
      for (let i = 0; i < 100 && JSON.stringify(await overview()) !== JSON.stringify(expected); i++) await sleep(50);
      assert.deepEqual(await overview(), expected);
    };
    assert.deepEqual(await overview(), { total: 0, archived: 0 });
    assert.equal((await call(writer, 'POST', '/api/v1/events', [eventOf(findingDoc({ id: 'counted', accountId: '666666666666' }))])).status, 200);
    await until({ total: 1, archived: 0 });
    assert.equal((await call(writer, 'POST', '/api/v1/findings/666666666666/us-east-1/counted/archive')).status, 200);
    await until({ total: 1, archived: 1 });
  });

  test('connections the server kills (as a restart does) cost a 503 at most, and nothing acknowledged is lost', async () => {
    const server = servers[0]!;
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const acknowledged: string[] = [];
    try {
      for (let round = 0; round < 3; round++) {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
        for (let i = 0; i < 5; i++) {
          const id = `kill-${round}-${i}`;
          const res = await call(server, 'POST', '/api/v1/events', [eventOf(findingDoc({ id, accountId: '333333333333' }))]);
          assert.ok(res.status === 200 || res.status === 503, `${res.status}: ${await res.clone().text()}`);
          if (res.status === 200) acknowledged.push(id);
        }
      }
    } finally {
      await admin.end();
    }
    assert.ok(acknowledged.length >= 12, `the pool reconnects: ${acknowledged.length} of 15 acknowledged`);
    for (const id of acknowledged) assert.equal((await call(server, 'GET', `/api/v1/findings/333333333333/us-east-1/${id}`)).status, 200, id);
  });

  test('/health says unavailable (503) when the database stops answering, and /metrics names the instance', async () => {
    const server = servers[0]!;
    const metrics = await (await call(server, 'GET', '/metrics')).text();
    assert.match(metrics, /yagura_store_findings\{instance="[^"]+:\d+"\} \d+/);
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
    await database.drop();
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 503);
    assert.equal(((await health.json()) as { status: string }).status, 'unavailable');
    const posted = await call(server, 'POST', '/api/v1/events', [eventOf(findingDoc({ id: 'pg-lost' }))]);
    assert.equal(posted.status, 503, `nothing is acknowledged without the store, and the client is told to retry: ${await posted.clone().text()}`);
    assert.equal(((await posted.json()) as { error: { code: string } }).error.code, 'STORE_UNAVAILABLE');
  });
});

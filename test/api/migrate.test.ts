// `yagura migrate`: a demo data folder used for a while (principals, keys, a session, an alert rule with its
// destination and a delivery, an archived finding with history, the audit log) is copied into PostgreSQL, and a
// server started on that database answers as the folder's server did; a copy killed midway resumes; bad input
// ends with one line and a non-zero exit.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import pg from 'pg';
import { verifySignature } from '../../src/alerts/sinks/webhook/signature.js';
import { createKey } from '../../src/auth/api-keys.js';
import { Keyring } from '../../src/auth/secrets/keyring.js';
import { configSchema } from '../../src/config/schema.js';
import { normalizeFinding } from '../../src/findings/normalize.js';
import { openEmbedded, startServer, type Server } from '../../src/main.js';
import { openPostgresBackend } from '../../src/store/postgres/postgres-backend.js';
import { storeConfigSchema } from '../../src/store/postgres/postgres-config.js';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { ROOT, type CliResult } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { httpReceiver, type HttpReceiver } from '../support/receivers.js';

const KEY = 'migrate-bootstrap-key-0123456789abcdef';
const SECRET = 'a-webhook-secret-kept-sealed';
const ACCOUNT = '111122223333';
const FINDING = `/api/v1/findings/${ACCOUNT}/us-east-1/migrated-with-history`;
const CSRF = { 'x-yagura-request': '1' };

/** `yagura ARGS` from the sources in a child process, without the runner's YAGURA_* settings. */
function spawnYagura(args: readonly string[]): ChildProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YAGURA_')));
  return spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], { env: clean, cwd: ROOT });
}

function yagura(args: readonly string[]): Promise<CliResult> {
  const child = spawnYagura(args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })));
}

async function call(server: Server, method: string, route: string, body?: unknown, headers: Record<string, string> = { 'x-api-key': KEY }): Promise<Response> {
  return fetch(`${server.url}${route}`, {
    method,
    headers: { ...headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
}

async function json(server: Server, method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<any> {
  const res = await call(server, method, route, body, headers);
  assert.ok(res.status < 300, `${method} ${route}: ${res.status} ${await res.clone().text()}`);
  return res.status === 204 ? undefined : res.json();
}

/** What a copy holds, counted in the database (the audit log aside: reading the folder's adds to it). */
async function counts(url: string): Promise<unknown[]> {
  return sql(
    url,
    `SELECT (SELECT count(*) FROM findings)::int AS findings, (SELECT count(*) FROM finding_versions)::int AS versions,
            (SELECT count(*) FROM api_keys)::int AS keys, (SELECT count(*) FROM alert_deliveries)::int AS deliveries, (SELECT count(*) FROM archive_outbox)::int AS outbox`,
  );
}

async function sql<R extends object>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as R[];
  } finally {
    await client.end();
  }
}

describe('yagura migrate', { timeout: 600_000 }, () => {
  let dir: string;
  let source: string;
  let receiver: HttpReceiver;
  let target: TestDatabase;
  const databases: TestDatabase[] = [];
  const servers: Server[] = [];
  /** What the folder's server answered, to compare with the answers of the server on the copy. */
  const seen: Record<string, unknown> = {};
  let readerKey: { key: string; accessKeyId: string; secretAccessKey: string };
  let sessionCookie = '';
  let destination = '';
  let stoppedAt = 0;
  /** What the uninterrupted copy held before a server used it. */
  let copied: unknown[] = [];
  /** The copy that was killed and resumed, which no server used. */
  let resumedCopy: TestDatabase;
  let startedAt = 0;

  before(async () => {
    startedAt = Date.now();
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-migrate-'));
    source = path.join(dir, 'source');
    receiver = await httpReceiver();
    target = await createTestDatabase('migrate');
    databases.push(target);
    const server = await startServer(
      configSchema.parse({ dataDir: source, port: 0, bootstrapKey: KEY, logLevel: 'silent', demo: true, alerts: { allowPrivateNetworks: true, retryBaseMilliseconds: 20 } }),
    );
    servers.push(server);
    // Principals: a scoped policy and role, a group, a user with a password, a key with signing credentials.
    await json(server, 'POST', '/api/v1/policies', {
      name: 'one-account',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:*', Resource: `arn:aws:guardduty:*:${ACCOUNT}:detector/*/finding/*` }] },
    });
    await json(server, 'POST', '/api/v1/roles', { name: 'Reader', policies: ['one-account'], description: 'reads one account', tags: { team: 'blue' } });
    await json(server, 'POST', '/api/v1/groups', { name: 'analysts', policies: ['one-account'] });
    await json(server, 'POST', '/api/v1/users', { name: 'alice', groups: ['analysts'], password: 'correct horse battery staple', tags: { desk: 'soc' } });
    readerKey = await json(server, 'POST', '/api/v1/keys', { name: 'reader', role: 'Reader' });
    const login = await call(server, 'POST', '/api/v1/sessions', { username: 'alice', password: 'correct horse battery staple' }, CSRF);
    assert.equal(login.status, 201, await login.clone().text());
    sessionCookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
    // Alerting: a webhook destination (its secret sealed), a rule routed to it, a delivery once a finding matches.
    destination = (await json(server, 'POST', '/api/v1/destinations', { type: 'webhook', name: 'siem', url: `${receiver.url}/hook`, secret: SECRET })).id;
    await json(server, 'POST', '/api/v1/alert-rules', { name: 'history', query: 'id:migrated-with-history', minBand: 'Low', trigger: { kind: 'new' }, routes: [{ destination }] });
    // A finding with history (a newer version, then an older one that arrives late), archived in Yagura.
    const version = (updatedAt: string, count: number): unknown => eventOf(findingDoc({ id: 'migrated-with-history', accountId: ACCOUNT, updatedAt, count, createdAt: '2026-11-20T08:00:00.000Z' }));
    for (const [updatedAt, count] of [['2026-11-20T09:00:00.000Z', 2], ['2026-11-20T10:00:00.000Z', 3], ['2026-11-20T08:30:00.000Z', 1]] as const) {
      await json(server, 'POST', '/api/v1/events', [version(updatedAt, count)]);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await json(server, 'POST', `${FINDING}/archive`);
    await receiver.waitFor(1, 10_000);
    // What the folder's server answers: read back from the copy's server later.
    seen.finding = await json(server, 'GET', FINDING);
    seen.keys = await json(server, 'GET', '/api/v1/keys');
    seen.users = await json(server, 'GET', '/api/v1/users/alice');
    seen.roles = await json(server, 'GET', '/api/v1/roles');
    seen.rules = await json(server, 'GET', '/api/v1/alert-rules');
    seen.deliveries = await json(server, 'GET', '/api/v1/deliveries');
    seen.total = (await json(server, 'GET', '/api/v1/findings?size=1')).total;
    await server.close();
    servers.pop();
    stoppedAt = Date.now();
  });
  after(async () => {
    for (const server of servers) await server.close().catch(() => undefined);
    await receiver?.close();
    for (const database of databases) await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const audit = async (server: Server): Promise<unknown[]> =>
    (await json(server, 'GET', `/api/v1/audit?size=500&from=${new Date(startedAt - 1000).toISOString()}&to=${new Date(stoppedAt).toISOString()}`)).entries;

  test('copies the folder into PostgreSQL, and a server on the copy answers as the folder did', async () => {
    const run = await yagura(['migrate', '--from', source, '--to', target.url, '--batch-size', '200']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /verified: every count matches; \d+ findings compared with their history/);
    assert.match(run.stdout, /master key: .*copied as sealed with master key [A-Za-z0-9_-]{8}; start every instance on it with the same key: copy .*master\.key/);
    assert.deepEqual(await sql(target.url, 'SELECT count(*)::int AS n FROM archive_outbox'), [{ n: 0 }], 'no version waits for an archive: they are in the folder’s');
    assert.deepEqual(await sql(target.url, 'SELECT count(*)::int AS n FROM finding_changes'), [{ n: 0 }], 'copied versions are not news to alert rules or live streams');
    copied = await counts(target.url);

    // The same master key as the folder: its key file, copied into the new server's folder.
    const folder = path.join(dir, 'on-postgres');
    await mkdir(folder, { recursive: true });
    copyFileSync(path.join(source, 'master.key'), path.join(folder, 'master.key'));
    const server = await startServer(
      configSchema.parse({ dataDir: folder, port: 0, logLevel: 'silent', store: { url: target.url, poolSize: 4 }, alerts: { allowPrivateNetworks: true } }),
    );
    servers.push(server);
    assert.equal(server.bootstrap.created, false, 'the keys came along: no new administrator key is made');

    assert.equal((await json(server, 'GET', '/api/v1/findings?size=1')).total, seen.total);
    assert.deepEqual(await json(server, 'GET', FINDING), seen.finding, 'the finding, its history, first and last seen and its archived state');
    const history = (seen.finding as { history: unknown[] }).history;
    assert.equal(history.length, 3);
    assert.deepEqual(await json(server, 'GET', '/api/v1/keys'), seen.keys);
    assert.deepEqual(await json(server, 'GET', '/api/v1/users/alice'), seen.users);
    assert.deepEqual(await json(server, 'GET', '/api/v1/roles'), seen.roles);
    assert.deepEqual(await json(server, 'GET', '/api/v1/alert-rules'), seen.rules);
    assert.deepEqual(await json(server, 'GET', '/api/v1/deliveries'), seen.deliveries);

    // The key's bearer secret and its signing secret (sealed) both work; so does the session opened on the folder.
    const scoped = await json(server, 'GET', '/api/v1/findings?size=500', undefined, { 'x-api-key': readerKey.key });
    assert.ok(scoped.total > 0 && scoped.findings.every((f: { finding: { accountId: string } }) => f.finding.accountId === ACCOUNT), 'the key keeps its role and policy');
    const port = Number(new URL(server.url).port);
    const signer = new SignatureV4({ service: 'yagura', region: 'us-east-1', credentials: readerKey, sha256: Hash.bind(null, 'sha256') });
    const signedRequest = await signer.sign(new HttpRequest({ method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port, path: FINDING, headers: { host: `127.0.0.1:${port}` } }));
    const { host: _host, ...signedHeaders } = signedRequest.headers;
    const signedAnswer = await fetch(`${server.url}${FINDING}`, { headers: signedHeaders });
    assert.equal(signedAnswer.status, 200, await signedAnswer.clone().text());
    const current = await call(server, 'GET', '/api/v1/sessions/current', undefined, { cookie: sessionCookie });
    assert.equal(current.status, 200, await current.clone().text());
    assert.equal(((await current.json()) as { name: string }).name, 'alice');

    // The destination's secret opens with the same master key: a test message is signed with it.
    const before = receiver.received.length;
    assert.equal((await json(server, 'POST', `/api/v1/destinations/${destination}/test`)).ok, true);
    const [sent] = await receiver.waitFor(before + 1);
    const hook = receiver.received[before] ?? sent!;
    assert.ok(verifySignature(SECRET, String(hook.headers['x-yagura-timestamp']), hook.body, String(hook.headers['x-yagura-signature']), Math.floor(Date.now() / 1000)));

    // The audit log of the folder, in order, with its times.
    const entries = await audit(server);
    assert.ok(entries.length > 10);
    servers.pop();
    await server.close();
    const folderServer = await startServer(configSchema.parse({ dataDir: source, port: 0, logLevel: 'silent' }));
    servers.push(folderServer);
    try {
      assert.deepEqual(entries, await audit(folderServer));
    } finally {
      servers.pop();
      await folderServer.close();
    }
  });

  test('a copy killed midway continues where it stopped when run again', async () => {
    const database = await createTestDatabase('migrate_resume');
    databases.push(database);
    resumedCopy = database;
    const child = spawnYagura(['migrate', '--from', source, '--to', database.url, '--batch-size', '20']);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise((resolve) => child.on('close', resolve));
    // Killed once some pages of findings are in, long before the last.
    const deadline = Date.now() + 120_000;
    for (;;) {
      assert.ok(Date.now() < deadline, `the copy made no progress: ${stderr}`);
      const mark = await sql<{ value: string }>(database.url, "SELECT value FROM meta WHERE key = 'migrate:findings'").catch(() => []);
      if (mark[0] && JSON.parse(mark[0].value).done === false && (await sql<{ n: number }>(database.url, 'SELECT count(*)::int AS n FROM findings'))[0]!.n >= 100) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGKILL');
    await exited;
    const [partial] = await sql<{ n: number }>(database.url, 'SELECT count(*)::int AS n FROM findings');
    assert.ok(partial!.n < (seen.total as number), `stopped midway (${partial!.n} findings copied)`);
    assert.deepEqual(await sql(database.url, 'SELECT count(*)::int AS n FROM audit_log'), [{ n: 0 }], 'the audit log comes after the findings');

    const resumed = await yagura(['migrate', '--from', source, '--to', database.url]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /\(continuing an earlier run\)/);
    assert.match(resumed.stdout, /verified: every count matches/);
    assert.deepEqual(await counts(database.url), copied, 'the resumed copy holds what the uninterrupted one held, nothing twice');

    const again = await yagura(['migrate', '--from', source, '--to', database.url]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /a copy finished earlier, verified again/);
  });

  test('refuses bad input with one line and a non-zero exit', async () => {
    const oneLine = (run: CliResult, pattern: RegExp): void => {
      assert.notEqual(run.code, 0);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr.trim(), pattern);
    };
    oneLine(await yagura(['migrate', '--from', path.join(dir, 'nothing-here'), '--to', target.url]), /^yagura: there is no Yagura data folder at .*nothing-here/);
    oneLine(await yagura(['migrate', '--from', source, '--to', 'mysql://db.example/yagura']), /store\.url must be a postgres:\/\/ or postgresql:\/\/ URL/);
    oneLine(await yagura(['migrate', '--from', source]), /name the target database with --to/);
    const unreachable = await yagura(['migrate', '--from', source, '--to', 'postgres://postgres:pa55word-in-url@127.0.0.1:1/nowhere']);
    oneLine(unreachable, /PostgreSQL at 127\.0\.0\.1:1\/nowhere is unavailable/);
    assert.doesNotMatch(unreachable.stderr + unreachable.stdout, /pa55word/, 'the password in the URL is never shown');

    // Another folder into the database holding this folder's copy.
    const other = path.join(dir, 'other');
    const embedded = await openEmbedded(other, 'test');
    const doc = normalizeFinding(findingDoc({ id: 'other-folder' }));
    assert.ok(doc.ok);
    await embedded.store.upsert([doc.finding], Date.now());
    await embedded.close();
    oneLine(await yagura(['migrate', '--from', other, '--to', target.url]), /the target database holds a copy of another store \(.*source\); migrate into an empty database/);

    // A database some server already used.
    const used = await createTestDatabase('migrate_used');
    databases.push(used);
    const backend = await openPostgresBackend({ config: storeConfigSchema.parse({ url: used.url }), secrets: Keyring.generate() });
    await createKey(backend.principals, 'admin', 'used-database-key-0123456789abcdef', Date.now());
    await backend.close();
    oneLine(await yagura(['migrate', '--from', other, '--to', used.url]), /the target database already holds data \(1 apiKeys\); migrate into an empty database/);

    // A copy into the same database under way (its lock held by another process's session).
    const busy = await createTestDatabase('migrate_busy');
    databases.push(busy);
    const copying = await openPostgresBackend({ config: storeConfigSchema.parse({ url: busy.url }), secrets: Keyring.generate() });
    try {
      assert.equal(await copying.lease('migrate').held(), true);
      oneLine(await yagura(['migrate', '--from', other, '--to', busy.url]), /^yagura: another yagura migrate is copying into PostgreSQL 127\.0\.0\.1:5432\/yagura_test_migrate_busy_\w+; run this one again once it has ended$/);
    } finally {
      await copying.close();
    }
    const free = await yagura(['migrate', '--from', other, '--to', busy.url]);
    assert.equal(free.code, 0, `once the other copy ended: ${free.stderr}`);

    // The folder used after its copy was made: the copy no longer matches it.
    const later = await openEmbedded(source, 'test');
    await later.backend.principals.createUser({ name: 'carol', tags: {}, groups: [], policies: [] }, Date.now());
    await later.close();
    oneLine(await yagura(['migrate', '--from', source, '--to', resumedCopy.url]), /^yagura: the copy does not match the source: users: 2 in the source, 1 in the target; if the folder was used since the copy began, start again with an empty database$/);

    // A folder its server holds.
    const server = await startServer(configSchema.parse({ dataDir: other, port: 0, logLevel: 'silent' }));
    servers.push(server);
    try {
      oneLine(await yagura(['migrate', '--from', other, '--to', used.url]), new RegExp(`held by a running server at ${server.url.replace(/[.]/g, '\\.')}; stop it, then run yagura migrate again`));
    } finally {
      servers.pop();
      await server.close();
    }
  });
});

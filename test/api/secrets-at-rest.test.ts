// Secrets at rest: destination secrets and session tokens appear in no file of the data folder, and the master
// key that seals them rotates (also after a rotation that stopped midway) without losing a value.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readKeyFile } from '../../src/auth/secrets/key-file.js';
import { keyFileOf } from '../../src/auth/secrets/load-keyring.js';
import { rotateMasterKey } from '../../src/auth/secrets/rotate-master-key.js';
import { sealedKeyId } from '../../src/auth/secrets/secret-box.js';
import { openEmbedded } from '../../src/main.js';
import { findingDoc } from '../fixtures/findings.js';
import { alertsFolder, type AlertsFolder } from '../support/alerts-harness.js';
import { ROOT, type CliResult } from '../support/cli.js';
import { readDataFile } from '../support/data-file.js';

const SLACK_URL = 'https://hooks.slack.com/services/T0SEALED/B0SEALED/slackSecretToken4f7e';
const SMTP_PASSWORD = 'smtp-password-9c1d83b2';
const WEBHOOK_SECRET = 'webhook-signing-secret-77a0e5';
const SECRETS = [SLACK_URL, 'slackSecretToken4f7e', SMTP_PASSWORD, WEBHOOK_SECRET];
/** Stored in clear on purpose (a finding id): proves the search reads what the folder holds. */
const CONTROL = 'cleartextcontrol0123456789abcdef';
const CSRF = { 'x-yagura-request': '1' };

/** Every file under `dir` (the store, its -wal and -shm, the archive, the lock) but the master key file. */
function dataFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !(e.parentPath === dir && e.name === 'master.key'))
    .map((e) => path.join(e.parentPath, e.name));
}

function filesHolding(dir: string, text: string): string[] {
  return dataFiles(dir).filter((file) => readFileSync(file).includes(Buffer.from(text)));
}

/** `yagura ARGS` from the sources, with the runner's YAGURA_* variables replaced by `env`. */
function yagura(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YAGURA_')));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), ...args], { env: { ...clean, ...env }, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The spec of destination `id` as the store opens it, with the keys of the folder (or of `env`). */
async function storedSpec(data: string, id: string, env: NodeJS.ProcessEnv = {}): Promise<Record<string, unknown> | undefined> {
  const embedded = await openEmbedded(data, 'test', { env });
  try {
    return (await embedded.backend.alerts.destinations.getDestination(id)) as Record<string, unknown> | undefined;
  } finally {
    await embedded.close();
  }
}

/** The destinations' specs as stored. */
async function storedValues(data: string): Promise<string[]> {
  const embedded = await openEmbedded(data, 'test');
  try {
    return readDataFile(data, (db) => (db.prepare('SELECT spec FROM alert_destinations').all() as Array<{ spec: string }>).map((r) => r.spec));
  } finally {
    await embedded.close();
  }
}

/** The ids of the master keys that sealed the stored destinations. */
async function keyIdsOfRows(data: string): Promise<string[]> {
  return [...new Set((await storedValues(data)).map((spec) => sealedKeyId(spec) ?? 'plain'))];
}

describe('secrets at rest', () => {
  let folder: AlertsFolder;
  let data: string;
  const ids: Record<'slack' | 'email' | 'webhook', string> = { slack: '', email: '', webhook: '' };

  before(async () => {
    folder = await alertsFolder();
    data = path.join(folder.dir, 'data');
  });
  after(async () => folder.remove());

  test('no destination secret or session token is in any file of the data folder, -wal and -shm included', async () => {
    const h = await folder.open({ resolve: async () => [{ address: '198.51.100.7', family: 4 }] });
    const call = (method: 'GET' | 'POST', url: string, payload?: object) => h.app.inject({ method, url, headers: h.auth, ...(payload && { payload }) });
    const created = [
      await call('POST', '/api/v1/destinations', { type: 'slack', name: 'sec', url: SLACK_URL }),
      await call('POST', '/api/v1/destinations', { type: 'email', name: 'mail', host: 'smtp.example.com', username: 'alerts', password: SMTP_PASSWORD, from: 'a@example.com', to: ['b@example.com'] }),
      await call('POST', '/api/v1/destinations', { type: 'webhook', name: 'siem', url: 'https://siem.example.com/in', secret: WEBHOOK_SECRET }),
    ];
    for (const res of created) assert.equal(res.statusCode, 201, res.body);
    [ids.slack, ids.email, ids.webhook] = created.map((res) => (res.json() as { id: string }).id) as [string, string, string];
    const login = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', headers: CSRF, payload: { apiKey: folder.key } });
    assert.equal(login.statusCode, 201, login.body);
    const token = /yagura_session=([^;]+)/.exec([login.headers['set-cookie'] ?? []].flat().join('\n'))?.[1];
    assert.ok(token);
    await h.ingest([findingDoc({ id: CONTROL })]);
    // The API answers as before: secrets never shown.
    const listed = await call('GET', '/api/v1/destinations');
    assert.equal(listed.statusCode, 200);
    for (const secret of SECRETS) assert.ok(!listed.body.includes(secret));

    const searched = [...SECRETS, token, folder.key];
    for (const secret of searched) assert.deepEqual(filesHolding(data, secret), [], `${secret} in clear while the server runs`);
    assert.ok(filesHolding(data, CONTROL).length > 0, 'the search finds what is stored in clear');
    assert.ok(dataFiles(data).some((f) => f.endsWith('-wal')), 'the WAL was searched');
    await h.stop();
    for (const secret of searched) assert.deepEqual(filesHolding(data, secret), [], `${secret} in clear after the stop`);
    if (process.platform !== 'win32') assert.equal(statSync(keyFileOf(data)).mode & 0o777, 0o600);
  });

  test('rotate-master seals every value with a new key, drops the old key from the file, and the values still open', async () => {
    const before = readKeyFile(keyFileOf(data))!;
    assert.equal(before.keys.length, 1);
    const sealedBefore = await storedValues(data);
    const run = await yagura(['keys', 'rotate-master', '--data', data]);
    assert.equal(run.code, 0, run.stderr);
    const after = readKeyFile(keyFileOf(data))!;
    assert.equal(after.keys.length, 1);
    assert.notEqual(after.current.id, before.current.id);
    assert.ok(!readFileSync(keyFileOf(data), 'utf8').includes(before.current.id), 'the old key is gone from the file');
    assert.match(run.stdout, new RegExp(`^master key rotated: 3 sealed values re-sealed with master key ${after.current.id}; key ${before.current.id} removed`));
    assert.deepEqual(await keyIdsOfRows(data), [after.current.id]);
    assert.equal((await storedSpec(data, ids.slack))?.url, SLACK_URL);
    assert.equal((await storedSpec(data, ids.email))?.password, SMTP_PASSWORD);
    assert.equal((await storedSpec(data, ids.webhook))?.secret, WEBHOOK_SECRET);
    for (const secret of SECRETS) assert.deepEqual(filesHolding(data, secret), []);
    for (const old of sealedBefore) assert.deepEqual(filesHolding(data, old.split('.')[3]!), [], 'no value sealed with the old key is left behind');
  });

  test('a rotation that stopped midway leaves every value openable, and the next run finishes it', async () => {
    const old = readKeyFile(keyFileOf(data))!.current.id;
    // Stops after the destinations were re-sealed and committed, as a crash before the key file is rewritten would.
    const stopped = rotateMasterKey(data, {}, async (keyring) => {
      const embedded = await openEmbedded(data, 'test', { keyring });
      const crash = { description: 'a store that fails', rewriteSealed: async (): Promise<number> => Promise.reject(new Error('stopped midway')) };
      return { records: [...embedded.backend.sealed, crash], close: () => embedded.close() };
    });
    await assert.rejects(stopped, /stopped midway/);
    const midway = readKeyFile(keyFileOf(data))!;
    assert.equal(midway.keys.length, 2, 'the new key and the old one');
    assert.equal(midway.keys[1]!.id, old);
    assert.deepEqual(await keyIdsOfRows(data), [midway.current.id]);
    assert.equal((await storedSpec(data, ids.slack))?.url, SLACK_URL, 'a server started now opens every value');

    const run = await yagura(['keys', 'rotate-master', '--data', data]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^finished an interrupted rotation: 0 sealed values re-sealed with master key ${midway.current.id}; key ${old} removed`));
    const done = readKeyFile(keyFileOf(data))!;
    assert.deepEqual(done.keys.map((k) => k.id), [midway.current.id]);
    assert.equal((await storedSpec(data, ids.email))?.password, SMTP_PASSWORD);
  });

  test('a data folder whose master key is lost does not start, and says which key it needs', async () => {
    const kept = readFileSync(keyFileOf(data));
    const held = readKeyFile(keyFileOf(data))!.current.id;
    await rm(keyFileOf(data));
    try {
      await assert.rejects(openEmbedded(data, 'test'), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'UNKNOWN_MASTER_KEY');
        assert.match(error.message, new RegExp(`^alert destinations: .*sealed with master key ${held}`));
        return true;
      });
    } finally {
      writeFileSync(keyFileOf(data), kept, { mode: 0o600 });
    }
    assert.equal((await storedSpec(data, ids.slack))?.url, SLACK_URL);
  });
});

describe('rotating a master key given in YAGURA_MASTER_KEY', () => {
  let dir: string;
  let data: string;
  const A = randomBytes(32).toString('base64');
  const B = randomBytes(32).toString('base64');
  let id: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-env-key-'));
    data = path.join(dir, 'data');
    const embedded = await openEmbedded(data, 'test', { env: { YAGURA_MASTER_KEY: A } });
    id = (await embedded.backend.alerts.destinations.createDestination({ type: 'slack', name: 's', url: SLACK_URL }, Date.now())).id;
    await embedded.close();
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('takes the new key from YAGURA_NEW_MASTER_KEY, writes no key file, and says what to set next', async () => {
    assert.equal(existsSync(keyFileOf(data)), false);
    const run = await yagura(['keys', 'rotate-master', '--data', data], { YAGURA_MASTER_KEY: A, YAGURA_NEW_MASTER_KEY: B });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1 sealed value re-sealed .*Now set YAGURA_MASTER_KEY to the value of YAGURA_NEW_MASTER_KEY, unset YAGURA_NEW_MASTER_KEY/);
    assert.ok(!run.stdout.includes(A) && !run.stdout.includes(B), 'no key is printed');
    assert.equal(existsSync(keyFileOf(data)), false);
    assert.equal((await storedSpec(data, id, { YAGURA_MASTER_KEY: B }))?.url, SLACK_URL);
    await assert.rejects(storedSpec(data, id, { YAGURA_MASTER_KEY: A }), { code: 'UNKNOWN_MASTER_KEY' });
    // Until the variables are swapped, a server with both opens every value.
    assert.equal((await storedSpec(data, id, { YAGURA_MASTER_KEY: A, YAGURA_NEW_MASTER_KEY: B }))?.url, SLACK_URL);
  });

  test('refuses bad input with one line and a non-zero exit code', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['keys', 'rotate-master'], {}, /give the data folder: --data DIR/],
      [['keys', 'rotate-master', '--data', path.join(dir, 'nowhere')], {}, /there is no Yagura data folder/],
      [['keys', 'rotate-master', '--data', data], { YAGURA_MASTER_KEY: B }, /the new key must come from YAGURA_NEW_MASTER_KEY/],
      [['keys', 'rotate-master', '--data', data], { YAGURA_MASTER_KEY: B, YAGURA_NEW_MASTER_KEY: 'not-a-key' }, /YAGURA_NEW_MASTER_KEY must be the base64 of 32 random bytes/],
      [['keys', 'rotate-master', '--data', data], { YAGURA_MASTER_KEY: B, YAGURA_NEW_MASTER_KEY: B }, /holds the same key as YAGURA_MASTER_KEY/],
      [['keys', 'rotate-master', '--data', data], { YAGURA_MASTER_KEY: 'c2hvcnQ=' }, /YAGURA_MASTER_KEY must be the base64 of 32 random bytes/],
    ];
    for (const [args, env, message] of cases) {
      const run = await yagura(args, env);
      assert.notEqual(run.code, 0, args.join(' '));
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length, 1, `one line: ${run.stderr}`);
    }
    assert.equal((await storedSpec(data, id, { YAGURA_MASTER_KEY: B }))?.url, SLACK_URL, 'nothing changed');
  });
});

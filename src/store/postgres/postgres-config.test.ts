// The PostgreSQL store's configuration: validated once, turned into pool options, never printing a password.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { poolConfig, redactUrl, storeConfigSchema } from './postgres-config.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('config');
});
after(async () => database.drop());

test('defaults to no URL (the embedded store), ten connections and TLS off', () => {
  const config = storeConfigSchema.parse({});
  assert.equal(config.url, undefined);
  assert.equal(config.poolSize, 10);
  assert.equal(config.statementTimeoutSeconds, 30);
  assert.equal(config.tls.mode, 'disable');
});

test('refuses what cannot work, saying which option is wrong', () => {
  const problems = (input: unknown): string[] => {
    const r = storeConfigSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => i.message);
  };
  assert.match(problems({ url: 'mysql://db/yagura' }).join(), /store\.url must be a postgres/);
  assert.ok(problems({ poolSize: 0 }).length > 0);
  assert.match(problems({ url: 'postgres://db/y', tls: { mode: 'require', certFile: '/c.pem' } }).join(), /certFile and store\.tls\.keyFile go together/);
  assert.match(problems({ url: 'postgres://db/y', tls: { caFile: '/ca.pem' } }).join(), /need store\.tls\.mode require or verify-full/);
  assert.ok(problems({ url: 'postgres://db/y', tls: { mode: 'prefer' } }).length > 0, 'only the modes that say what they protect');
});

test('turns TLS modes into the driver’s options, reading the files once', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-pgtls-'));
  try {
    await writeFile(path.join(dir, 'ca.pem'), 'CA PEM');
    const url = 'postgres://yagura:s3cret-pw@db.example.com:5433/yagura';
    assert.equal(poolConfig(storeConfigSchema.parse({ url })).ssl, false);
    assert.deepEqual(poolConfig(storeConfigSchema.parse({ url, tls: { mode: 'require' } })).ssl, { rejectUnauthorized: false });
    assert.deepEqual(poolConfig(storeConfigSchema.parse({ url, tls: { mode: 'verify-full', caFile: path.join(dir, 'ca.pem') } })).ssl, { rejectUnauthorized: true, ca: 'CA PEM' });
    const missing = storeConfigSchema.parse({ url, tls: { mode: 'verify-full', caFile: path.join(dir, 'absent.pem') } });
    assert.throws(() => poolConfig(missing), (error: Error & { code?: string }) => error.code === 'STORE_CONFIG_INVALID' && /caFile .*absent\.pem: ENOENT/.test(error.message));
    const inUrl = storeConfigSchema.parse({ url: `${url}?sslmode=require` });
    assert.throws(() => poolConfig(inUrl), (error: Error) => /store\.tls\.mode/.test(error.message) && !error.message.includes('s3cret-pw'));
    const options = poolConfig(storeConfigSchema.parse({ url, poolSize: 4, statementTimeoutSeconds: 5 }));
    assert.deepEqual([options.max, options.statement_timeout, options.options], [4, 5000, '-c synchronous_commit=on']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a URL shown in a message has its password replaced', () => {
  assert.equal(redactUrl('postgres://yagura:s3cret-pw@db:5432/y'), 'postgres://yagura:***@db:5432/y');
  assert.equal(redactUrl('postgres://db/y'), 'postgres://db/y');
  assert.equal(redactUrl('::not a url::'), 'an unparseable URL');
});

test('every connection of the pool commits synchronously and carries the statement timeout', async () => {
  const pool = new pg.Pool(poolConfig(storeConfigSchema.parse({ url: database.url, poolSize: 2, statementTimeoutSeconds: 1 })));
  try {
    const settings = await pool.query(`SELECT current_setting('synchronous_commit') AS sync, current_setting('statement_timeout') AS timeout, current_setting('application_name') AS app`);
    assert.deepEqual(settings.rows[0], { sync: 'on', timeout: '1s', app: 'yagura' });
    await assert.rejects(pool.query('SELECT pg_sleep(3)'), (error: Error & { code?: string }) => error.code === '57014', 'the server cancels a statement past the timeout');
  } finally {
    await pool.end();
  }
});

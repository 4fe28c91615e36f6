// Destinations stored in plain text by a Yagura from before secrets at rest are sealed when the store opens.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Keyring } from '../../auth/secrets/keyring.js';
import { SqliteDestinationStore } from './destination-store.js';
import { migrate, SEALED_DESTINATIONS_SCHEMA_VERSION, SCHEMA_VERSION } from './schema.js';
import { SqliteStore } from './sqlite-store.js';

const SLACK = { type: 'slack', name: 'sec', url: 'https://hooks.slack.com/services/T0/B0/OLDPLAINSLACKTOKEN' };
const MAIL = { type: 'email', name: 'mail', host: 'smtp.example.com', port: 587, security: 'starttls', username: 'u', password: 'old-plain-smtp-password', from: 'a@example.com', to: ['b@example.com'] };
const MORE = 40;
const SECRETS = ['OLDPLAINSLACKTOKEN', 'old-plain-smtp-password', ...Array.from({ length: MORE }, (_, i) => `old-webhook-secret-${i}-`)];

/**
 * A store file as the previous schema left it, its destinations in plain text; `crashed`: as a process stopped
 * before any checkpoint leaves it, the destinations in the WAL only.
 */
async function previousStore(crashed = false): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-sealing-'));
  const file = path.join(dir, 'yagura.db');
  const db = new Database(crashed ? path.join(dir, 'running.db') : file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  migrate(db, SEALED_DESTINATIONS_SCHEMA_VERSION - 1);
  const insert = db.prepare('INSERT INTO alert_destinations (id, type, spec, created_at, updated_at) VALUES (?, ?, ?, 1, 1)');
  insert.run('dst_slack', SLACK.type, JSON.stringify(SLACK));
  insert.run('dst_mail', MAIL.type, JSON.stringify(MAIL));
  // Enough rows that sealing (which lengthens them) splits pages: a split leaves old bytes in a page's free space.
  for (let i = 0; i < MORE; i++) insert.run(`dst_${i}`, 'webhook', JSON.stringify({ type: 'webhook', name: `h${i}`, url: 'https://siem.example.com/in', secret: `old-webhook-secret-${i}-`.padEnd(40 + i * 5, 'x') }));
  if (crashed) {
    // The files as they are on disk while that process runs (closing it would checkpoint and delete the WAL).
    copyFileSync(path.join(dir, 'running.db'), file);
    copyFileSync(path.join(dir, 'running.db-wal'), `${file}-wal`);
  }
  db.close();
  return { dir, file };
}

function filesHolding(dir: string, secret: string): string[] {
  return ['yagura.db', 'yagura.db-wal', 'yagura.db-shm']
    .map((name) => path.join(dir, name))
    .filter((file) => existsSync(file) && readFileSync(file).includes(Buffer.from(secret)));
}

test('plain-text destinations of the previous schema are sealed at open, read back unchanged, and leave no plain text in the file', async () => {
  const { dir, file } = await previousStore();
  try {
    assert.deepEqual(filesHolding(dir, SECRETS[0]!), [path.join(dir, 'yagura.db')], 'the previous schema held it in clear');
    const box = Keyring.generate();
    const store = new SqliteStore({ file, secrets: box });
    assert.equal(store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    const rows = store.db.prepare('SELECT id, spec FROM alert_destinations ORDER BY id').all() as Array<{ id: string; spec: string }>;
    assert.ok(rows.every((r) => box.isSealed(r.spec)));
    const alerts = new SqliteDestinationStore(store.db, box);
    assert.deepEqual(await alerts.getDestination('dst_slack'), { ...SLACK, id: 'dst_slack', createdAt: 1, updatedAt: 1 });
    assert.deepEqual(await alerts.getDestination('dst_mail'), { ...MAIL, id: 'dst_mail', createdAt: 1, updatedAt: 1 });
    await store.close();
    for (const secret of SECRETS) assert.deepEqual(filesHolding(dir, secret), [], `${secret} is left in clear`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('plain text an unclean stop left in the WAL is gone from it once the destinations are sealed', async () => {
  const { dir, file } = await previousStore(true);
  try {
    assert.deepEqual(filesHolding(dir, SECRETS[0]!), [path.join(dir, 'yagura.db-wal')], 'the previous process left it in its WAL');
    const box = Keyring.generate();
    const store = new SqliteStore({ file, secrets: box });
    // Looked at while the store is open: closing it would checkpoint and delete the WAL anyway.
    for (const secret of SECRETS) assert.deepEqual(filesHolding(dir, secret), [], `${secret} is left in clear`);
    assert.equal((await new SqliteDestinationStore(store.db, box).listDestinations()).length, 2 + MORE);
    await store.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a store with plain-text destinations is not migrated without the master key', async () => {
  const { dir, file } = await previousStore();
  try {
    assert.throws(() => new SqliteStore({ file }), /alert destinations to seal with the master key/);
    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), SEALED_DESTINATIONS_SCHEMA_VERSION - 1, 'the migration rolled back whole');
    db.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// Runs the PrincipalStore conformance suite against SQLite in a real database file.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { hashKey } from '../../auth/api-keys.js';
import { describePrincipalStore } from '../../auth/principals/principal-store.conformance.js';
import { SqlitePrincipalStore } from './principal-store.js';
import { migrate, PRINCIPALS_SCHEMA_VERSION } from './schema.js';
import { SqliteStore } from './sqlite-store.js';

describePrincipalStore('SQLite file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-principal-store-'));
  const store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
  return {
    store: new SqlitePrincipalStore(store.db),
    async cleanup(): Promise<void> {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

test('a data folder from before principals keeps its keys, now owned by the Administrator role', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-principal-migration-'));
  try {
    const db = new Database(path.join(dir, 'yagura.db'));
    migrate(db, PRINCIPALS_SCHEMA_VERSION - 1);
    db.prepare('INSERT INTO api_keys (id, name, hash, created_at) VALUES (?, ?, ?, ?)').run('old', 'admin', hashKey('ygr_old-bootstrap-key-000000000'), 1);
    db.prepare('INSERT INTO sessions (hash, key_id, name, created_at, last_used_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run('s', 'old', 'admin', 1, 1, 2);
    migrate(db);
    const store = new SqlitePrincipalStore(db);
    const key = await store.keyByHash(hashKey('ygr_old-bootstrap-key-000000000'));
    assert.deepEqual([key?.id, key?.prefix, key?.owner, key?.revokedAt, key?.expiresAt], ['old', 'ygr_', { kind: 'role', name: 'Administrator' }, null, null]);
    const admin = await store.principal('role', 'Administrator');
    assert.deepEqual(admin?.documents.map((d) => d.document), [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }]);
    db.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

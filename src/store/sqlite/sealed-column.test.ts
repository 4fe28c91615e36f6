// Master key rotation reaches the sealed secrets of temporary credentials and of API keys' signing credentials.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Keyring } from '../../auth/secrets/keyring.js';
import { generateMasterKey } from '../../auth/secrets/master-key.js';
import { SqliteRoleSessionStore } from './role-session-store.js';
import { migrate } from './schema.js';
import { SqliteSigningKeyStore } from './signing-key-store.js';

test('rotation re-seals every temporary and signing secret under the new key, each still bound to its own row', async () => {
  const db = new Database(':memory:');
  migrate(db);
  const oldKey = generateMasterKey();
  const newKey = generateMasterKey();
  const before = new Keyring([oldKey]);
  const sessions = new SqliteRoleSessionStore(db);
  const signing = new SqliteSigningKeyStore(db);
  const record = { tokenHash: 'h', roleName: 'r', sessionName: 's1', source: 'ldap', subject: 'uid=a', sessionPolicy: null, tags: {}, context: {}, sourceIp: '127.0.0.1', createdAt: 1, expiresAt: 2, revokedAt: null };
  await sessions.insert({ ...record, accessKeyId: 'ASIAAAAAAAAAAAAAAAAA', sealedSecret: before.seal('session-secret', 'sts:ASIAAAAAAAAAAAAAAAAA') });
  db.prepare("INSERT INTO api_keys (id, name, hash, created_at) VALUES ('k1', 'n', 'h1', 1)").run();
  await signing.insert({ keyId: 'k1', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', sealedSecret: before.seal('signing-secret', 'key:AKIAAAAAAAAAAAAAAAAA') });

  const during = new Keyring([newKey, oldKey]);
  assert.equal(await sessions.rewriteSealed((sealed, context) => during.reseal(sealed, context)), 1);
  assert.equal(await signing.rewriteSealed((sealed, context) => during.reseal(sealed, context)), 1);
  assert.equal(await sessions.rewriteSealed((sealed, context) => during.reseal(sealed, context)), 0, 'a second pass changes nothing');

  const after = new Keyring([newKey]);
  const s = (await sessions.byAccessKeyId('ASIAAAAAAAAAAAAAAAAA'))!;
  const k = (await signing.byAccessKeyId('AKIAAAAAAAAAAAAAAAAA'))!;
  assert.equal(after.open(s.sealedSecret, 'sts:ASIAAAAAAAAAAAAAAAAA'), 'session-secret');
  assert.equal(after.open(k.sealedSecret, 'key:AKIAAAAAAAAAAAAAAAAA'), 'signing-secret');
  assert.throws(() => after.open(s.sealedSecret, 'key:AKIAAAAAAAAAAAAAAAAA'), 'a sealed value does not open in another row');
  assert.throws(() => new Keyring([oldKey]).open(s.sealedSecret, 'sts:ASIAAAAAAAAAAAAAAAAA'), 'the old key no longer opens it');
  db.close();
});

// The behaviour every backend's credential stores must show (dashboard sessions, temporary credentials, API keys'
// signing credentials, the directory role map) and the master key rotation over their sealed values; each backend
// runs this suite unchanged against a real database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RoleMapStore } from './federation/role-map.js';
import type { SigningKeyStore } from './principals/signing-keys.js';
import { Keyring } from './secrets/keyring.js';
import { generateMasterKey } from './secrets/master-key.js';
import type { SealedRecords } from './secrets/sealed-records.js';
import type { SessionRecord, SessionRepository } from './sessions.js';
import type { RoleSessionRecord, RoleSessionStore } from './sts/role-session-store.js';

export interface CredentialStoresHandle {
  readonly sessions: SessionRepository;
  readonly roleSessions: RoleSessionStore & SealedRecords;
  readonly signingKeys: SigningKeyStore & SealedRecords;
  readonly roleMap: RoleMapStore;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-11-20T00:00:00Z');
const KEYS = new Keyring([generateMasterKey()]);

const SESSION: SessionRecord = { hash: 'h1', keyId: 'k1', name: 'admin', createdAt: T0, lastUsedAt: T0, expiresAt: T0 + 3_600_000 };

function roleSession(accessKeyId: string, overrides: Partial<RoleSessionRecord> = {}): RoleSessionRecord {
  return {
    accessKeyId,
    sealedSecret: KEYS.seal(`secret-of-${accessKeyId}`, `sts:${accessKeyId}`),
    tokenHash: `token-${accessKeyId}`,
    roleName: 'Reader',
    sessionName: 'alice',
    source: 'ldap',
    subject: 'uid=alice,ou=people,dc=example,dc=com',
    sessionPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:SearchFindings', Resource: '*' }] },
    tags: { team: 'blue' },
    context: { 'aws:FederatedProvider': 'ldap', 'ldap:username': 'alice' },
    sourceIp: '198.51.100.7',
    createdAt: T0,
    expiresAt: T0 + 3_600_000,
    revokedAt: null,
    ...overrides,
  };
}

export function describeCredentialStores(backend: string, open: () => Promise<CredentialStoresHandle>): void {
  describe(`Credential stores conformance: ${backend}`, () => {
    const withStores = (name: string, body: (h: CredentialStoresHandle) => Promise<void>): void => {
      test(name, async () => {
        const handle = await open();
        try {
          await body(handle);
        } finally {
          await handle.cleanup();
        }
      });
    };

    withStores('keeps dashboard sessions by hash, touches, deletes and sweeps expired or idle ones', async ({ sessions }) => {
      await sessions.insert(SESSION);
      await sessions.insert({ ...SESSION, hash: 'h2', keyId: '', userName: 'alice', accessKeyId: 'ASIAAAAAAAAAAAAAAAAA' });
      assert.deepEqual(await sessions.findByHash('h1'), SESSION);
      assert.deepEqual(await sessions.findByHash('h2'), { ...SESSION, hash: 'h2', keyId: '', userName: 'alice', accessKeyId: 'ASIAAAAAAAAAAAAAAAAA' });
      assert.equal(await sessions.findByHash('nope'), undefined);
      await sessions.touch('h1', T0 + 60_000);
      assert.equal((await sessions.findByHash('h1'))?.lastUsedAt, T0 + 60_000);
      await sessions.insert({ ...SESSION, hash: 'h3', expiresAt: T0 + 10 });
      assert.equal(await sessions.deleteExpired(T0 + 10, T0 + 1), 2, 'h3 expired and h2 idle since T0');
      assert.ok(await sessions.findByHash('h1'));
      await sessions.delete('h1');
      assert.equal(await sessions.findByHash('h1'), undefined);
    });

    withStores('keeps temporary credentials whole, revokes each once, lists those not expired in pages', async ({ roleSessions }) => {
      const ids = ['ASIACCCCCCCCCCCCCCCC', 'ASIAAAAAAAAAAAAAAAAA', 'ASIABBBBBBBBBBBBBBBB'];
      const records = ids.map((id) => roleSession(id));
      for (const r of records) await roleSessions.insert(r);
      await roleSessions.insert(roleSession('ASIADDDDDDDDDDDDDDDD', { expiresAt: T0 + 5, sessionPolicy: null }));
      assert.deepEqual(await roleSessions.byAccessKeyId(ids[1]!), records[1]);
      assert.equal((await roleSessions.byAccessKeyId('ASIADDDDDDDDDDDDDDDD'))?.sessionPolicy, null);
      assert.equal(await roleSessions.revoke(ids[0]!, T0 + 1), true);
      assert.equal(await roleSessions.revoke(ids[0]!, T0 + 2), false, 'already revoked');
      assert.equal(await roleSessions.revoke('ASIAZZZZZZZZZZZZZZZZ', T0), false);
      const first = await roleSessions.list(T0 + 10, { limit: 2 });
      assert.deepEqual(first.items.map((s) => s.accessKeyId), ['ASIAAAAAAAAAAAAAAAAA', 'ASIABBBBBBBBBBBBBBBB']);
      const second = await roleSessions.list(T0 + 10, { limit: 2, after: first.next });
      assert.deepEqual(second.items.map((s) => [s.accessKeyId, s.revokedAt]), [['ASIACCCCCCCCCCCCCCCC', T0 + 1]], 'revoked ones listed, expired ones not');
      assert.equal(second.next, undefined);
      assert.equal(await roleSessions.deleteExpired(T0 + 10), 1);
      assert.equal(await roleSessions.byAccessKeyId('ASIADDDDDDDDDDDDDDDD'), undefined);
    });

    withStores("keeps API keys' signing credentials by access key ID, one per access key", async ({ signingKeys }) => {
      const record = { keyId: 'k1', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', sealedSecret: KEYS.seal('s', 'key:AKIAAAAAAAAAAAAAAAAA') };
      await signingKeys.insert(record);
      assert.deepEqual(await signingKeys.byAccessKeyId(record.accessKeyId), record);
      assert.equal(await signingKeys.byAccessKeyId('AKIABBBBBBBBBBBBBBBB'), undefined);
      await assert.rejects(signingKeys.insert({ ...record, keyId: 'k2' }), 'an access key ID names one key');
    });

    withStores('replaces the directory role map as a whole and lists it by DN', async ({ roleMap }) => {
      assert.deepEqual(await roleMap.list(), []);
      await roleMap.replace([{ dn: 'cn=ops,ou=groups,dc=example,dc=com', role: 'Operator' }, { dn: 'cn=admins,ou=groups,dc=example,dc=com', role: 'Administrator' }], T0);
      assert.deepEqual(await roleMap.list(), [
        { dn: 'cn=admins,ou=groups,dc=example,dc=com', role: 'Administrator' },
        { dn: 'cn=ops,ou=groups,dc=example,dc=com', role: 'Operator' },
      ]);
      await roleMap.replace([{ dn: 'uid=alice,ou=people,dc=example,dc=com', role: 'Reader' }], T0 + 1);
      assert.deepEqual(await roleMap.list(), [{ dn: 'uid=alice,ou=people,dc=example,dc=com', role: 'Reader' }]);
      await roleMap.replace([], T0 + 2);
      assert.deepEqual(await roleMap.list(), []);
    });

    withStores('a master key rotation re-seals every temporary and signing secret, each still bound to its own row', async ({ roleSessions, signingKeys }) => {
      const oldKey = generateMasterKey();
      const newKey = generateMasterKey();
      const before = new Keyring([oldKey]);
      await roleSessions.insert(roleSession('ASIAAAAAAAAAAAAAAAAA', { sealedSecret: before.seal('session-secret', 'sts:ASIAAAAAAAAAAAAAAAAA') }));
      await signingKeys.insert({ keyId: 'k1', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', sealedSecret: before.seal('signing-secret', 'key:AKIAAAAAAAAAAAAAAAAA') });

      const during = new Keyring([newKey, oldKey]);
      await assert.rejects(roleSessions.rewriteSealed(() => {
        throw new Error('interrupted');
      }));
      assert.equal(new Keyring([oldKey]).open((await roleSessions.byAccessKeyId('ASIAAAAAAAAAAAAAAAAA'))!.sealedSecret, 'sts:ASIAAAAAAAAAAAAAAAAA'), 'session-secret', 'a failed rotation changes nothing');
      assert.equal(await roleSessions.rewriteSealed((sealed, context) => during.reseal(sealed, context)), 1);
      assert.equal(await signingKeys.rewriteSealed((sealed, context) => during.reseal(sealed, context)), 1);
      assert.equal(await roleSessions.rewriteSealed((sealed, context) => during.reseal(sealed, context)), 0, 'a second pass changes nothing');

      const after = new Keyring([newKey]);
      const s = (await roleSessions.byAccessKeyId('ASIAAAAAAAAAAAAAAAAA'))!;
      const k = (await signingKeys.byAccessKeyId('AKIAAAAAAAAAAAAAAAAA'))!;
      assert.equal(after.open(s.sealedSecret, 'sts:ASIAAAAAAAAAAAAAAAAA'), 'session-secret');
      assert.equal(after.open(k.sealedSecret, 'key:AKIAAAAAAAAAAAAAAAAA'), 'signing-secret');
      assert.throws(() => after.open(s.sealedSecret, 'key:AKIAAAAAAAAAAAAAAAAA'), 'a sealed value does not open in another row');
      assert.throws(() => new Keyring([oldKey]).open(s.sealedSecret, 'sts:ASIAAAAAAAAAAAAAAAAA'), 'the old key no longer opens it');
    });
  });
}

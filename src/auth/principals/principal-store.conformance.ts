// The behaviour every PrincipalStore must show; each backend runs this suite unchanged against a real database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashKey } from '../api-keys.js';
import { ADMINISTRATOR_POLICY, ADMINISTRATOR_ROLE } from './names.js';
import type { PrincipalStore } from './principal-store.js';

export interface PrincipalStoreHandle {
  readonly store: PrincipalStore;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-11-20T00:00:00Z');
const DOC = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:ListAlertRules', Resource: '*' }] };

async function rejects(work: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(work, (error: { code?: string }) => error.code === code);
}

export function describePrincipalStore(backend: string, open: () => Promise<PrincipalStoreHandle>): void {
  describe(`PrincipalStore conformance: ${backend}`, () => {
    const withStore = (name: string, body: (store: PrincipalStore) => Promise<void>): void => {
      test(name, async () => {
        const handle = await open();
        try {
          await body(handle.store);
        } finally {
          await handle.cleanup();
        }
      });
    };

    withStore('holds the built-in Administrator role with its policy, neither changeable nor deletable', async (store) => {
      const role = await store.getRole(ADMINISTRATOR_ROLE);
      assert.equal(role?.builtIn, true);
      assert.deepEqual(role?.policies, [ADMINISTRATOR_POLICY]);
      await rejects(store.deleteRole(ADMINISTRATOR_ROLE, T0), 'BUILT_IN');
      await rejects(store.updateRole({ name: ADMINISTRATOR_ROLE, description: '', tags: {}, policies: [] }, T0), 'BUILT_IN');
      await rejects(store.deletePolicy(ADMINISTRATOR_POLICY), 'BUILT_IN');
      await rejects(store.putPolicy(ADMINISTRATOR_POLICY, DOC, T0), 'BUILT_IN');
    });

    withStore('creates, lists by pages, replaces and deletes managed policies; an attached one cannot be deleted', async (store) => {
      for (const n of ['p1', 'p2', 'p3']) await store.createPolicy(n, DOC, T0);
      await rejects(store.createPolicy('P1', DOC, T0), 'ALREADY_EXISTS');
      const first = await store.listPolicies({ limit: 2 });
      assert.deepEqual(first.items.map((p) => p.name), [ADMINISTRATOR_POLICY, 'p1']);
      const second = await store.listPolicies({ limit: 2, after: first.next! });
      assert.deepEqual(second.items.map((p) => p.name), ['p2', 'p3']);
      assert.equal(second.next, undefined);
      const doc2 = { Version: '2012-10-17', Statement: [] as unknown[] };
      assert.deepEqual((await store.putPolicy('p1', doc2, T0 + 1)).document, doc2);
      assert.deepEqual((await store.getPolicy('p1'))?.document, doc2);
      await store.createRole({ name: 'r', description: '', tags: {}, policies: ['p2'] }, T0);
      await rejects(store.deletePolicy('p2'), 'POLICY_IN_USE');
      await store.deletePolicy('p3');
      assert.equal(await store.getPolicy('p3'), undefined);
      await rejects(store.deletePolicy('p3'), 'POLICY_NOT_FOUND');
    });

    withStore('refuses unknown policies and groups by name, saving nothing', async (store) => {
      const before = store.generation;
      await rejects(store.createRole({ name: 'r', description: '', tags: {}, policies: ['nope'] }, T0), 'UNKNOWN_POLICY');
      await rejects(store.createUser({ name: 'u', tags: {}, groups: ['nogroup'], policies: [] }, T0), 'UNKNOWN_GROUP');
      assert.equal(await store.getRole('r'), undefined);
      assert.equal(await store.getUser('u'), undefined);
      assert.equal(store.generation, before);
    });

    withStore("resolves a user's policies from its own attachments and its groups'; deleting the group removes them", async (store) => {
      await store.createPolicy('mine', DOC, T0);
      await store.createPolicy('theirs', DOC, T0);
      await store.createGroup({ name: 'team', policies: ['theirs'] }, T0);
      await store.createUser({ name: 'alice', tags: { team: 'blue' }, groups: ['team'], policies: ['mine'], passwordHash: 'scrypt$x' }, T0);
      const user = await store.getUser('alice');
      assert.deepEqual([user?.groups, user?.policies, user?.hasPassword, user?.tags], [['team'], ['mine'], true, { team: 'blue' }]);
      assert.deepEqual((await store.getGroup('team'))?.members, ['alice']);
      assert.deepEqual((await store.principal('user', 'alice'))?.documents.map((d) => d.policy).sort(), ['mine', 'theirs']);
      const before = store.generation;
      await store.deleteGroup('team');
      assert.ok(store.generation > before);
      assert.deepEqual((await store.principal('user', 'alice'))?.documents.map((d) => d.policy), ['mine']);
      assert.equal(await store.passwordHash('alice'), 'scrypt$x');
      await store.updateUser({ name: 'alice', tags: {}, groups: [], policies: [], passwordHash: null }, T0);
      assert.equal(await store.passwordHash('alice'), undefined);
    });

    withStore('keys: created for an existing owner only, found by hash and id, listed, revoked once', async (store) => {
      await store.createRole({ name: 'reader', description: '', tags: {}, policies: [] }, T0);
      const key = { id: 'k1', prefix: 'yk_abcdefgh', name: 'ci', hash: hashKey('yk_abcdefgh_secret'), owner: { kind: 'role' as const, name: 'reader' }, createdAt: T0, expiresAt: null };
      await store.createApiKey(key);
      await rejects(store.createApiKey({ ...key, id: 'k2', hash: 'h2', owner: { kind: 'role', name: 'ghost' } }), 'UNKNOWN_OWNER');
      await rejects(store.createApiKey({ ...key, id: 'k3', hash: 'h3', owner: { kind: 'user', name: 'ghost' } }), 'UNKNOWN_OWNER');
      assert.equal((await store.keyByHash(key.hash))?.id, 'k1');
      assert.equal((await store.keyById('k1'))?.owner.name, 'reader');
      assert.equal((await store.findByHash(key.hash))?.id, 'k1');
      await store.touchKey('k1', T0 + 5);
      assert.equal((await store.keyById('k1'))?.lastUsedAt, T0 + 5);
      const revoked = await store.revokeKey('k1', T0 + 10);
      assert.equal(revoked.revokedAt, T0 + 10);
      await rejects(store.revokeKey('k1', T0 + 11), 'ALREADY_REVOKED');
      await rejects(store.revokeKey('nope', T0), 'KEY_NOT_FOUND');
      assert.equal(await store.findByHash(key.hash), undefined, 'the older repository answers no revoked key');
      assert.equal((await store.keyByHash(key.hash))?.revokedAt, T0 + 10);
      assert.deepEqual((await store.listKeys({ limit: 10 })).items.map((k) => k.id), ['k1']);
    });

    withStore('keys inserted through the older repository belong to the Administrator role', async (store) => {
      await store.insert({ id: 'legacy', prefix: 'ygr_', name: 'admin', hash: hashKey('ygr_x'), createdAt: T0 });
      await store.insert({ id: 'boot', prefix: 'yk_AbCdEfGh', name: 'admin', hash: hashKey('yk_AbCdEfGh_x'), createdAt: T0 });
      const key = await store.keyById('legacy');
      assert.deepEqual([key?.owner, key?.prefix], [{ kind: 'role', name: ADMINISTRATOR_ROLE }, 'ygr_']);
      assert.equal((await store.keyById('boot'))?.prefix, 'yk_AbCdEfGh', 'the visible part is kept as given');
      assert.equal(await store.count(), 2);
    });

    withStore("deleting a user or a role revokes its keys and forgets it", async (store) => {
      await store.createUser({ name: 'bob', tags: {}, groups: [], policies: [] }, T0);
      await store.createRole({ name: 'ops', description: 'd', tags: {}, policies: [] }, T0);
      await store.createApiKey({ id: 'u1', prefix: 'yk_u', name: 'b', hash: 'hu', owner: { kind: 'user', name: 'bob' }, createdAt: T0, expiresAt: null });
      await store.createApiKey({ id: 'r1', prefix: 'yk_r', name: 'o', hash: 'hr', owner: { kind: 'role', name: 'ops' }, createdAt: T0, expiresAt: null });
      await store.deleteUser('bob', T0 + 1);
      await store.deleteRole('ops', T0 + 1);
      assert.equal((await store.keyById('u1'))?.revokedAt, T0 + 1);
      assert.equal((await store.keyById('r1'))?.revokedAt, T0 + 1);
      assert.equal(await store.principal('user', 'bob'), undefined);
      assert.equal(await store.principal('role', 'ops'), undefined);
      await rejects(store.deleteUser('bob', T0), 'USER_NOT_FOUND');
    });

    withStore('names compare without case, as IAM does', async (store) => {
      await store.createUser({ name: 'Carol', tags: {}, groups: [], policies: [] }, T0);
      await rejects(store.createUser({ name: 'carol', tags: {}, groups: [], policies: [] }, T0), 'ALREADY_EXISTS');
      assert.equal((await store.getUser('CAROL'))?.name, 'Carol');
    });
  });
}

// Runs the alert stores' conformance suite against PostgreSQL, and what only several instances on one database
// show: each due delivery claimed by one dispatcher, a lapsed claim taken over.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { describeAlertStores } from '../../alerts/alert-stores.conformance.js';
import type { NewDelivery } from '../../alerts/delivery-log.js';
import { Keyring } from '../../auth/secrets/keyring.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { openStateSchema } from '../../../test/support/postgres-state.js';
import { postgresAlertStores } from './alert-stores.js';
import { PostgresDeliveryLog } from './delivery-log.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('alerts');
});
after(async () => database.drop());

describeAlertStores('PostgreSQL', async () => {
  const { db, close } = await openStateSchema(database, 'alerts');
  return { alerts: postgresAlertStores(db, Keyring.generate()), cleanup: close };
});

const T0 = Date.parse('2026-11-20T00:00:00Z');

function delivery(destination: string): NewDelivery {
  return { rule: 'r1', destination, kind: 'new', about: [], message: { kind: 'new', rule: { id: 'r1', name: 'r' }, findings: [] }, arrivedAt: T0 };
}

test('two dispatchers claiming at once share the due deliveries without sending any twice', async () => {
  const { db, close } = await openStateSchema(database, 'claims');
  try {
    const a = new PostgresDeliveryLog(db);
    const b = new PostgresDeliveryLog(db);
    const ids = await a.enqueue(Array.from({ length: 40 }, (_, i) => delivery(`d${i}`)), T0);
    const claimed: number[][] = [[], []];
    for (let round = 0; round < 10; round++) {
      const [fromA, fromB] = await Promise.all([a.dueDeliveries(T0, 3, new Set(claimed[0])), b.dueDeliveries(T0, 3, new Set(claimed[1]))]);
      claimed[0]!.push(...fromA.map((d) => d.id));
      claimed[1]!.push(...fromB.map((d) => d.id));
    }
    const all = [...claimed[0]!, ...claimed[1]!];
    assert.equal(new Set(all).size, all.length, 'no delivery handed to both');
    assert.deepEqual(all.sort((x, y) => x - y), ids, 'and every one handed out');
    for (const id of claimed[1]!) await b.markSent(id, T0 + 1, 1);
    assert.equal(await b.nextDueAt(), T0 + 180_000, 'for the other, a delivery held by one is due when its claim lapses');
    assert.equal(await a.nextDueAt(), T0, 'its holder decides itself when to try again');
  } finally {
    await close();
  }
});

test("a claim left by a dispatcher that died is taken over once it lapses, and an outcome clears it", async () => {
  const { db, close } = await openStateSchema(database, 'lapsed');
  try {
    const dead = new PostgresDeliveryLog(db, { claimMs: 1000 });
    const alive = new PostgresDeliveryLog(db, { claimMs: 1000 });
    const [id] = await dead.enqueue([delivery('d')], T0);
    assert.deepEqual((await dead.dueDeliveries(T0, 10, new Set())).map((d) => d.id), [id]);
    assert.deepEqual(await alive.dueDeliveries(T0 + 999, 10, new Set()), [], 'held while the claim runs');
    assert.deepEqual((await alive.dueDeliveries(T0 + 1000, 10, new Set())).map((d) => d.id), [id], 'free once it lapsed');
    await alive.markFailed(id!, 'refused', T0 + 1001, T0 + 2000);
    assert.deepEqual((await dead.dueDeliveries(T0 + 2000, 10, new Set())).map((d) => [d.id, d.attempts]), [[id, 1]], 'a failed attempt frees it for whoever is next');
  } finally {
    await close();
  }
});

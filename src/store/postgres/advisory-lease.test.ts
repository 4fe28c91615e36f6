// The advisory-lock lease on a real PostgreSQL: one holder at a time; released by closing or by a lost connection.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { AdvisoryLease } from './advisory-lease.js';
import { storeConfigSchema } from './postgres-config.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('lease');
});
after(async () => {
  await database?.drop();
});

test('one holder at a time; the next takes it once the holder releases it or its connection dies', async () => {
  const config = storeConfigSchema.parse({ url: database.url });
  const a = new AdvisoryLease(config, 'yagura:test:evaluation');
  const b = new AdvisoryLease(config, 'yagura:test:evaluation');
  const other = new AdvisoryLease(config, 'yagura:test:something-else');
  try {
    assert.equal(await a.held(), true);
    assert.equal(await a.held(), true, 'held again without asking the server twice');
    assert.equal(await b.held(), false);
    assert.equal(await other.held(), true, 'leases of other names are independent');
    await a.release();
    assert.equal(await b.held(), true, 'released: the next try takes it');
    // The holder's connection killed (a crash, a network cut): the server frees the lock with the session.
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'yagura-lease' AND datname = current_database()");
    } finally {
      await admin.end();
    }
    const c = new AdvisoryLease(config, 'yagura:test:evaluation');
    let taken = false;
    for (let i = 0; i < 50 && !taken; i++) {
      taken = await c.held();
      if (!taken) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(taken, true, 'taken over after the holder lost its connection');
    assert.equal(await b.held(), false, 'the old holder knows it lost it');
    await c.release();
  } finally {
    await Promise.all([a.release(), b.release(), other.release()]);
  }
});

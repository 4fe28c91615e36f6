// The audit log on PostgreSQL: the conformance suite, append-only in the database, batching, the flush on close.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { AuditEntry } from '../../audit/audit-entry.js';
import { describeAuditLog } from '../../audit/audit-log.conformance.js';
import { parseAuditQuery } from '../../audit/audit-query.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { openStateSchema } from '../../../test/support/postgres-state.js';
import { PostgresAuditStore } from './audit-store.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('audit');
});
after(async () => database.drop());

describeAuditLog('PostgreSQL', async () => {
  const { db, close } = await openStateSchema(database, 'audit');
  const audit = new PostgresAuditStore(db);
  return {
    audit,
    async cleanup(): Promise<void> {
      await audit.close();
      await close();
    },
  };
});

const ENTRY: AuditEntry = {
  time: 1_700_000_000_000,
  requestId: 'req-1',
  principal: null,
  keyPrefix: null,
  sessionId: null,
  sourceIp: '127.0.0.1',
  method: 'GET',
  route: '/api/v1/findings',
  action: 'yagura:SearchFindings',
  resource: null,
  decision: 'unauthenticated',
  status: 401,
  errorCode: 'UNAUTHENTICATED',
  resultSize: 80,
  items: null,
};

describe('PostgreSQL audit log', () => {
  test('has no way to change or remove an entry: no such method, no such statement, and the table refuses all three', async () => {
    const methods = Object.getOwnPropertyNames(PostgresAuditStore.prototype);
    assert.deepEqual(methods.filter((m) => /update|delete|remove|erase|purge|clear|truncate|drop|set/i.test(m)), []);
    const here = path.dirname(fileURLToPath(import.meta.url));
    for (const source of ['audit-store.ts', 'audit-sql.ts', 'audit-batches.ts']) {
      const text = await readFile(path.join(here, source), 'utf8');
      assert.doesNotMatch(text, /\b(UPDATE|DELETE|DROP|REPLACE|TRUNCATE)\b/, source);
    }
    const { db, close } = await openStateSchema(database, 'audit_refuses');
    try {
      const audit = new PostgresAuditStore(db);
      audit.record(ENTRY);
      await audit.flush();
      await assert.rejects(db.run("UPDATE audit_log SET principal = 'x'"), /append-only/);
      await assert.rejects(db.run('DELETE FROM audit_log'), /append-only/);
      await assert.rejects(db.run('TRUNCATE audit_log'), /append-only/);
      assert.equal((await audit.search({ query: parseAuditQuery('', 0), size: 10 })).entries.length, 1);
    } finally {
      await close();
    }
  });

  test('writes in batches off the caller, and what is queued when closed, so a clean shutdown loses nothing', async () => {
    const { db, close } = await openStateSchema(database, 'audit_close');
    try {
      let written = 0;
      const audit = new PostgresAuditStore(db, { flushIntervalMs: 60_000, maxBatch: 2, onWritten: () => written++ });
      for (let i = 0; i < 5; i++) audit.record({ ...ENTRY, requestId: `r${i}` });
      assert.ok(audit.queued > 0, 'recording returned before the database was asked');
      await audit.close();
      assert.equal(written, 5);
      const rows = await db.rows<{ request_id: string }>('SELECT request_id FROM audit_log ORDER BY seq');
      assert.deepEqual(rows.map((r) => r.request_id), ['r0', 'r1', 'r2', 'r3', 'r4']);
    } finally {
      await close();
    }
  });

  test('drops and counts entries past its bound instead of growing or blocking', async () => {
    const { db, close } = await openStateSchema(database, 'audit_bound');
    try {
      let dropped = 0;
      const audit = new PostgresAuditStore(db, { maxQueued: 2, maxBatch: 100, flushIntervalMs: 60_000, onDropped: () => dropped++ });
      for (let i = 0; i < 5; i++) audit.record({ ...ENTRY, requestId: `r${i}` });
      assert.equal(dropped, 3);
      assert.equal(audit.queued, 2);
      await audit.close();
      audit.record(ENTRY);
      assert.equal(dropped, 4, 'a closed log drops');
      assert.equal((await db.rows<{ n: number }>('SELECT count(*)::bigint AS n FROM audit_log'))[0]!.n, 2);
    } finally {
      await close();
    }
  });

  test('keeps a batch the database refused and writes it once the database answers again', async () => {
    const { db, schema, close } = await openStateSchema(database, 'audit_retry');
    try {
      const errors: unknown[] = [];
      const audit = new PostgresAuditStore(db, { flushIntervalMs: 20, onWriteError: (e) => errors.push(e) });
      await db.run('ALTER TABLE audit_log RENAME TO audit_log_away');
      audit.record(ENTRY);
      await audit.flush();
      assert.equal(errors.length, 1);
      assert.equal(audit.queued, 1, 'kept for the next attempt');
      await db.run(`ALTER TABLE ${schema}.audit_log_away RENAME TO audit_log`);
      for (let i = 0; i < 100 && audit.queued > 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(audit.queued, 0, 'the timer retried it');
      assert.equal((await audit.search({ query: parseAuditQuery('', 0), size: 10 })).entries.length, 1);
      await audit.close();
    } finally {
      await close();
    }
  });
});

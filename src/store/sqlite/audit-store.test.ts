// The audit log on SQLite: the conformance suite, append-only by construction, batching, and the flush on close.
import assert from 'node:assert/strict';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import type { AuditEntry } from '../../audit/audit-entry.js';
import { describeAuditLog } from '../../audit/audit-log.conformance.js';
import { parseAuditQuery } from '../../audit/audit-query.js';
import { SqliteAuditStore } from './audit-store.js';
import { SqliteStore } from './sqlite-store.js';

async function openFile(): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-audit-'));
  return { dir, file: path.join(dir, 'yagura.db') };
}

describeAuditLog('SQLite file', async () => {
  const { dir, file } = await openFile();
  const store = new SqliteStore({ file });
  const audit = new SqliteAuditStore(store.db);
  return {
    audit,
    async cleanup(): Promise<void> {
      await audit.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
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

describe('SQLite audit log', () => {
  test('has no way to change or remove an entry: no such method, no such statement, and the table refuses both', async () => {
    const methods = Object.getOwnPropertyNames(SqliteAuditStore.prototype);
    assert.deepEqual(methods.filter((m) => /update|delete|remove|erase|purge|clear|truncate|drop|set/i.test(m)), []);
    const here = path.dirname(fileURLToPath(import.meta.url));
    for (const source of ['audit-store.ts', 'audit-sql.ts']) {
      const text = await readFile(path.join(here, source), 'utf8');
      assert.doesNotMatch(text, /\b(UPDATE|DELETE|DROP|REPLACE|TRUNCATE)\b/, source);
    }
    const { dir, file } = await openFile();
    const store = new SqliteStore({ file });
    try {
      const audit = new SqliteAuditStore(store.db);
      audit.record(ENTRY);
      await audit.flush();
      assert.throws(() => store.db.prepare("UPDATE audit_log SET principal = 'x'").run(), /append-only/);
      assert.throws(() => store.db.prepare('DELETE FROM audit_log').run(), /append-only/);
      assert.equal((await audit.search({ query: parseAuditQuery('', 0), size: 10 })).entries.length, 1);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('writes what is queued when closed, so a clean shutdown loses nothing', async () => {
    const { dir, file } = await openFile();
    try {
      let store = new SqliteStore({ file });
      const audit = new SqliteAuditStore(store.db, { flushIntervalMs: 60_000 });
      for (let i = 0; i < 3; i++) audit.record({ ...ENTRY, requestId: `r${i}` });
      assert.equal(audit.queued, 3);
      await audit.close();
      await store.close();
      store = new SqliteStore({ file });
      const rows = store.db.prepare('SELECT request_id FROM audit_log ORDER BY seq').all() as { request_id: string }[];
      assert.deepEqual(rows.map((r) => r.request_id), ['r0', 'r1', 'r2']);
      await store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('drops and counts entries past its bound instead of growing or blocking', async () => {
    const { dir, file } = await openFile();
    const store = new SqliteStore({ file });
    try {
      let dropped = 0;
      const audit = new SqliteAuditStore(store.db, { maxQueued: 2, maxBatch: 100, flushIntervalMs: 60_000, onDropped: () => dropped++ });
      for (let i = 0; i < 5; i++) audit.record({ ...ENTRY, requestId: `r${i}` });
      assert.equal(dropped, 3);
      assert.equal(audit.queued, 2);
      await audit.close();
      audit.record(ENTRY);
      assert.equal(dropped, 4, 'a closed log drops');
      assert.equal((store.db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n, 2);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('refuses an unknown field by name', () => {
    assert.throws(() => parseAuditQuery('password:x', 0), (e: Error & { code?: string }) => e.code === 'INVALID_QUERY' && /unknown audit field "password"/.test(e.message));
    assert.throws(() => parseAuditQuery('principal > a', 0), /ranges apply to time/);
    assert.throws(() => parseAuditQuery('status:abc', 0), /status takes a number/);
  });
});

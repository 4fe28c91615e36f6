import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { finding, findingDoc } from '../../../test/fixtures/findings.js';
import { parseQuery } from '../../query/parser.js';
import { migrate, ROLLING_ARCHIVE_SCHEMA_VERSION, SCHEMA_VERSION } from './schema.js';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(path.join(tmpdir(), 'yagura-schema-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A store as Yagura 0.1 (schema v1) wrote it: the document inside the findings row. */
function writeVersionOne(file: string): void {
  const db = new Database(file);
  migrate(db, 1);
  const doc = findingDoc({ id: 'f1', ip: '198.51.100.7', updatedAt: '2026-11-20T08:00:00.000Z', severity: 8 });
  const updatedAt = Date.parse('2026-11-20T08:00:00.000Z');
  const { lastInsertRowid } = db.prepare(
    `INSERT INTO findings (account_id, region, id, type, severity, band, updated_at, count, archived, sample, first_seen,
       last_seen, versions, hash, received_at, doc)
     VALUES ('111122223333', 'us-east-1', 'f1', 'UnauthorizedAccess:EC2/TorClient', 8, 3, ?, 1, 0, 0, ?, ?, 1, 'old-hash', ?, ?)`,
  ).run(updatedAt, updatedAt, updatedAt, updatedAt, JSON.stringify(doc));
  db.prepare('INSERT INTO finding_remote_ips (finding, ip, country, org) VALUES (?, ?, ?, ?)').run(lastInsertRowid, '198.51.100.7', 'Germany', 'Example AS');
  db.prepare('INSERT INTO findings_text (rowid, text) VALUES (?, ?)').run(lastInsertRowid, 'tor exit node');
  db.close();
}

test('opening a version-1 store moves documents out of the findings row and keeps every finding readable', async () => {
  const file = path.join(dir, 'v1.db');
  writeVersionOne(file);
  const store = new SqliteStore({ file });
  try {
    assert.equal(store.db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    const columns = (store.db.prepare("SELECT name FROM pragma_table_info('findings')").all() as Array<{ name: string }>).map((c) => c.name);
    assert.ok(!columns.includes('doc'), 'the findings row no longer holds the document');
    const got = await store.get({ accountId: '111122223333', region: 'us-east-1', id: 'f1' });
    assert.equal(got?.doc['id'], 'f1');
    const byIp = await store.search({
      query: parseQuery('remoteIp:198.51.100.7'),
      from: Date.parse('2026-11-19T00:00:00Z'),
      size: 10,
      sort: { field: 'updatedAt', order: 'desc' },
    });
    assert.deepEqual(byIp.findings.map((f) => f.key.id), ['f1']);
    const terms = await store.aggregate({
      query: parseQuery('*'),
      from: Date.parse('2026-11-19T00:00:00Z'),
      to: Date.parse('2026-11-21T00:00:00Z'),
      aggs: { ips: { terms: { field: 'remoteIp' } }, countries: { terms: { field: 'remoteCountry' } } },
    });
    assert.deepEqual(terms.aggregations['ips'], { buckets: [{ key: '198.51.100.7', doc_count: 1 }], sum_other_doc_count: 0 });
    // A match-all query reads the parties' own time index: the finding outside the range is not counted.
    assert.deepEqual(terms.aggregations['countries'], { buckets: [{ key: 'Germany', doc_count: 1 }], sum_other_doc_count: 0 });
    const outside = await store.aggregate({
      query: parseQuery('*'),
      from: Date.parse('2026-11-21T00:00:00Z'),
      aggs: { countries: { terms: { field: 'remoteCountry' } } },
    });
    assert.deepEqual(outside.aggregations['countries'], { buckets: [], sum_other_doc_count: 0 });
  } finally {
    await store.close();
  }
});

test('an update after the migration re-indexes the finding once and keeps the old version in its history', async () => {
  const file = path.join(dir, 'v1-update.db');
  writeVersionOne(file);
  const store = new SqliteStore({ file });
  try {
    const newer = finding({ id: 'f1', ip: '203.0.113.9', updatedAt: '2026-11-21T08:00:00.000Z', severity: 8, title: 'now a crypto miner' });
    const result = await store.upsert([newer], Date.parse('2026-11-21T08:00:01Z'));
    assert.deepEqual(result.outcomes, ['updated']);
    const got = await store.get(newer.key);
    assert.equal(got?.history.length, 2);
    const old = await store.search({ query: parseQuery('remoteIp:198.51.100.7'), size: 10, sort: { field: 'updatedAt', order: 'desc' } });
    assert.equal(old.findings.length, 0, 'the old remote party is gone from the index');
    const text = await store.search({ query: parseQuery('crypto'), size: 10, sort: { field: 'updatedAt', order: 'desc' } });
    assert.deepEqual(text.findings.map((f) => f.key.id), ['f1']);
  } finally {
    await store.close();
  }
});

test('outbox entries a store wrote before rolling objects become sealed objects under their batch names', async () => {
  const file = path.join(dir, 'outbox.db');
  const store = new SqliteStore({ file });
  await store.upsert([finding({ id: 'legacy1' }), finding({ id: 'legacy2', region: 'eu-west-1' })], Date.parse('2026-11-20T08:00:00Z'));
  await store.close();
  // The outbox as the schema before rolling objects left it: one batch name per commit, no objects.
  const db = new Database(file);
  db.exec(`DROP TABLE archive_objects; DROP INDEX archive_outbox_object; ALTER TABLE archive_outbox DROP COLUMN object;
    CREATE INDEX archive_outbox_batch ON archive_outbox (batch); UPDATE archive_outbox SET batch = 'batch-1';
    DROP TABLE finding_paths;
    DROP TABLE sts_sessions; DROP TABLE directory_role_map; ALTER TABLE sessions DROP COLUMN access_key_id; ALTER TABLE audit_log DROP COLUMN reason;
    DROP TABLE archive_written; DROP TABLE archive_index; DROP TABLE archive_purges;`);
  // Later migrations run again on reopening: the path index (dropped above) is built anew.
  db.pragma(`user_version = ${ROLLING_ARCHIVE_SCHEMA_VERSION - 1}`);
  db.close();
  const reopened = new SqliteStore({ file });
  try {
    const objects = await reopened.outbox.objects();
    assert.deepEqual(objects.map((o) => `${o.region}/${o.day}/${o.name}:${o.lines}`).sort(), ['eu-west-1/2026/11/20/batch-1:1', 'us-east-1/2026/11/20/batch-1:1']);
    assert.ok(objects.every((o) => o.sealedAt !== undefined), 'sealed: written at once, as they were');
    const lines: Uint8Array[] = [];
    for await (const part of reopened.outbox.lines(objects.find((o) => o.region === 'us-east-1')!)) lines.push(...part);
    assert.deepEqual(lines.map((l) => (JSON.parse(Buffer.from(l).toString('utf8')) as { id: string }).id), ['legacy1']);
  } finally {
    await reopened.close();
  }
});

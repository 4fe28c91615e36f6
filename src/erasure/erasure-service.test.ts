// The erasure service on both backends (SQLite file, PostgreSQL): a job removes what its query selects from the
// finding store and alerting, resumes after an interruption, writes its receipt, and a whole account's erasure
// leaves a tombstone. The API and the archive are covered in test/api/erasure.test.ts and the S3 test.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres.js';
import { createSchema } from '../../test/support/postgres-state.js';
import { Keyring } from '../auth/secrets/keyring.js';
import type { FindingKey } from '../findings/finding.js';
import { keyDigest } from '../findings/key-digest.js';
import { bindQuery } from '../query/bind.js';
import { parseQuery } from '../query/parser.js';
import type { Backend } from '../store/backend.js';
import { f, T0 } from '../store/conformance/fixtures.js';
import { storeConfigSchema } from '../store/postgres/postgres-config.js';
import { openPostgresBackend } from '../store/postgres/postgres-backend.js';
import { openSqliteBackend } from '../store/sqlite/sqlite-backend.js';
import { noErasureCounts } from './erasure-job.js';
import { ErasureService } from './erasure-service.js';

type Open = () => Promise<{ backend: Backend; close(): Promise<void> }>;

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('erasure_service');
});
after(async () => database.drop());

const openSqlite: Open = async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-erasure-service-'));
  const backend = await openSqliteBackend({ file: path.join(dir, 'yagura.db'), secrets: Keyring.generate() });
  return {
    backend,
    async close(): Promise<void> {
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

const openPostgres: Open = async () => {
  const schema = await createSchema(database, 'erasure');
  const backend = await openPostgresBackend({ config: storeConfigSchema.parse({ url: database.url, poolSize: 4 }), schema, secrets: Keyring.generate() });
  return { backend, close: () => backend.close() };
};

const key = (id: string, accountId = '111122223333'): FindingKey => ({ accountId, region: 'us-east-1', id });

for (const [name, open] of [['SQLite', openSqlite], ['PostgreSQL', openPostgres]] as const) {
  describe(`erasure service on ${name}`, () => {
    test('erases what the query selects in the time range, with its alert traces, and writes a receipt of the keys', async () => {
      const { backend, close } = await open();
      try {
        await backend.findings.upsert([f({ id: 'gone-1', ip: '203.0.113.5' }), f({ id: 'gone-2', ip: '203.0.113.5' }), f({ id: 'late', ip: '203.0.113.5', updatedAt: '2026-11-09T00:00:00.000Z' }), f({ id: 'kept', ip: '198.51.100.5' })], T0);
        await backend.findings.upsert([f({ id: 'gone-1', ip: '203.0.113.5', count: 2, updatedAt: '2026-11-02T00:00:00.000Z' })], T0 + 1);
        await backend.alerts.evaluation.commitEvaluation(
          { cursor: 0, incidents: [{ rule: 'r', groupKey: '111122223333/us-east-1/gone-1', openedAt: T0, lastAlertAt: T0, band: 'Low', count: 1, updates: 1, alerts: 1, updatedAt: T0 }], deliveries: [], digestItems: [] },
          T0,
        );
        const kept = await backend.findings.get(key('kept'));
        const audited: string[] = [];
        const service = new ErasureService({
          findings: backend.findings,
          alerts: backend.alerts,
          erasures: backend.erasures,
          audit: { record: (e) => audited.push(e.reason ?? '') > 0, search: async () => ({ entries: [] }), flush: async () => undefined, close: async () => undefined },
        });
        const job = await service.start({
          target: { kind: 'query', query: bindQuery(parseQuery('remoteIp:"203.0.113.5"')), from: Date.parse('2026-11-01T00:00:00Z'), to: Date.parse('2026-11-05T00:00:00Z') },
          reason: 'DSR-7',
          requestedBy: 'arn:yagura:iam:::user/dpo',
        });
        await service.idle();
        const done = await service.get(job.id);
        assert.equal(done?.status, 'done', done?.error);
        assert.equal(done?.keys, 2);
        assert.equal(done?.counts.findings, 2);
        assert.equal(done?.counts.versions, 3);
        assert.equal(done?.counts.incidents, 1);
        assert.equal(done?.target.kind === 'query' && done.target.query, undefined, 'the query is not kept');
        const digest = createHash('sha256').update(Buffer.concat([keyDigest(key('gone-1')), keyDigest(key('gone-2'))].sort(Buffer.compare))).digest('hex');
        assert.equal(done?.keysDigest, digest);
        assert.deepEqual(await backend.erasures.keyDigests(job.id), [], 'the key digests go once the receipt is written');
        assert.equal(await backend.findings.get(key('gone-1')), undefined);
        assert.ok(await backend.findings.get(key('late')), 'outside the time range: kept');
        assert.deepEqual(await backend.findings.get(key('kept')), kept);
        assert.equal(await backend.alerts.evaluation.incident('r', '111122223333/us-east-1/gone-1'), undefined);
        assert.equal(audited.length, 1);
        assert.equal(JSON.parse(audited[0]!).keysDigest, digest);
        await service.close();
      } finally {
        await close();
      }
    });

    test('a job left running resumes: the findings it had not removed yet are removed, and its tombstone holds', async () => {
      const { backend, close } = await open();
      try {
        await backend.findings.upsert([f({ id: 'a1', accountId: '999900001111' }), f({ id: 'a2', accountId: '999900001111' }), f({ id: 'b1' })], T0);
        // As a crash leaves it: recorded, tombstoned, one of its findings removed, the rest not.
        const first = new ErasureService({ findings: backend.findings, alerts: backend.alerts, erasures: backend.erasures });
        await backend.erasures.create({ id: 'er-00000000-0000-4000-8000-000000000001', status: 'running', phase: 'removing', target: { kind: 'account', accountId: '999900001111' }, reason: 'end of contract', requestedBy: 'arn:yagura:iam:::user/dpo', createdAt: T0, updatedAt: T0, keys: 0, counts: noErasureCounts() });
        await backend.erasures.addTombstone({ accountId: '999900001111', erasure: 'er-00000000-0000-4000-8000-000000000001', at: T0 });
        await backend.findings.remove([key('a1', '999900001111')]);
        await first.resume();
        assert.equal(first.isErasedAccount('999900001111'), true);
        assert.equal(first.isErasedAccount('111122223333'), false);
        await first.idle();
        const job = await first.get('er-00000000-0000-4000-8000-000000000001');
        assert.equal(job?.status, 'done', job?.error);
        assert.equal(await backend.findings.get(key('a2', '999900001111')), undefined);
        assert.ok(await backend.findings.get(key('b1')));
        await first.close();
      } finally {
        await close();
      }
    });
  });
}

// The export on a PostgreSQL store: every selected finding across pages, within a restricted principal's scope.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXPORT_PAGE_SIZE } from '../../src/api/finding-export.js';
import { configSchema } from '../../src/config/schema.js';
import { startServer, type Server } from '../../src/main.js';
import { findingDoc } from '../fixtures/findings.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const KEY = 'export-postgres-bootstrap-key-0123456789';
const MANY = EXPORT_PAGE_SIZE * 2 + 3;

describe('export on PostgreSQL', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let dir: string;
  let server: Server | undefined;
  let savedMasterKey: string | undefined;
  const call = async (method: string, route: string, body?: unknown, key = KEY): Promise<Response> =>
    fetch(`${server!.url}${route}`, { method, headers: { 'x-api-key': key, ...(body !== undefined && { 'content-type': 'application/json' }) }, ...(body !== undefined && { body: JSON.stringify(body) }) });

  before(async () => {
    database = await createTestDatabase('export');
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-pg-export-'));
    savedMasterKey = process.env.YAGURA_MASTER_KEY;
    process.env.YAGURA_MASTER_KEY = randomBytes(32).toString('base64');
    server = await startServer(configSchema.parse({ dataDir: path.join(dir, 'data'), port: 0, bootstrapKey: KEY, logLevel: 'silent', store: { url: database.url, poolSize: 4 } }));
    const docs = Array.from({ length: MANY }, (_, i) =>
      findingDoc({ id: `pg-${String(i).padStart(4, '0')}`, accountId: i % 3 === 0 ? '222222222222' : '111111111111', updatedAt: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 1000).toISOString() }),
    );
    for (let i = 0; i < docs.length; i += 250) {
      const res = await call('POST', '/api/v1/events', docs.slice(i, i + 250));
      assert.equal(res.status, 200, await res.text());
    }
  });
  after(async () => {
    await server?.close().catch(() => undefined);
    if (savedMasterKey === undefined) delete process.env.YAGURA_MASTER_KEY;
    else process.env.YAGURA_MASTER_KEY = savedMasterKey;
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('every finding once, oldest first, across pages; a restricted key only its account', async () => {
    const all = await call('GET', '/api/v1/findings/export?from=2026-10-01');
    assert.equal(all.status, 200);
    const ids = (await all.text()).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { yagura: { id: string } }).yagura.id);
    assert.equal(ids.length, MANY);
    assert.deepEqual(ids, [...ids].sort());

    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:ExportFindings', Resource: 'arn:aws:guardduty:*:222222222222:detector/*/finding/*' }] };
    assert.equal((await call('POST', '/api/v1/policies', { name: 'export-222', document: policy })).status, 201);
    assert.equal((await call('POST', '/api/v1/roles', { name: 'export-222', policies: ['export-222'] })).status, 201);
    const key = ((await (await call('POST', '/api/v1/keys', { name: 'export-222', role: 'export-222' })).json()) as { key: string }).key;
    const scoped = await call('GET', '/api/v1/findings/export?from=2026-10-01&format=csv', undefined, key);
    assert.equal(scoped.status, 200);
    const rows = (await scoped.text()).trim().split('\n');
    assert.equal(rows.length - 1, Math.ceil(MANY / 3));
    assert.ok(rows.slice(1).every((r) => r.startsWith('222222222222,')));
  });
});

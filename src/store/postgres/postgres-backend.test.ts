// The whole PostgreSQL backend: several instances opening it at once migrate once and then share every store;
// what it reports about itself holds no credentials.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { finding } from '../../../test/fixtures/findings.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres.js';
import { createSchema } from '../../../test/support/postgres-state.js';
import { parseAuditQuery } from '../../audit/audit-query.js';
import { Keyring } from '../../auth/secrets/keyring.js';
import { generateMasterKey } from '../../auth/secrets/master-key.js';
import { checkSealedRecords } from '../../auth/secrets/sealed-records.js';
import { bindQuery } from '../../query/bind.js';
import { parseQuery } from '../../query/parser.js';
import { FINDINGS_PART } from './migrate.js';
import { storeConfigSchema } from './postgres-config.js';
import { openPostgresBackend, splitPool, type PostgresBackend } from './postgres-backend.js';
import { STORE_MIGRATIONS } from './store-schema.js';
import { RETENTION_MIGRATIONS, RETENTION_PART } from './retention-store.js';
import { STATE_MIGRATIONS, STATE_PART } from './state-schema.js';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase('backend');
});
after(async () => database.drop());

const T0 = Date.parse('2026-11-20T00:00:00Z');
const secrets = Keyring.generate();

async function open(schema: string, url = database.url): Promise<PostgresBackend> {
  return openPostgresBackend({ config: storeConfigSchema.parse({ url, poolSize: 4 }), schema, secrets });
}

async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((r) => setTimeout(r, 20))) {
    if (await check()) return;
  }
  assert.fail(`${what} within ${timeoutMs} ms`);
}

test('three instances opening the backend at once apply each migration once, then share every store', async () => {
  const schema = await createSchema(database, 'shared');
  const [a, b, c] = await Promise.all([open(schema), open(schema), open(schema)]);
  try {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const rows = (await client.query<{ part: string; version: number; n: string }>(`SELECT part, version, count(*) AS n FROM ${schema}.schema_migrations GROUP BY 1, 2 ORDER BY 1, 2`)).rows;
      assert.deepEqual(
        rows.map((r) => [r.part, r.version, Number(r.n)]),
        [
          ...STORE_MIGRATIONS.map((m) => [FINDINGS_PART, m.version, 1]),
          ...RETENTION_MIGRATIONS.map((m) => [RETENTION_PART, m.version, 1]),
          ...STATE_MIGRATIONS.map((m) => [STATE_PART, m.version, 1]),
        ],
      );
    } finally {
      await client.end();
    }

    await a.findings.upsert([finding({ id: 'f1' })], T0);
    assert.equal((await c.findings.get({ accountId: '111122223333', region: 'us-east-1', id: 'f1' }))?.key.id, 'f1');

    await a.principals.createUser({ name: 'alice', tags: {}, groups: [], policies: [] }, T0);
    assert.equal((await b.principals.getUser('ALICE'))?.name, 'alice');
    const [secretA, secretB] = await Promise.all([a.storedSecret('cursor', () => Buffer.from('from-a')), b.storedSecret('cursor', () => Buffer.from('from-b'))]);
    assert.deepEqual(secretA, secretB, 'instances asking at once share the one secret stored first');

    const destination = await b.alerts.destinations.createDestination({ type: 'webhook', name: 'siem', url: 'https://siem.example.com/in', secret: 'a-secret-of-length' }, T0);
    assert.deepEqual(await c.alerts.destinations.getDestination(destination.id), destination);
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});

test("a change to principals or the catalog on one instance reaches the others' generations at once", async () => {
  const schema = await createSchema(database, 'generations');
  const [a, b] = await Promise.all([open(schema), open(schema)]);
  try {
    const principals = b.principals.generation;
    const catalog = b.catalog.generation;
    await a.principals.createPolicy('p', { Version: '2012-10-17', Statement: [] }, T0);
    await eventually('the other instance saw the principal change', () => b.principals.generation > principals);
    assert.equal(b.catalog.generation, catalog, 'the catalog did not change');
    await a.catalog.putGroup('payments', {}, T0);
    await eventually('the other instance saw the catalog change', () => b.catalog.generation > catalog);
    const own = a.principals.generation;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(a.principals.generation, own, 'an instance is not told again of its own change');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('an instance whose listening connection is cut treats everything as changed, reconnects, and hears again', async () => {
  const schema = await createSchema(database, 'reconnect');
  const errors: Error[] = [];
  const config = storeConfigSchema.parse({ url: database.url, poolSize: 4 });
  const [a, b] = await Promise.all([
    openPostgresBackend({ config, schema, secrets }),
    openPostgresBackend({ config, schema, secrets, onPoolError: (e) => errors.push(e) }),
  ]);
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  try {
    const before = { principals: b.principals.generation, catalog: b.catalog.generation };
    const cut = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'yagura-listen' AND datname = $1`, [database.name]);
    assert.equal(cut.rowCount, 2);
    await eventually('the cut instance assumed it missed changes', () => b.principals.generation > before.principals && b.catalog.generation > before.catalog);
    assert.ok(errors.length > 0, 'and said its connection was lost');
    const now = b.principals.generation;
    await a.principals.createGroup({ name: 'after-reconnect', policies: [] }, T0);
    await eventually('a change made after the reconnect was heard', () => b.principals.generation > now);
  } finally {
    await admin.end();
    await Promise.all([a.close(), b.close()]);
  }
});

test('describes itself without credentials, measures its tables, and lists every kind of sealed record', async () => {
  const schema = await createSchema(database, 'describe');
  const url = new URL(database.url);
  url.password = 'hunter2-not-needed-with-trust';
  const backend = await open(schema, url.toString());
  try {
    assert.equal(backend.describe(), `PostgreSQL ${url.hostname}:${url.port || '5432'}/${database.name} (schema ${schema})`);
    assert.doesNotMatch(backend.describe(), /hunter2/);
    assert.ok((await backend.sizeBytes()) > 0);
    assert.equal(backend.facetsReady(), false);
    assert.equal(await backend.bulkLoad(1_000_000), undefined);
    assert.deepEqual(backend.sealed.map((s) => s.description), ['alert destinations', 'temporary credentials (STS role sessions)', 'API key signing credentials']);
  } finally {
    await backend.close();
  }
});

test('a master key rotation over the backend\'s sealed records re-seals destinations, temporary and signing credentials', async () => {
  const schema = await createSchema(database, 'rotation');
  const oldKey = generateMasterKey();
  const newKey = generateMasterKey();
  const config = storeConfigSchema.parse({ url: database.url, poolSize: 4 });
  const backend = await openPostgresBackend({ config, schema, secrets: new Keyring([oldKey]) });
  try {
    const old = new Keyring([oldKey]);
    await backend.alerts.destinations.createDestination({ type: 'slack', name: 'ops', url: 'https://hooks.slack.com/services/T/B/x' }, T0);
    await backend.signingKeys.insert({ keyId: 'k1', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', sealedSecret: old.seal('signing', 'key:AKIAAAAAAAAAAAAAAAAA') });
    await backend.roleSessions.insert({
      accessKeyId: 'ASIAAAAAAAAAAAAAAAAA', sealedSecret: old.seal('temporary', 'sts:ASIAAAAAAAAAAAAAAAAA'), tokenHash: 't', roleName: 'Reader', sessionName: 's',
      source: 'ldap', subject: 'uid=a', sessionPolicy: null, tags: {}, context: {}, sourceIp: '127.0.0.1', createdAt: T0, expiresAt: T0 + 1, revokedAt: null,
    });
    const during = new Keyring([newKey, oldKey]);
    let changed = 0;
    for (const records of backend.sealed) changed += await records.rewriteSealed((sealed, context) => during.reseal(sealed, context));
    assert.equal(changed, 3);
    await checkSealedRecords(backend.sealed, new Keyring([newKey]));
    await assert.rejects(checkSealedRecords(backend.sealed, old), /alert destinations/);
  } finally {
    await backend.close();
  }
});

test('the catalog adopts the accounts of stored findings; the delivery log hides deliveries about findings out of scope', async () => {
  const schema = await createSchema(database, 'joins');
  const backend = await open(schema);
  try {
    await backend.findings.upsert([finding({ id: 'f1' }), finding({ id: 'f2', accountId: '444455556666' })], T0);
    assert.equal(await backend.catalog.adoptFindingAccounts(T0), 2);
    assert.deepEqual((await backend.catalog.allAccounts()).map((a) => [a.accountId, a.group]), [['111122223333', 'unassigned'], ['444455556666', 'unassigned']]);
    assert.equal(await backend.catalog.adoptFindingAccounts(T0), 0, 'once');

    const about = (id: string, accountId: string) => ({ rule: 'r', destination: 'd', kind: 'new' as const, about: [{ accountId, region: 'us-east-1', id }], message: { kind: 'new' as const, rule: { id: 'r', name: 'r' }, findings: [] }, arrivedAt: T0 });
    const [mine, theirs, gone] = await backend.alerts.deliveries.enqueue([about('f1', '111122223333'), about('f2', '444455556666'), about('erased', '111122223333')], T0);
    const scope = bindQuery(parseQuery('accountId:111122223333')).root;
    assert.deepEqual((await backend.alerts.deliveries.listDeliveries({ limit: 10, scope })).map((d) => d.id), [mine]);
    assert.equal((await backend.alerts.deliveries.getDelivery(theirs!, scope)), undefined);
    assert.equal((await backend.alerts.deliveries.getDelivery(gone!, scope)), undefined, 'a finding no longer stored cannot be judged');
    assert.equal((await backend.alerts.deliveries.listDeliveries({ limit: 10 })).length, 3);
  } finally {
    await backend.close();
  }
});

test('closing writes the audit entries still queued', async () => {
  const schema = await createSchema(database, 'closing');
  let backend = await open(schema);
  backend.audit.record({ time: T0, requestId: 'last', principal: null, keyPrefix: null, sessionId: null, sourceIp: '127.0.0.1', method: 'GET', route: '/health', action: null, resource: null, decision: 'allowed', status: 200, errorCode: null, resultSize: 2, items: null });
  await backend.close();
  backend = await open(schema);
  try {
    assert.deepEqual((await backend.audit.search({ query: parseAuditQuery('', T0), size: 10 })).entries.map((e) => e.requestId), ['last']);
  } finally {
    await backend.close();
  }
});

test('a server that does not answer is STORE_UNAVAILABLE, named without its credentials', async () => {
  const config = storeConfigSchema.parse({ url: 'postgres://yagura:hunter2@127.0.0.1:1/yagura', connectTimeoutSeconds: 2 });
  await assert.rejects(openPostgresBackend({ config, secrets }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'STORE_UNAVAILABLE');
    assert.match(error.message, /127\.0\.0\.1:1\/yagura is unavailable/);
    assert.doesNotMatch(error.message, /hunter2/);
    return true;
  });
});

test('the pool is shared out between findings and the server state within the configured size', () => {
  assert.deepEqual(splitPool(10), { findings: 7, state: 3 });
  assert.deepEqual(splitPool(4), { findings: 2, state: 2 });
});

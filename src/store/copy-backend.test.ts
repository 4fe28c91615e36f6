// Copying an embedded store into PostgreSQL: every kind of record reads back from the copy as it reads from the
// source, whatever page it stopped at; sealed values open with the source's master key.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { finding } from '../../test/fixtures/findings.js';
import { createSchema } from '../../test/support/postgres-state.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres.js';
import type { AlertFinding } from '../alerts/message.js';
import { keyString, type FindingKey } from '../findings/finding.js';
import { hashKey } from '../auth/api-keys.js';
import { Keyring } from '../auth/secrets/keyring.js';
import { checkSealedRecords } from '../auth/secrets/sealed-records.js';
import { parseQuery } from '../query/parser.js';
import { compareFindings, copyBackend, type CopyFrom, type CopyTo } from './copy-backend.js';
import type { FindingStore } from './finding-store.js';
import { openPostgresBackend, type PostgresBackend } from './postgres/postgres-backend.js';
import { storeConfigSchema } from './postgres/postgres-config.js';
import { openSqliteBackend, type SqliteBackend } from './sqlite/sqlite-backend.js';
import { RECORD_KINDS, type RecordKind } from './transfer-records.js';
import type { RecordSink, RecordSource } from './transfer.js';

const T0 = Date.parse('2026-11-20T08:00:00Z');
const HOUR = 3_600_000;
const SOURCE = { id: 'source-one', description: '/srv/yagura-data' };

const alertFinding = (id: string): AlertFinding => ({
  accountId: '111122223333',
  region: 'us-east-1',
  id,
  type: 'Recon:EC2/PortProbeUnprotectedPort',
  title: 'probe',
  severity: 5,
  band: 'Medium',
  resource: 'i-1',
  actor: '198.51.100.7',
  count: 1,
  updatedAt: new Date(T0).toISOString(),
});

/** A store that has been used: findings with history and archive actions, principals, alerting, federation, audit. */
async function fill(store: SqliteBackend, secrets: Keyring): Promise<void> {
  const f = store.findings;
  await f.upsert([finding({ id: 'f1', updatedAt: '2026-11-20T09:00:00.000Z', count: 2 }), finding({ id: 'f2', ip: '203.0.113.9' })], T0);
  await f.upsert([finding({ id: 'f1', updatedAt: '2026-11-20T10:00:00.000Z', count: 3 }), finding({ id: 'f3', accountId: '444455556666', sample: true })], T0 + HOUR);
  // An older version arriving late: history, not the current version.
  await f.upsert([finding({ id: 'f1', updatedAt: '2026-11-20T08:30:00.000Z', count: 1 })], T0 + 2 * HOUR);
  for (let i = 0; i < 7; i++) await f.upsert([finding({ id: `bulk-${i}`, region: i % 2 === 0 ? 'eu-west-1' : 'us-east-1' })], T0 + i);
  await f.setArchived({ accountId: '111122223333', region: 'us-east-1', id: 'f1' }, true, 'arn:yagura:iam:::user/Alice', T0 + 3 * HOUR);
  await f.setArchived({ accountId: '111122223333', region: 'us-east-1', id: 'f1' }, false, 'arn:yagura:iam:::user/Bob', T0 + 4 * HOUR);
  await f.setArchived({ accountId: '111122223333', region: 'us-east-1', id: 'f2' }, true, 'arn:yagura:iam:::user/Alice', T0 + 4 * HOUR);

  const p = store.principals;
  await p.createPolicy('Read-Findings', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:Get*', Resource: '*' }] }, T0);
  await p.createGroup({ name: 'SOC-Team', policies: ['read-findings'] }, T0);
  await p.createUser({ name: 'Alice', passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA', tags: { desk: 'soc' }, groups: ['soc-team'], policies: [] }, T0);
  await p.createUser({ name: 'bob', tags: {}, groups: [], policies: ['READ-FINDINGS'] }, T0 + 1);
  await p.createRole({ name: 'Analyst', description: 'reads', tags: { team: 'blue' }, policies: ['read-findings'], trustPolicy: { Version: '2012-10-17', Statement: [] } }, T0);
  await p.createApiKey({ id: 'k1', prefix: 'yk_aaaaaaaa', name: 'ci', hash: hashKey('yk_aaaaaaaa_secret-one'), owner: { kind: 'role', name: 'Analyst' }, createdAt: T0, expiresAt: T0 + 90 * 24 * HOUR });
  await p.createApiKey({ id: 'k0', prefix: 'yk_bbbbbbbb', name: 'alice', hash: hashKey('yk_bbbbbbbb_secret-two'), owner: { kind: 'user', name: 'alice' }, createdAt: T0 + 1, expiresAt: null });
  await p.touchKey('k1', T0 + HOUR);
  await p.revokeKey('k0', T0 + 2 * HOUR);
  await store.signingKeys.insert({ keyId: 'k1', accessKeyId: 'AKIAEXAMPLE00000001', sealedSecret: secrets.seal('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'key:AKIAEXAMPLE00000001') });

  await store.catalog.putGroup('production', { tier: 'prod' }, T0);
  await store.catalog.putAccount({ accountId: '111122223333', group: 'production', name: 'payments', tags: { owner: 'pay' } }, T0);
  await store.catalog.putPolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'yagura:GetFinding', Resource: '*' }] }, T0);

  const destination = await store.alerts.destinations.createDestination({ type: 'webhook', name: 'siem', url: 'https://siem.example/hook', secret: 'a-webhook-secret-of-length' }, T0);
  const rule = await store.alerts.rules.createRule({ name: 'probes', query: 'type:Recon*', minBand: 'Low', trigger: { kind: 'new' }, routes: [{ destination: destination.id }] } as never, 'arn:yagura:iam:::user/Alice', T0);
  await store.alerts.evaluation.commitEvaluation(
    {
      cursor: 3,
      incidents: [{ rule: rule.id, groupKey: '111122223333/us-east-1/f2', openedAt: T0, lastAlertAt: T0, band: 'Medium', count: 1, updates: 2, alerts: 1, updatedAt: T0 }],
      deliveries: [
        {
          rule: rule.id,
          destination: destination.id,
          kind: 'new',
          finding: '111122223333/us-east-1/f2',
          about: [{ accountId: '111122223333', region: 'us-east-1', id: 'f2' }],
          message: { kind: 'new', rule: { id: rule.id, name: 'probes' }, findings: [alertFinding('f2')] },
          arrivedAt: T0,
        },
      ],
      digestItems: [
        { rule: rule.id, finding: alertFinding('f2'), at: T0 },
        { rule: rule.id, finding: alertFinding('f3'), at: T0 + 1 },
      ],
    },
    T0,
  );

  await store.sessions.insert({ hash: 'session-hash-1', keyId: '', name: 'Alice', userName: 'Alice', createdAt: T0, lastUsedAt: T0 + 5, expiresAt: T0 + 8 * HOUR });
  await store.roleSessions.insert({
    accessKeyId: 'ASIAEXAMPLE00000001',
    sealedSecret: secrets.seal('temporary-secret', 'sts:ASIAEXAMPLE00000001'),
    tokenHash: 'token-hash',
    roleName: 'Analyst',
    sessionName: 'alice',
    source: 'oidc:corp',
    subject: 'https://idp.example alice',
    sessionPolicy: null,
    tags: { team: 'blue' },
    context: { 'aws:FederatedProvider': 'https://idp.example' },
    sourceIp: '192.0.2.1',
    createdAt: T0,
    expiresAt: T0 + HOUR,
    revokedAt: null,
  });
  await store.roleMap.replace([{ dn: 'cn=soc,ou=groups,dc=example,dc=org', role: 'Analyst' }], T0);
  await store.retention.putPolicy({ default: { archiveDays: 2555 }, rules: [{ name: 'low', bands: ['Low'], storeDays: 90 }] }, 'arn:yagura:iam:::user/Alice', T0);
  await store.retention.createHold({ id: 'lh-1', target: { accountId: '111122223333' }, reason: 'litigation', createdBy: 'arn:yagura:iam:::user/Alice', createdAt: T0 });
  await store.retention.createHold({ id: 'lh-2', target: { query: 'severity >= 7' }, reason: 'case 2', createdBy: 'arn:yagura:iam:::user/Alice', createdAt: T0 + 1 });
  await store.retention.liftHold('lh-2', 'arn:yagura:iam:::user/Alice', T0 + 2);
  for (let i = 0; i < 5; i++) {
    store.audit.record({ time: T0 + i, requestId: `r${i}`, principal: i === 0 ? null : 'arn:yagura:iam:::user/Alice', keyPrefix: null, sessionId: null, sourceIp: '127.0.0.1', method: 'GET', route: '/api/v1/findings', action: 'yagura:ListFindings', resource: '*', decision: i === 0 ? 'unauthenticated' : 'allowed', status: i === 0 ? 401 : 200, errorCode: null, resultSize: 10, items: 1, reason: null });
  }
  await store.audit.flush();
  await store.storedSecret('cursor', () => Buffer.alloc(32, 7));
}

/**
 * Every record of a kind, read in pages of two, so that every kind is read across several pages.
 * Findings come in the order each backend first stored them, which a copy need not keep: they are sorted by key.
 */
async function readAll(source: RecordSource, kind: RecordKind): Promise<unknown[]> {
  const all: unknown[] = [];
  let after: readonly (string | number)[] | undefined;
  for (;;) {
    const page = await source.read(kind, after, 2);
    all.push(...page.records);
    if (page.records.length < 2) break;
    after = page.last;
  }
  if (kind !== 'findings') return all;
  return (all as Array<{ key: FindingKey }>).sort((a, b) => keyString(a.key).localeCompare(keyString(b.key)));
}

describe('copying a store into PostgreSQL', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let dir: string;
  let source: SqliteBackend;
  const secrets = Keyring.generate();
  const targets: PostgresBackend[] = [];

  const target = async (): Promise<PostgresBackend> => {
    const backend = await openPostgresBackend({ config: storeConfigSchema.parse({ url: database.url, poolSize: 4 }), schema: await createSchema(database, 'copy'), secrets });
    targets.push(backend);
    return backend;
  };

  before(async () => {
    database = await createTestDatabase('copy');
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-copy-'));
    source = await openSqliteBackend({ file: path.join(dir, 'yagura.db'), secrets });
    await fill(source, secrets);
  });
  after(async () => {
    for (const t of targets) await t.close();
    await source?.close();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test('every kind of record reads back from the copy as it reads from the source, and sealed values open', async () => {
    const to = await target();
    const report = await copyBackend(source, to, SOURCE, { batchSize: 3 });
    assert.deepEqual(report.mismatches, []);
    assert.equal(report.earlier, 'none');
    assert.equal(report.compared, 10);
    for (const kind of RECORD_KINDS) {
      assert.deepEqual(await readAll(to.transfer, kind), await readAll(source.transfer, kind), kind);
    }
    const counted = Object.fromEntries(report.counts.map((c) => [c.kind, c.target]));
    assert.deepEqual([counted.findings, counted.findingVersions, counted.archiveActions, counted.auditEntries, counted.alertDigestItems], [10, 12, 3, 5, 2]);
    await checkSealedRecords(to.sealed, secrets);
    assert.equal((await to.alerts.destinations.getDestination((await source.alerts.destinations.listDestinations())[0]!.id))?.type, 'webhook');
    // What the copy's stores answer, not only its records.
    const f1 = { accountId: '111122223333', region: 'us-east-1', id: 'f1' };
    assert.equal(compareFindings(await source.findings.get(f1), await to.findings.get(f1)), undefined);
    assert.equal((await to.findings.get(f1))?.history.length, 3);
    // What the copy's store derives and indexes from a version (words, document paths) is there for its searches.
    for (const kql of ['service.action.networkConnectionAction.remoteIpDetails.ipAddressV4:"203.0.113.9"', 'tor AND region:eu-west-1', 'service.additionalInfo.sample:true']) {
      const request = { query: parseQuery(kql), size: 50, sort: { field: 'updatedAt', order: 'desc' } } as const;
      const ids = async (store: Pick<FindingStore, 'search'>): Promise<string[]> => (await store.search(request)).findings.map((r) => keyString(r.key)).sort();
      const expected = await ids(source.findings);
      assert.ok(expected.length > 0, kql);
      assert.deepEqual(await ids(to.findings), expected, kql);
    }
    assert.equal(await to.principals.passwordHash('alice'), await source.principals.passwordHash('Alice'));
    assert.deepEqual((await to.principals.getUser('ALICE'))?.groups, ['SOC-Team']);
    assert.equal((await to.principals.keyByHash(hashKey('yk_aaaaaaaa_secret-one')))?.lastUsedAt, T0 + HOUR);
    assert.deepEqual(await to.storedSecret('cursor', () => Buffer.alloc(32, 1)), Buffer.alloc(32, 7));
    assert.equal(await to.alerts.evaluation.cursor(), 0, 'the evaluation cursor belongs to the source’s change log and stays behind');
    assert.deepEqual(await to.findings.changesSince(0, 10), [], 'copied findings are not news to alert on');
    assert.deepEqual(await to.findings.outbox.objects(), []);
    // Copied identity columns continue after the copied values.
    await to.alerts.evaluation.commitEvaluation({ cursor: 0, incidents: [], deliveries: [], digestItems: [{ rule: 'r', finding: alertFinding('x'), at: T0 }] }, T0);
    assert.deepEqual((await to.alerts.evaluation.digestItems('r')).map((d) => d.seq), [3]);
  });

  test('a copy stopped after any page continues from there and writes nothing twice', async () => {
    const to = await target();
    for (let stopAfter = 1; ; stopAfter += 4) {
      let writes = 0;
      const failing: CopyTo = {
        findings: to.findings,
        transfer: {
          read: (kind, after, limit) => to.transfer.read(kind, after, limit),
          count: (kind) => to.transfer.count(kind),
          marks: () => to.transfer.marks(),
          write: async (kind, records, mark) => {
            if (++writes > stopAfter) throw new Error('stopped');
            await to.transfer.write(kind, records, mark);
          },
        } satisfies RecordSource & RecordSink,
      };
      const outcome = await copyBackend(source, failing, SOURCE, { batchSize: 2 }).catch((error: Error) => error);
      if (!(outcome instanceof Error)) {
        assert.deepEqual(outcome.mismatches, []);
        assert.equal(outcome.earlier, 'partial');
        break;
      }
    }
    for (const kind of RECORD_KINDS) assert.deepEqual(await readAll(to.transfer, kind), await readAll(source.transfer, kind), kind);
    const again = await copyBackend(source, to, SOURCE, { batchSize: 2 });
    assert.equal(again.earlier, 'complete');
    assert.deepEqual(again.mismatches, []);
  });

  test('refuses a target holding another store’s copy or data of its own', async () => {
    const copied = await target();
    await copyBackend(source, copied, SOURCE, { batchSize: 100 });
    await assert.rejects(copyBackend(source, copied, { id: 'another', description: '/elsewhere' }, { batchSize: 100 }), {
      code: 'TARGET_FROM_OTHER_SOURCE',
      message: 'the target database holds a copy of another store (/srv/yagura-data); migrate into an empty database',
    });
    const used = await target();
    await used.findings.upsert([finding({ id: 'own' })], T0);
    await assert.rejects(copyBackend(source as CopyFrom, used, SOURCE, { batchSize: 100 }), { code: 'TARGET_NOT_EMPTY', message: /already holds data \(1 findings\)/ });
  });
});

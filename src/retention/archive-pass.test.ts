// Archive retention over a real folder and a real S3-compatible bucket (s3rver, the AWS SDK): objects whose every
// line has passed its retention are deleted, mixed ones rewritten without the expired lines, held lines kept, and a
// plan counts the same without changing anything.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startS3Server, type S3Server } from '../../test/support/s3-server.js';
import { archiveDay } from '../archive/partition.js';
import { LocalArchive } from '../archive/local/local-archive.js';
import { S3Archive } from '../archive/s3/s3-archive.js';
import { archiveLines, type ArchiveRef, type StoredArchive } from '../archive/stored-objects.js';
import { Keyring } from '../auth/secrets/keyring.js';
import { doc, f } from '../store/conformance/fixtures.js';
import { openSqliteBackend, type SqliteBackend } from '../store/sqlite/sqlite-backend.js';
import { ArchivePass } from './archive-pass.js';
import { retentionPolicySchema } from './retention-policy.js';
import { Retention } from './retention.js';
import { DAY_MS } from './selection.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const OTHER = '333333333333';
const PCI = '111111111111';
const HELD = '444444444444';
const ADMIN = 'arn:yagura:iam:::user/admin';

const POLICY = retentionPolicySchema.parse({
  default: { archiveDays: 365 },
  rules: [
    { name: 'low', bands: ['Low'], archiveDays: 30 },
    { name: 'pci', groups: ['pci'], archiveDays: 3650 },
    { name: 'store-only', storeDays: 5 },
  ],
});

const line = (id: string, accountId: string, severity: number): string => JSON.stringify(doc({ id, accountId, severity }));
const ref = (accountId: string, ageDays: number, name: string): ArchiveRef => ({ accountId, region: 'us-east-1', day: archiveDay(NOW - ageDays * DAY_MS), name });

const OLD_MIXED = ref(OTHER, 400, '20251027T000000Z-all-gone');
const MIXED = ref(OTHER, 100, '20260823T000000Z-mixed');
const RECENT = ref(OTHER, 10, '20261121T000000Z-recent');
const PCI_OLD = ref(PCI, 400, '20251027T000000Z-pci');
const HELD_OLD = ref(HELD, 400, '20251027T000000Z-held');
const QUERY_HELD = ref(OTHER, 200, '20260515T000000Z-query-held');

const OBJECTS = [
  { ...OLD_MIXED, lines: [line('o1', OTHER, 2), line('o2', OTHER, 8), line('o3', OTHER, 9.5)] },
  { ...MIXED, lines: [line('m1', OTHER, 2), line('m2', OTHER, 8), line('m3', OTHER, 3)] },
  { ...RECENT, lines: [line('r1', OTHER, 2)] },
  { ...PCI_OLD, lines: [line('p1', PCI, 8), line('p2', PCI, 5)] },
  { ...HELD_OLD, lines: [line('h1', HELD, 2)] },
  { ...QUERY_HELD, lines: [line('q-held', OTHER, 2), line('q-free', OTHER, 2), '{"not":"a finding"}'] },
];

async function linesOf(archive: StoredArchive, r: ArchiveRef): Promise<string[]> {
  const ids: string[] = [];
  for await (const l of archiveLines(archive, r)) ids.push((JSON.parse(l) as { id?: string }).id ?? l);
  return ids;
}

async function listed(archive: StoredArchive): Promise<string[]> {
  const names: string[] = [];
  for await (const r of archive.list()) names.push(r.name);
  return names.sort();
}

function suite(kind: string, openArchive: () => Promise<{ archive: StoredArchive; cleanup(): Promise<void> }>): void {
  describe(`archive retention: ${kind}`, () => {
    let dir: string;
    let backend: SqliteBackend;
    let archive: StoredArchive;
    let cleanup: () => Promise<void>;
    let pass: ArchivePass;
    let retention: Retention;
    const changes: string[] = [];

    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'yagura-archive-retention-'));
      backend = await openSqliteBackend({ file: path.join(dir, 'yagura.db'), secrets: Keyring.generate() });
      ({ archive, cleanup } = await openArchive());
      await backend.catalog.putGroup('pci', {}, NOW);
      await backend.catalog.putAccount({ accountId: PCI, group: 'pci', tags: {} }, NOW);
      // The store still holds q-held, which a hold's query selects.
      await backend.findings.upsert([f({ id: 'q-held', accountId: OTHER, severity: 2 }), f({ id: 'q-free', accountId: OTHER, severity: 2 })], NOW);
      retention = new Retention(backend.retention, POLICY);
      await retention.createHold({ accountId: HELD, reason: 'litigation' }, ADMIN, NOW);
      await retention.createHold({ query: 'id:"q-held"', reason: 'case 9' }, ADMIN, NOW);
      await archive.write(OBJECTS);
      pass = new ArchivePass({
        archive,
        exclusive: (work) => work(),
        outbox: backend.findings.outbox,
        findings: backend.findings,
        catalog: backend.catalog,
        retention,
        yieldBetweenObjects: async () => undefined,
        onObject: (action, removed) => changes.push(`${action}:${[...removed].map(([r, n]) => `${r}=${n}`).join(',')}`),
      });
    });
    after(async () => {
      await cleanup();
      await backend.close();
      await rm(dir, { recursive: true, force: true });
    });

    test('lists every object of the layout and reads its lines back', async () => {
      assert.deepEqual(await listed(archive), OBJECTS.map((o) => o.name).sort());
      assert.deepEqual(await linesOf(archive, MIXED), ['m1', 'm2', 'm3']);
    });

    test('a plan counts the lines each rule would remove and those holds keep, changing nothing', async () => {
      const plan = new Map((await pass.plan(NOW)).map((p) => [p.rule, p]));
      // low: o1, m1, m3, q-free (h1 and q-held held); default: o2, o3.
      assert.deepEqual(plan.get('low'), { rule: 'low', days: 30, remove: 4, held: 2, oldestKept: Date.parse(`${HELD_OLD.day.replaceAll('/', '-')}T00:00:00Z`) });
      assert.deepEqual([plan.get('default')?.remove, plan.get('default')?.held], [2, 0]);
      assert.equal(plan.get('pci')?.remove ?? 0, 0);
      assert.equal(plan.has('store-only'), false);
      assert.deepEqual(await listed(archive), OBJECTS.map((o) => o.name).sort());
    });

    test('a pass deletes whole objects, rewrites mixed ones without expired lines, and keeps what holds keep', async () => {
      assert.equal((await pass.run(NOW)).complete, true);
      assert.deepEqual(await listed(archive), [HELD_OLD.name, PCI_OLD.name, MIXED.name, QUERY_HELD.name, RECENT.name].sort());
      assert.deepEqual(await linesOf(archive, MIXED), ['m2']);
      assert.deepEqual(await linesOf(archive, QUERY_HELD), ['q-held', '{"not":"a finding"}'], 'a held line and a line that is not a finding stay');
      assert.deepEqual(await linesOf(archive, PCI_OLD), ['p1', 'p2']);
      assert.deepEqual(await linesOf(archive, HELD_OLD), ['h1']);
      assert.deepEqual(await linesOf(archive, RECENT), ['r1']);
      assert.deepEqual(changes.sort(), ['deleted:low=1,default=2', 'rewritten:low=1', 'rewritten:low=2'].sort());
      assert.deepEqual((await pass.plan(NOW)).reduce((n, p) => n + p.remove, 0), 0, 'nothing is left to remove');
    });

    test('once the account hold is lifted its object goes at the next pass', async () => {
      const hold = (await retention.activeHolds()).find((h) => h.accountId === HELD)!;
      await retention.liftHold(hold.id, ADMIN, NOW);
      await pass.run(NOW);
      assert.equal((await listed(archive)).includes(HELD_OLD.name), false);
    });
  });
}

suite('local folder', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'yagura-archive-folder-'));
  const archive = new LocalArchive(root);
  return {
    archive,
    async cleanup(): Promise<void> {
      await archive.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});

let s3: S3Server;
before(async () => {
  s3 = await startS3Server();
});
after(async () => s3.close());

suite('S3 bucket', async () => {
  const archive = new S3Archive({ client: s3.newClient(), bucket: s3.bucket, prefix: 'team/' });
  return { archive, cleanup: () => archive.close() };
});

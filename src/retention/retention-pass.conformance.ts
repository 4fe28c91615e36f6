// Retention over a whole backend, with a fake clock: what a plan lists and what a pass removes, rule by rule, with
// legal holds. Each backend runs this suite unchanged against a real database.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FindingKey } from '../findings/finding.js';
import type { Backend } from '../store/backend.js';
import { f } from '../store/conformance/fixtures.js';
import { Retention } from './retention.js';
import { retentionPolicySchema } from './retention-policy.js';
import type { RemoveFindings } from './remove-findings.js';
import { DAY_MS } from './selection.js';
import { StorePass } from './store-pass.js';

export interface RetentionBackendHandle {
  readonly backend: Backend;
  /** The store's removal, as the server calls it. */
  readonly remove: RemoveFindings;
  cleanup(): Promise<void>;
}

const NOW = Date.parse('2026-12-01T12:00:00Z');
const ADMIN = 'arn:yagura:iam:::user/admin';
/** In the catalog's group `pci`. */
const PCI = '111111111111';
/** In `unassigned`, tagged env=prod. */
const PROD = '222222222222';
/** Not in the catalog. */
const OTHER = '333333333333';

const POLICY = retentionPolicySchema.parse({
  default: { storeDays: 365 },
  rules: [
    { name: 'low', bands: ['Low'], storeDays: 90 },
    { name: 'pci', groups: ['pci'], storeDays: 30 },
    { name: 'prod-medium', bands: ['Medium'], tags: ['env=prod'], storeDays: 400 },
    { name: 'archive-only', archiveDays: 2555 },
  ],
});

const SEVERITY = { Low: 2, Medium: 5, High: 8, Critical: 9.5 } as const;

interface Seed {
  readonly id: string;
  readonly accountId: string;
  readonly band: keyof typeof SEVERITY;
  readonly ageDays: number;
  readonly ip?: string;
}

/** Each finding: its ID tells which rule decides it and whether that rule has expired it. */
const SEEDS: readonly Seed[] = [
  { id: 'pci-low-40-kept', accountId: PCI, band: 'Low', ageDays: 40 },
  { id: 'pci-medium-40-gone', accountId: PCI, band: 'Medium', ageDays: 40 },
  { id: 'pci-high-20-kept', accountId: PCI, band: 'High', ageDays: 20 },
  { id: 'prod-medium-200-kept', accountId: PROD, band: 'Medium', ageDays: 200 },
  { id: 'prod-medium-500-gone', accountId: PROD, band: 'Medium', ageDays: 500 },
  { id: 'prod-high-380-gone', accountId: PROD, band: 'High', ageDays: 380, ip: '203.0.113.9' },
  { id: 'prod-low-100-gone', accountId: PROD, band: 'Low', ageDays: 100 },
  { id: 'other-low-80-kept', accountId: OTHER, band: 'Low', ageDays: 80 },
  { id: 'other-critical-300-kept', accountId: OTHER, band: 'Critical', ageDays: 300 },
  { id: 'other-critical-370-gone', accountId: OTHER, band: 'Critical', ageDays: 370 },
  { id: 'other-medium-366-gone', accountId: OTHER, band: 'Medium', ageDays: 366 },
];

const keyOf = (s: Seed): FindingKey => ({ accountId: s.accountId, region: 'us-east-1', id: s.id });
const at = (ageDays: number): number => NOW - ageDays * DAY_MS;

async function seed(backend: Backend): Promise<void> {
  await backend.catalog.putGroup('pci', {}, NOW);
  await backend.catalog.putAccount({ accountId: PCI, group: 'pci', tags: {} }, NOW);
  await backend.catalog.putAccount({ accountId: PROD, group: 'unassigned', tags: { env: 'prod' } }, NOW);
  const findings = SEEDS.map((s) =>
    f({ id: s.id, accountId: s.accountId, severity: SEVERITY[s.band], createdAt: new Date(at(s.ageDays + 1)).toISOString(), updatedAt: new Date(at(s.ageDays)).toISOString(), ...(s.ip && { ip: s.ip }) }),
  );
  await backend.findings.upsert(findings, NOW - 400 * DAY_MS);
  await archiveOutbox(backend);
  await backend.retention.putPolicy(POLICY, ADMIN, NOW);
}

/** What the archiver does: every object in the outbox sealed, written (here: nowhere) and confirmed. */
async function archiveOutbox(backend: Backend): Promise<void> {
  const ids = (await backend.findings.outbox.objects()).map((o) => o.id);
  await backend.findings.outbox.seal(ids, NOW);
  await backend.findings.outbox.confirm(ids);
}

function passOf(handle: RetentionBackendHandle, batchFindings = 2): { pass: StorePass; retention: Retention; batches: number[] } {
  const { backend } = handle;
  const retention = new Retention(backend.retention, retentionPolicySchema.parse({}));
  const batches: number[] = [];
  const pass = new StorePass({
    findings: backend.findings,
    catalog: backend.catalog,
    retention,
    remove: handle.remove,
    batchFindings,
    yieldBetweenBatches: async () => undefined,
    onBatch: (_rule, removed) => batches.push(removed),
  });
  return { pass, retention, batches };
}

async function storedIds(backend: Backend): Promise<string[]> {
  const ids: string[] = [];
  for (const s of SEEDS) if ((await backend.findings.get(keyOf(s))) !== undefined) ids.push(s.id);
  return ids.sort();
}

const kept = (...except: string[]): string[] => SEEDS.map((s) => s.id).filter((id) => id.endsWith('-kept') || except.includes(id)).sort();

export function describeRetentionPasses(backendName: string, open: () => Promise<RetentionBackendHandle>): void {
  describe(`retention passes: ${backendName}`, () => {
    const withBackend = (name: string, body: (handle: RetentionBackendHandle) => Promise<void>): void => {
      test(name, async () => {
        const handle = await open();
        try {
          await seed(handle.backend);
          await body(handle);
        } finally {
          await handle.cleanup();
        }
      });
    };

    withBackend('a plan counts what each rule would remove and the oldest it keeps, removing nothing', async (handle) => {
      const { pass } = passOf(handle);
      const plan = await pass.plan(NOW);
      const byRule = new Map(plan.map((p) => [p.rule, p]));
      assert.deepEqual(byRule.get('low'), { rule: 'low', days: 90, remove: 1, held: 0, oldestKept: at(80) });
      assert.deepEqual(byRule.get('pci'), { rule: 'pci', days: 30, remove: 1, held: 0, oldestKept: at(20) });
      assert.deepEqual(byRule.get('prod-medium'), { rule: 'prod-medium', days: 400, remove: 1, held: 0, oldestKept: at(200) });
      assert.deepEqual(byRule.get('default'), { rule: 'default', days: 365, remove: 3, held: 0, oldestKept: at(300) });
      assert.equal(byRule.has('archive-only'), false, 'a rule without storeDays decides nothing in the store');
      assert.equal(await handle.backend.findings.count(), SEEDS.length);
    });

    withBackend('a pass removes exactly what each rule has expired, in batches, and a second pass finds nothing', async (handle) => {
      const { pass, batches } = passOf(handle);
      const result = await pass.run(NOW);
      assert.deepEqual(result, { removed: { low: 1, pci: 1, 'prod-medium': 1, default: 3 }, complete: true });
      assert.deepEqual(await storedIds(handle.backend), kept());
      assert.ok(batches.every((n) => n <= 2), `batches of at most 2: ${batches.join(', ')}`);
      assert.deepEqual(await pass.run(NOW), { removed: {}, complete: true });
      assert.equal((await pass.plan(NOW)).reduce((n, p) => n + p.remove, 0), 0);
    });

    withBackend('a day later the next finding passes its retention', async (handle) => {
      const { pass } = passOf(handle);
      await pass.run(NOW);
      // other-low-80 expires under `low` (90 days) ten days later; pci-high-20 under `pci` (30 days) too.
      await pass.run(NOW + 10 * DAY_MS + 1);
      assert.deepEqual(await storedIds(handle.backend), ['other-critical-300-kept', 'pci-low-40-kept', 'prod-medium-200-kept']);
    });

    withBackend('legal holds by query and by account win over every rule until lifted', async (handle) => {
      const { pass, retention } = passOf(handle);
      const byQuery = await retention.createHold({ query: 'remoteIp:"203.0.113.9"', reason: 'case 12' }, ADMIN, NOW);
      await retention.createHold({ accountId: OTHER, reason: 'litigation' }, ADMIN, NOW);
      const plan = new Map((await pass.plan(NOW)).map((p) => [p.rule, p]));
      assert.deepEqual([plan.get('default')?.remove, plan.get('default')?.held, plan.get('default')?.oldestKept], [0, 3, at(380)]);
      await pass.run(NOW);
      assert.deepEqual(await storedIds(handle.backend), kept('prod-high-380-gone', 'other-critical-370-gone', 'other-medium-366-gone'));
      await retention.liftHold(byQuery.id, ADMIN, NOW + 1);
      await pass.run(NOW + 2);
      assert.deepEqual(await storedIds(handle.backend), kept('other-critical-370-gone', 'other-medium-366-gone'));
    });

    withBackend('a pass told to stop stops before its next batch, and the next pass finishes the work', async (handle) => {
      const { pass } = passOf(handle, 1);
      let allowed = 2;
      const partial = await pass.run(NOW, async () => allowed-- > 0);
      assert.equal(partial.complete, false);
      assert.equal(Object.values(partial.removed).reduce((a, b) => a + b, 0), 2);
      assert.equal(await handle.backend.findings.count(), SEEDS.length - 2);
      await pass.run(NOW);
      assert.deepEqual(await storedIds(handle.backend), kept());
    });

    withBackend('a finding whose versions still wait in the archive outbox is kept until they are archived', async (handle) => {
      const { pass } = passOf(handle);
      // A version of an expired finding received today (GuardDuty resent it unchanged in content but counted again).
      const late = SEEDS.find((s) => s.id === 'prod-medium-500-gone')!;
      await handle.backend.findings.upsert([f({ id: late.id, accountId: late.accountId, severity: 5, count: 3, updatedAt: new Date(at(late.ageDays)).toISOString() })], NOW);
      await pass.run(NOW);
      assert.deepEqual(await storedIds(handle.backend), kept('prod-medium-500-gone'));
      await archiveOutbox(handle.backend);
      await pass.run(NOW);
      assert.deepEqual(await storedIds(handle.backend), kept());
    });

    withBackend('a finding updated after it expired is kept: its retention counts from the new version', async (handle) => {
      const { pass } = passOf(handle);
      const renewed = SEEDS.find((s) => s.id === 'prod-low-100-gone')!;
      await handle.backend.findings.upsert([f({ id: renewed.id, accountId: renewed.accountId, severity: 2, count: 2, updatedAt: new Date(at(1)).toISOString() })], NOW);
      await pass.run(NOW);
      assert.deepEqual(await storedIds(handle.backend), kept('prod-low-100-gone'));
    });
  });
}

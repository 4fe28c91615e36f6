// `yagura backup` while a real `yagura serve` keeps ingesting, then `yagura restore`: the restored store is the source
// frozen at the backup's instant — every version acknowledged before the backup began is in it, the versions in it
// are a prefix of what was acknowledged (a commit is in whole or not at all), and its searches and aggregations equal
// those of a store given exactly that prefix. A damaged backup is refused and leaves nothing behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { normalizeFinding } from '../../src/findings/normalize.js';
import type { Finding } from '../../src/findings/finding.js';
import { openEmbedded, type Embedded } from '../../src/main.js';
import { parseQuery } from '../../src/query/parser.js';
import { MANIFEST_FILE, manifestSchema } from '../../src/store/backup/manifest.js';
import { findingDoc } from '../fixtures/findings.js';
import { ROOT, spawnServe, type ServeProcess } from '../support/serve-process.js';

const KEY = 'backup-e2e-bootstrap-key-0123456789abcdef';
const CLI = path.join(ROOT, 'dist/cli/main.js');
const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const TYPES = ['UnauthorizedAccess:EC2/TorClient', 'Recon:EC2/PortProbeUnprotectedPort', 'CryptoCurrency:EC2/BitcoinTool.B!DNS'];
const BATCH = 25;

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YAGURA_'))), ...extra };
}

function yagura(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

interface Version {
  readonly doc: Record<string, unknown>;
  readonly id: string;
  readonly updatedAt: string;
}

/** Version i of the sequence: mostly new findings, every fifth an update of an earlier one (a later updatedAt). */
function versions(count: number): Version[] {
  const base = Date.parse('2026-11-01T00:00:00Z');
  const out: Version[] = [];
  let created = 0;
  for (let i = 0; i < count; i++) {
    const update = i % 5 === 4 && created > 0;
    const n = update ? (i * 7) % created : created++;
    const id = `f-${String(n).padStart(5, '0')}`;
    const updatedAt = new Date(base + i * 1000).toISOString();
    const doc = findingDoc({
      id,
      accountId: ACCOUNTS[n % ACCOUNTS.length]!,
      type: TYPES[n % TYPES.length]!,
      severity: [2, 5, 8, 9.5][(n + (update ? 1 : 0)) % 4]!,
      createdAt: new Date(base + n * 1000).toISOString(),
      updatedAt,
      count: update ? 2 + (i % 50) : 1,
      ip: `198.51.100.${n % 250}`,
    });
    out.push({ doc, id, updatedAt });
  }
  return out;
}

/** What the searches and aggregations of a store answer, for comparing two stores. */
async function answers(store: Embedded['store']): Promise<unknown> {
  const listing: unknown[] = [];
  for (let after: Parameters<typeof store.search>[0]['after']; ; ) {
    const page = await store.search({ query: parseQuery(''), size: 500, sort: { field: 'updatedAt', order: 'asc' }, ...(after && { after }) });
    for (const f of page.findings) listing.push([f.key.accountId, f.key.id, f.doc.updatedAt, f.doc.severity, f.derived.band, f.derived.versions, f.derived.archived]);
    if (!page.next) break;
    after = page.next;
  }
  const totals: Record<string, number> = {};
  for (const q of ['', 'severity >= 7', 'type:Recon*', 'accountId:222222222222 and not severity < 5', '"198.51.100.7"']) {
    totals[q] = (await store.search({ query: parseQuery(q), size: 1, sort: { field: 'updatedAt', order: 'desc' }, trackTotalUpTo: 1_000_000 })).total;
  }
  const aggregation = await store.aggregate({
    query: parseQuery(''),
    aggs: {
      accounts: { terms: { field: 'accountId', size: 10 }, aggs: { bands: { terms: { field: 'band', size: 10 } } } },
      types: { terms: { field: 'type', size: 10 } },
      severity: { stats: { field: 'severity' } },
      hours: { date_histogram: { field: 'updatedAt', interval: '1h' } },
    },
  });
  return { count: await store.count(), listing, totals, aggregation };
}

/** Every `id@updatedAt` line of the archive objects under `dir`, with the name of the object holding it. */
function archiveLines(dir: string): Map<string, string> {
  const lines = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.staging') continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.jsonl.gz')) {
        for (const line of gunzipSync(readFileSync(p)).toString('utf8').split('\n')) {
          if (line === '') continue;
          const doc = JSON.parse(line) as { id: string; updatedAt: string };
          lines.set(`${doc.id}@${doc.updatedAt}`, e.name);
        }
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return lines;
}

describe('yagura backup and restore', () => {
  let dir: string;
  let data: string;
  let server: ServeProcess | undefined;
  const sequence = versions(40_000);
  /** Versions acknowledged (2xx received) so far, in order. */
  let acked = 0;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-backup-'));
    data = path.join(dir, 'data');
    await mkdir(data);
  });
  after(async () => {
    server?.child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  test('a backup taken during continuous ingest restores to the store as it was at the backup instant', { timeout: 300_000 }, async (t) => {
    process.env.YAGURA_ARCHIVE_ROLL_SECONDS = '1';
    try {
      server = await spawnServe(data, { key: KEY, args: [] });
    } finally {
      delete process.env.YAGURA_ARCHIVE_ROLL_SECONDS;
    }
    let stop = false;
    const ingest = (async () => {
      while (!stop && acked < sequence.length) {
        const batch = sequence.slice(acked, acked + BATCH).map((v) => v.doc);
        const res: Response = await fetch(`${server!.url}/api/v1/events`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(batch) });
        assert.equal(res.status, 200, await res.text());
        acked += batch.length;
      }
    })();
    while (acked < 3000) await new Promise((r) => setTimeout(r, 50));

    const ackedBeforeBackup = acked;
    const backupDir = path.join(dir, 'backup');
    const backup = await yagura(['backup', backupDir, '--data', data]);
    const ackedAfterBackup = acked;
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /^backed up .* as of .*: \d+ findings, \d+ versions/);
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await ingest;
    assert.ok(ackedAfterBackup > ackedBeforeBackup, `ingest went on while the backup ran (${ackedBeforeBackup} → ${ackedAfterBackup})`);

    const manifest = manifestSchema.parse(JSON.parse(await readFile(path.join(backupDir, MANIFEST_FILE), 'utf8')));
    assert.equal(manifest.masterKey, 'included');
    assert.equal(manifest.archive.kind, 'local');
    assert.ok(manifest.files.some((f) => f.path.startsWith('archive/AWSLogs/')), 'archive objects were copied');

    const restoredDir = path.join(dir, 'restored');
    const restore = await yagura(['restore', backupDir, '--data', restoredDir]);
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stdout, /^restored \d+ findings/);

    const restored = await openEmbedded(restoredDir, 'test');
    try {
      // Which versions of the sequence the restored store holds.
      const held = new Set<string>();
      const accountOf = new Map(sequence.map((v) => [v.id, String(v.doc.accountId)]));
      for (const id of new Set(sequence.slice(0, acked).map((v) => v.id))) {
        const f = await restored.store.get({ accountId: accountOf.get(id)!, region: 'us-east-1', id });
        for (const v of f?.history ?? []) held.add(`${id}@${String(v.doc.updatedAt)}`);
      }
      const inRestored = sequence.slice(0, acked).map((v) => held.has(`${v.id}@${v.updatedAt}`));
      const prefix = inRestored.lastIndexOf(true) + 1;
      assert.ok(inRestored.slice(0, prefix).every(Boolean), 'the restored versions are a prefix of the acknowledged ones');
      assert.equal(held.size, prefix, 'and nothing else');
      assert.ok(prefix >= ackedBeforeBackup, `every version acknowledged before the backup began is restored (${prefix} of ${ackedBeforeBackup})`);
      assert.ok(prefix < acked, 'versions acknowledged after the snapshot are not in it');
      assert.equal(manifest.store.contents.versions, prefix);
      t.diagnostic(`acknowledged: ${ackedBeforeBackup} before the backup, ${ackedAfterBackup} when it ended, ${acked} in all; restored: ${prefix} versions; archive objects copied: ${manifest.archive.kind === 'local' ? manifest.archive.objects : 0}`);

      // The restored archive, written by the source and by the restore's replay of the outbox, holds every restored version.
      const lines = archiveLines(path.join(restoredDir, 'archive'));
      const missing = [...held].filter((v) => !lines.has(v));
      assert.deepEqual(missing.slice(0, 5), [], `${missing.length} restored versions are in no restored archive object`);
      // Lines of later versions come only from an object opened in the snapshot's own second (kept, as documented).
      const snapshotSecond = manifest.takenAt.slice(0, 19).replace(/[-:]/g, '');
      const later = [...lines].filter(([v]) => !held.has(v));
      assert.deepEqual([...new Set(later.map(([, name]) => name.slice(0, 15)))].filter((stamp) => stamp !== snapshotSecond), [], 'no object opened after the snapshot');

      // A store given exactly that prefix answers every search and aggregation the same.
      const frozen = await openEmbedded(path.join(dir, 'frozen'), 'test');
      try {
        const findings: Finding[] = sequence.slice(0, prefix).map((v) => {
          const r = normalizeFinding(v.doc);
          assert.ok(r.ok);
          return r.finding;
        });
        for (let i = 0; i < findings.length; i += BATCH) await frozen.pipeline.submit(findings.slice(i, i + BATCH));
        assert.deepEqual(await answers(restored.store), await answers(frozen.store));
      } finally {
        await frozen.close();
      }
    } finally {
      await restored.close();
    }
  });

  test('restore refuses a non-empty target and touches nothing in it', async () => {
    const target = path.join(dir, 'occupied');
    await mkdir(target);
    await writeFile(path.join(target, 'keep.txt'), 'mine');
    const res = await yagura(['restore', path.join(dir, 'backup'), '--data', target]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^yagura: RESTORE_TARGET_NOT_EMPTY: .* is not empty/);
    assert.deepEqual(readdirSync(target), ['keep.txt']);
  });

  test('a corrupted backup is refused and leaves no data folder behind', async () => {
    const backupDir = path.join(dir, 'backup');
    const manifest = manifestSchema.parse(JSON.parse(await readFile(path.join(backupDir, MANIFEST_FILE), 'utf8')));
    const object = manifest.files.find((f) => f.path.startsWith('archive/'))!;
    // One flipped byte in the middle of the store file, then an archive object grown by a byte: each is refused.
    const store = path.join(backupDir, 'yagura.db');
    const bytes = await readFile(store);
    const original = bytes[bytes.length >> 1]!;
    bytes[bytes.length >> 1] = original ^ 0xff;
    await writeFile(store, bytes);
    const target = path.join(dir, 'from-corrupt');
    const res = await yagura(['restore', backupDir, '--data', target]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^yagura: BACKUP_CORRUPT: yagura\.db in the backup .* is not what was backed up/);
    assert.equal(existsSync(target), false, 'the new folder was removed');
    bytes[bytes.length >> 1] = original;
    await writeFile(store, bytes);

    await appendFile(path.join(backupDir, ...object.path.split('/')), 'x');
    const again = await yagura(['restore', backupDir, '--data', target]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`BACKUP_CORRUPT: ${object.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} in the backup`));
    assert.equal(existsSync(target), false);

    await rm(path.join(backupDir, MANIFEST_FILE));
    const unfinished = await yagura(['restore', backupDir, '--data', target]);
    assert.equal(unfinished.code, 1);
    assert.match(unfinished.stderr, /BACKUP_INCOMPLETE: .* has no manifest\.json/);
  });

  test('a backup without the master key restores only with that key given back', async () => {
    // A key made through the API has its SigV4 secret sealed with the master key.
    const made = await fetch(`${server!.url}/api/v1/keys`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'sealed', role: 'Administrator' }) });
    assert.equal(made.status, 201, await made.text());
    const backupDir = path.join(dir, 'backup-no-key');
    const backup = await yagura(['backup', backupDir, '--data', data, '--without-master-key']);
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /master key NOT included/);
    assert.equal(existsSync(path.join(backupDir, 'master.key')), false);

    const target = path.join(dir, 'restored-no-key');
    const refused = await yagura(['restore', backupDir, '--data', target]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^yagura: the restored store's sealed values need the master key .*--master-key-file/);
    assert.equal(existsSync(target), false, 'nothing is left of the refused restore');

    const restored = await yagura(['restore', backupDir, '--data', target, '--master-key-file', path.join(data, 'master.key')]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.deepEqual(await readFile(path.join(target, 'master.key')), await readFile(path.join(data, 'master.key')));
  });

  test('backup refuses a non-empty target, a folder that is no data folder, and a PostgreSQL store', async () => {
    const occupied = await yagura(['backup', path.join(dir, 'occupied'), '--data', data]);
    assert.equal(occupied.code, 1);
    assert.match(occupied.stderr, /BACKUP_TARGET_NOT_EMPTY/);
    const nothing = await yagura(['backup', path.join(dir, 'b2'), '--data', path.join(dir, 'no-such-folder')]);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /NOT_A_DATA_FOLDER: there is no Yagura data folder/);
    const postgres = await yagura(['backup', path.join(dir, 'b3'), '--data', data], { YAGURA_DATABASE_URL: 'postgres://127.0.0.1:5432/yagura' });
    assert.equal(postgres.code, 1);
    assert.match(postgres.stderr, /this store is PostgreSQL .*pg_dump/);
    assert.equal(existsSync(path.join(dir, 'b3')), false);
    const remote = await yagura(['backup', path.join(dir, 'b4'), '--url', 'http://127.0.0.1:1']);
    assert.equal(remote.code, 1);
    assert.match(remote.stderr, /run it where the data folder is, with --data DIR/);
  });
});

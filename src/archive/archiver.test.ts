// Rolling archive objects: sealed by age, by size and at shutdown, written once under the name fixed when opened.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { finding } from '../../test/fixtures/findings.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Archive } from './archive.js';
import { Archiver } from './archiver.js';
import { LocalArchive } from './local/local-archive.js';

const T0 = Date.parse('2026-11-28T10:00:00Z');
const ROLL_SECONDS = 300;

interface Fixture {
  readonly dir: string;
  readonly root: string;
  store: SqliteStore;
  archive: LocalArchive;
  clock: { now: number };
}

async function fixture(): Promise<Fixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-archiver-'));
  const root = path.join(dir, 'archive');
  return { dir, root, store: new SqliteStore({ file: path.join(dir, 'yagura.db') }), archive: new LocalArchive(root), clock: { now: T0 } };
}

function archiverOf(f: Fixture, options: { rollBytes?: number; archive?: Archive } = {}): Archiver {
  return new Archiver({
    outbox: f.store.outbox,
    archive: options.archive ?? f.archive,
    rollSeconds: ROLL_SECONDS,
    rollBytes: options.rollBytes ?? 16 * 1024 * 1024,
    now: () => f.clock.now,
  });
}

async function done(f: Fixture): Promise<void> {
  await f.archive.close();
  await f.store.close();
  await rm(f.dir, { recursive: true, force: true });
}

/** Archive objects on disk: key → bytes. */
async function onDisk(root: string): Promise<Map<string, Buffer>> {
  const files = (await readdir(root, { recursive: true }).catch(() => [] as string[])).filter((f) => f.endsWith('.jsonl.gz')).sort();
  return new Map(await Promise.all(files.map(async (f) => [f, await readFile(path.join(root, f))] as const)));
}

function ids(bytes: Buffer): string[] {
  return gunzipSync(bytes).toString('utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
}

test('an object is sealed once it has been open for the roll interval, under the name it was given when it opened', async () => {
  const f = await fixture();
  try {
    const archiver = archiverOf(f);
    await f.store.upsert([finding({ id: 'a' }), finding({ id: 'b' })], T0);
    const [opened] = await f.store.outbox.objects();
    f.clock.now = T0 + 60_000;
    await f.store.upsert([finding({ id: 'c' })], f.clock.now);
    f.clock.now = T0 + ROLL_SECONDS * 1000 - 1;
    assert.equal(await archiver.roll(), 0, 'not yet due');
    assert.equal((await onDisk(f.root)).size, 0);
    assert.equal(await archiver.lagSeconds(), ROLL_SECONDS - 0.001);

    f.clock.now = T0 + ROLL_SECONDS * 1000;
    assert.equal(await archiver.roll(), 3);
    const files = await onDisk(f.root);
    assert.deepEqual([...files.keys()], [`AWSLogs/111122223333/GuardDuty/us-east-1/2026/11/28/${opened!.name}.jsonl.gz`]);
    assert.deepEqual(ids([...files.values()][0]!), ['a', 'b', 'c'], 'every version that joined it, in commit order');
    assert.deepEqual(await f.store.outbox.objects(), [], 'and it left the outbox');
    assert.equal(await archiver.lagSeconds(), 0);
  } finally {
    await done(f);
  }
});

test('an object is sealed early once it holds the roll size, and versions stored after it start the next object', async () => {
  const f = await fixture();
  try {
    const archiver = archiverOf(f, { rollBytes: 64 * 1024 });
    // Incompressible text, so that its compressed size is about its size.
    const big = (id: string): ReturnType<typeof finding> => finding({ id, extra: { blob: randomBytes(24 * 1024).toString('base64') } });
    await f.store.upsert([big('s1')], T0);
    assert.equal(await archiver.roll(), 0, 'below the size');
    await f.store.upsert([big('s2'), big('s3'), big('s4'), big('s5'), big('s6'), big('s7'), big('s8'), big('s9'), big('s10')], T0 + 1000);
    f.clock.now = T0 + 2000;
    assert.equal(await archiver.roll(), 10, 'sealed by size long before the roll interval');
    await f.store.upsert([big('s11')], T0 + 3000);
    const open = await f.store.outbox.objects();
    assert.equal(open.length, 1);
    assert.equal(open[0]!.lines, 1, 'the next version opened a new object');
    assert.equal((await onDisk(f.root)).size, 1);
  } finally {
    await done(f);
  }
});

test('closing seals and writes every open object, one per account, region and day', async () => {
  const f = await fixture();
  try {
    const archiver = archiverOf(f);
    await f.store.upsert([finding({ id: 'x1' }), finding({ id: 'x2', region: 'eu-west-1' }), finding({ id: 'x3', accountId: '222233334444' })], T0);
    await f.store.upsert([finding({ id: 'x4' })], T0 + 86_400_000);
    await archiver.close();
    const files = [...(await onDisk(f.root)).keys()].map((k) => k.split('/').slice(0, -1).join('/')).sort();
    assert.deepEqual(files, [
      'AWSLogs/111122223333/GuardDuty/eu-west-1/2026/11/28',
      'AWSLogs/111122223333/GuardDuty/us-east-1/2026/11/28',
      'AWSLogs/111122223333/GuardDuty/us-east-1/2026/11/29',
      'AWSLogs/222233334444/GuardDuty/us-east-1/2026/11/28',
    ]);
    assert.deepEqual(await f.store.outbox.objects(), []);
  } finally {
    await done(f);
  }
});

test('after a crash between writing an object and confirming it, a restart writes the same bytes under the same name, once', async () => {
  const f = await fixture();
  try {
    await f.store.upsert([finding({ id: 'k1' }), finding({ id: 'k2' })], T0);
    // The process dies right after the object is in place: the confirmation never happens.
    const crashing: Archive = {
      read: (object) => f.archive.read(object),
      remove: (object) => f.archive.remove(object),
      objectsOf: (accountId) => f.archive.objectsOf(accountId),
      write: async () => {
        throw new Error('not used by the archiver');
      },
      put: async (object, parts) => {
        await f.archive.put(object, parts);
        throw new Error('killed');
      },
      close: async () => undefined,
    };
    await assert.rejects(archiverOf(f, { archive: crashing }).sealAll(), /killed/);
    const before = await onDisk(f.root);
    assert.equal(before.size, 1);
    const left = await f.store.outbox.objects();
    assert.equal(left.length, 1);
    assert.ok(left[0]!.sealedAt !== undefined);

    // The restart: a new store handle, archive and archiver on the same data.
    await f.archive.close();
    await f.store.close();
    f.store = new SqliteStore({ file: path.join(f.dir, 'yagura.db') });
    f.archive = new LocalArchive(f.root);
    f.clock.now = T0 + 5000;
    assert.equal(await archiverOf(f).sealAll(), 2);
    const after = await onDisk(f.root);
    assert.deepEqual([...after.keys()], [...before.keys()], 'the same name');
    assert.ok([...after.values()][0]!.equals([...before.values()][0]!), 'identical bytes');
    assert.deepEqual(ids([...after.values()][0]!), ['k1', 'k2'], 'each version once');
    assert.deepEqual(await f.store.outbox.objects(), []);
    assert.equal(await archiverOf(f).sealAll(), 0, 'nothing is written a second time');
  } finally {
    await done(f);
  }
});

test('an object still open at a crash is sealed at the restart with exactly the versions it took', async () => {
  const f = await fixture();
  try {
    await f.store.upsert([finding({ id: 'o1' })], T0);
    await f.store.upsert([finding({ id: 'o2' }), finding({ id: 'o1', count: 2, updatedAt: '2026-11-28T10:05:00.000Z' })], T0 + 1000);
    const [opened] = await f.store.outbox.objects();
    // No seal, no close: what SIGKILL leaves.
    await f.store.close();
    f.store = new SqliteStore({ file: path.join(f.dir, 'yagura.db') });
    assert.equal(await archiverOf(f).sealAll(), 3);
    const files = await onDisk(f.root);
    assert.deepEqual([...files.keys()].map((k) => path.basename(k)), [`${opened!.name}.jsonl.gz`]);
    assert.deepEqual(ids([...files.values()][0]!), ['o1', 'o2', 'o1']);
  } finally {
    await done(f);
  }
});

test('a large object is written a page at a time as concatenated gzip members that gunzip and DuckDB read whole', { timeout: 120_000 }, async () => {
  const f = await fixture();
  try {
    const count = 4500;
    await f.store.upsert(Array.from({ length: count }, (_, i) => finding({ id: `big${i}` })), T0);
    assert.equal(await archiverOf(f).sealAll(), count);
    const written = [...(await onDisk(f.root))];
    assert.equal(written.length, 1);
    const [key, bytes] = written[0]!;
    // Each gzip member starts with the magic bytes 1f 8b 08 (RFC 1952): more than one means the parts were appended.
    let members = 0;
    for (let at = bytes.indexOf(Buffer.from([0x1f, 0x8b, 0x08])); at >= 0; at = bytes.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), at + 1)) members++;
    assert.ok(members >= 3, `${members} members`);
    const ids = gunzipSync(bytes).toString('utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
    assert.deepEqual(ids, Array.from({ length: count }, (_, i) => `big${i}`));

    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const file = path.join(f.root, key).replaceAll("'", "''");
      const rows = (await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids FROM read_json_auto('${file}', format = 'newline_delimited')`)).getRowObjectsJS();
      assert.deepEqual(rows, [{ n: count, ids: count }]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  } finally {
    await done(f);
  }
});

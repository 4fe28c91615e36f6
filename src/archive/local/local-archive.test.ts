// The local archive writes GuardDuty's export layout, whole objects only, small and large batches alike.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { ArchiveObject } from '../archive.js';
import { LocalArchive } from './local-archive.js';

function objects(n: number, name: string): ArchiveObject[] {
  return Array.from({ length: n }, (_, i) => ({
    accountId: String(100000000000 + i),
    region: i % 2 ? 'eu-west-1' : 'us-east-1',
    day: '2026/11/28',
    name,
    lines: [JSON.stringify({ id: `f${i}`, n: 1 }), JSON.stringify({ id: `f${i}`, n: 2 })],
  }));
}

for (const count of [3, 120]) {
  test(`writes ${count} objects in the export layout, rewrites them idempotently and leaves no temporary files`, async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'yagura-archive-'));
    try {
      const archive = new LocalArchive(root);
      await archive.write(objects(count, 'batch-1'));
      await archive.write(objects(count, 'batch-1'));
      const files = (await readdir(root, { recursive: true })).filter((f) => !f.endsWith('/') && /\.gz|tmp/.test(f)).sort();
      assert.equal(files.length, count);
      assert.ok(files.every((f) => /^AWSLogs\/\d{12}\/GuardDuty\/(us-east-1|eu-west-1)\/2026\/11\/28\/batch-1\.jsonl\.gz$/.test(f)), files[0]);
      const text = gunzipSync(await readFile(path.join(root, 'AWSLogs/100000000001/GuardDuty/eu-west-1/2026/11/28/batch-1.jsonl.gz'))).toString();
      assert.equal(text, '{"id":"f1","n":1}\n{"id":"f1","n":2}\n');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
}

async function archived(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).filter((f) => /\.gz|tmp/.test(f)).sort();
}

for (const count of [3, 120]) {
  test(`${count} objects appear under their names only once the store's commit is durable, and none if it never is`, { timeout: 60_000 }, async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'yagura-archive-'));
    try {
      const archive = new LocalArchive(root);
      let durable!: () => void;
      const ready = new Promise<void>((resolve) => {
        durable = resolve;
      });
      const writing = archive.write(objects(count, 'batch-2'), ready);
      // Until every temporary file is written (the test's timeout stops a write that never stages them all).
      while ((await archived(root)).length < count) await new Promise((r) => setTimeout(r, 10));
      const waiting = await archived(root);
      assert.equal(waiting.length, count);
      assert.ok(waiting.every((f) => f.startsWith('.staging/') && f.includes('.tmp-')), 'nothing in the export layout before the commit is durable');
      durable();
      await writing;
      const done = await archived(root);
      assert.equal(done.length, count);
      assert.ok(done.every((f) => f.endsWith('batch-2.jsonl.gz')));

      const failedSync = Promise.reject(new Error('fsync of the WAL failed'));
      failedSync.catch(() => undefined); // as the store hands it over: awaited later
      const lost = archive.write(objects(count, 'batch-3'), failedSync);
      await assert.rejects(lost, /fsync of the WAL failed/);
      assert.deepEqual(await archived(root), done, 'a commit that may be lost leaves no object and no temporary file');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
}

test('refuses an object whose key would leave the archive folder', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'yagura-archive-'));
  try {
    const archive = new LocalArchive(root);
    await assert.rejects(archive.write([{ accountId: '..', region: '..', day: '../../..', name: 'x', lines: [] }]), /escapes the archive folder/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('removes what a crash left in the staging folder when it opens, and writes on if the folder disappears', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'yagura-archive-'));
  try {
    await mkdir(path.join(root, '.staging'), { recursive: true });
    await writeFile(path.join(root, '.staging', 'batch-9.jsonl.gz.tmp-4242-17'), 'half an object');
    const archive = new LocalArchive(root);
    assert.deepEqual(await archived(root), [], 'the leftover is gone');
    await archive.write(objects(2, 'batch-10'));
    await rm(path.join(root, '.staging'), { recursive: true });
    await archive.write(objects(2, 'batch-11'));
    const files = await archived(root);
    assert.equal(files.length, 4);
    assert.ok(files.every((f) => f.startsWith('AWSLogs/')), files.join(', '));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('lines given as UTF-8 bytes are archived exactly like the same lines given as text', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'yagura-archive-'));
  try {
    const archive = new LocalArchive(root);
    const lines = [JSON.stringify({ id: 'a', title: 'café 🛰️ 東京' }), JSON.stringify({ id: 'b', note: 'line\nbreak' })];
    const base = { accountId: '123456789012', region: 'us-east-1', day: '2026/11/28' };
    await archive.write([
      { ...base, name: 'as-text', lines },
      { ...base, name: 'as-bytes', lines: lines.map((l) => Buffer.from(l, 'utf8')) },
      { ...base, name: 'mixed', lines: [lines[0]!, Buffer.from(lines[1]!, 'utf8')] },
    ]);
    const read = async (name: string): Promise<string> =>
      gunzipSync(await readFile(path.join(root, `AWSLogs/123456789012/GuardDuty/us-east-1/2026/11/28/${name}.jsonl.gz`))).toString('utf8');
    const expected = `${lines.join('\n')}\n`;
    assert.equal(await read('as-text'), expected);
    assert.equal(await read('as-bytes'), expected);
    assert.equal(await read('mixed'), expected);
    await archive.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("objects are compressed and written while the event loop is held by other work (an import's commit)", async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'yagura-archive-'));
  try {
    const archive = new LocalArchive(root);
    // Started once, so that the thread is up before the loop is held.
    await archive.write(objects(1, 'warm-up'));
    const big = Array.from({ length: 4 }, (_, i) => ({
      accountId: String(200000000000 + i),
      region: 'us-east-1',
      day: '2026/11/28',
      name: 'held',
      lines: Array.from({ length: 2000 }, (_, n) => JSON.stringify({ id: `f${i}-${n}`, title: `finding ${n} `.repeat(20) })),
    }));
    let durable!: () => void;
    const writing = archive.write(big, new Promise<void>((resolve) => (durable = resolve)));
    // Holds the event loop for a while, as a 25,000-finding commit does, and looks at the disk without yielding.
    const staging = path.join(root, '.staging');
    const until = Date.now() + 10_000;
    let staged: string[] = [];
    while (Date.now() < until) {
      staged = existsSync(staging) ? readdirSync(staging) : [];
      if (staged.length === big.length) break;
    }
    assert.equal(staged.length, big.length, 'every object was compressed and staged without a turn of the event loop');
    durable();
    await writing;
    assert.equal((await archived(root)).filter((f) => f.endsWith('held.jsonl.gz')).length, big.length);
    await archive.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('an object put from no lines is still a valid, empty gzip file', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'yagura-archive-'));
  try {
    const archive = new LocalArchive(root);
    const none = async function* (): AsyncGenerator<string[]> {
      yield [];
    };
    await archive.put({ accountId: '123456789012', region: 'us-east-1', day: '2026/11/28', name: 'empty' }, none());
    const bytes = await readFile(path.join(root, 'AWSLogs/123456789012/GuardDuty/us-east-1/2026/11/28/empty.jsonl.gz'));
    assert.equal(gunzipSync(bytes).length, 0);
    assert.deepEqual((await archived(root)).filter((f) => f.includes('tmp')), []);
    await archive.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

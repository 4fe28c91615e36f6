// Crash before an object is written: the next start writes it, under the name it was given, exactly once.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { openEmbedded } from '../../src/main.js';
import { finding } from '../fixtures/findings.js';

async function archiveLines(root: string): Promise<string[]> {
  const files = (await readdir(root, { recursive: true }).catch(() => [] as string[])).filter((f) => f.endsWith('.jsonl.gz'));
  const lines: string[] = [];
  for (const f of files) lines.push(...gunzipSync(await readFile(path.join(root, f))).toString('utf8').split('\n').filter(Boolean));
  return lines;
}

/** What SIGKILL leaves: the store and archive closed without sealing anything, and the lock freed. */
async function crash(embedded: Awaited<ReturnType<typeof openEmbedded>>): Promise<void> {
  await embedded.archive.close();
  await embedded.store.close();
  embedded.lock.release();
}

test('writes the objects a crash left open when the data folder is opened again, under their names, and only once', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-replay-'));
  try {
    const data = path.join(dir, 'data');
    const first = await openEmbedded(data, 'test');
    // Acknowledged versions: durable in the store, waiting in their open objects.
    await first.pipeline.submit([finding({ id: 'r1' }), finding({ id: 'r2', region: 'eu-west-1' })]);
    const names = (await first.store.outbox.objects()).map((o) => `${o.name}.jsonl.gz`).sort();
    await crash(first);
    assert.deepEqual(await archiveLines(path.join(data, 'archive')), []);

    const second = await openEmbedded(data, 'test');
    assert.equal(second.replayed, 2);
    const files = (await readdir(path.join(data, 'archive'), { recursive: true })).filter((f) => f.endsWith('.jsonl.gz'));
    assert.deepEqual(files.map((f) => path.basename(f)).sort(), names, 'the names fixed when the objects opened');
    await crash(second);
    const lines = await archiveLines(path.join(data, 'archive'));
    assert.equal(lines.length, 2);
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { id: string }).id).sort(), ['r1', 'r2']);

    const third = await openEmbedded(data, 'test');
    assert.equal(third.replayed, 0);
    await third.close();
    assert.equal((await archiveLines(path.join(data, 'archive'))).length, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a clean stop seals and writes the open objects', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-replay-'));
  try {
    const data = path.join(dir, 'data');
    const embedded = await openEmbedded(data, 'test');
    await embedded.pipeline.submit([finding({ id: 's1' })]);
    assert.deepEqual(await archiveLines(path.join(data, 'archive')), []);
    await embedded.close();
    assert.deepEqual((await archiveLines(path.join(data, 'archive'))).map((l) => (JSON.parse(l) as { id: string }).id), ['s1']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('refuses a second owner of a data folder while the first one runs', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-lock-'));
  try {
    const first = await openEmbedded(dir, 'test one');
    await assert.rejects(openEmbedded(dir, 'test two'), /in use by another yagura process \(test one/);
    await first.close();
    const again = await openEmbedded(dir, 'test two');
    await again.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

// `yagura import` across its reader thread: large files arrive in parts, a corrupt file imports nothing.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { findingDoc } from '../../test/fixtures/findings.js';
import { importPaths } from './import.js';
import { openTarget, type Target } from './target.js';

let dir: string;
let target: Target;

function lines(prefix: string, n: number, from = 0): string {
  return Array.from({ length: n }, (_, i) => JSON.stringify(findingDoc({ id: `${prefix}${from + i}` }))).join('\n') + '\n';
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'yagura-import-'));
  target = await openTarget({ data: path.join(dir, 'data') }, 'import');
});

after(async () => {
  await target.close();
  await rm(dir, { recursive: true, force: true });
});

test('imports a file larger than one part of the reader thread, every line once', async () => {
  const file = path.join(dir, 'in', 'big.jsonl.gz');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, gzipSync(lines('big', 12_345)));
  const summary = await importPaths(target, [file], { batchSize: 4_000 });
  assert.deepEqual([summary.read, summary.created, summary.rejected.length], [12_345, 12_345, 0]);
  const again = await importPaths(target, [file], { batchSize: 4_000 });
  assert.deepEqual([again.read, again.created, again.unchanged], [12_345, 0, 12_345]);
});

test('a corrupt object imports nothing and names the line it stopped after; the files around it import', async () => {
  const folder = path.join(dir, 'mixed');
  await mkdir(folder, { recursive: true });
  const whole = gzipSync(lines('cut', 7_000));
  await writeFile(path.join(folder, 'a.jsonl.gz'), gzipSync(lines('a', 3)));
  // A gzip stream cut short: the first parts inflate, then the stream ends without its trailer.
  await writeFile(path.join(folder, 'b.jsonl.gz'), whole.subarray(0, Math.floor(whole.length * 0.8)));
  await writeFile(path.join(folder, 'c.jsonl'), `${lines('c', 2)}{"not": "closed"\n`);
  const summary = await importPaths(target, [folder], { batchSize: 100 });
  assert.equal(summary.created, 5, 'a and c imported, nothing of b');
  assert.equal(summary.rejected.length, 2);
  const [bad, line] = summary.rejected;
  assert.match(bad!.ref, /b\.jsonl\.gz$/);
  assert.equal(bad!.code, 'UNREADABLE_FILE');
  assert.match(bad!.message, /nothing from it was imported/);
  assert.match(line!.ref, /c\.jsonl:3$/);
  assert.equal(line!.code, 'INVALID_JSON');
});

test('an import larger than the store defers its search indexes and builds them at the end; a small one keeps them', async () => {
  const data = path.join(dir, 'bulk');
  const own = await openTarget({ data }, 'import');
  // A second connection watches the schema while the import runs (the import holds the folder's lock, not the file).
  const watch = (): number => {
    const db = new Database(path.join(data, 'yagura.db'), { readonly: true });
    try {
      return (db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'index'`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };
  try {
    const complete = watch();
    const folder = path.join(dir, 'bulk-in');
    await mkdir(folder, { recursive: true });
    for (const name of ['a', 'b', 'c']) await writeFile(path.join(folder, `${name}.jsonl.gz`), gzipSync(lines(name, 400)));
    const during: number[] = [];
    let indexing = 0;
    const summary = await importPaths(own, [folder], { batchSize: 300, onProgress: () => during.push(watch()), onIndexing: () => indexing++ });
    assert.equal(summary.created, 1_200);
    assert.equal(indexing, 1, 'the caller was told once that the indexes are being built');
    assert.ok(Math.min(...during) < complete, 'the search indexes were dropped during the import');
    assert.equal(watch(), complete, 'and built again at its end');

    const small = path.join(dir, 'bulk-small.jsonl.gz');
    await writeFile(small, gzipSync(lines('small', 3)));
    const seen: number[] = [];
    await importPaths(own, [small], { batchSize: 300, onProgress: () => seen.push(watch()), onIndexing: () => indexing++ });
    assert.equal(indexing, 1, 'nothing to build after a small import');
    assert.deepEqual([...new Set(seen)], [complete], 'three findings into 1,200 keep every index');
  } finally {
    await own.close();
  }
});

// Runs the hostile-input corpus: each case gets a clear, coded answer, and stores and changes nothing.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { LightMyRequestResponse } from 'fastify';
import { importPaths, type ImportSummary } from '../../src/cli/import.js';
import { openTarget, type Target } from '../../src/cli/target.js';
import { openDataFile } from '../support/data-file.js';
import { harness, type Harness } from '../support/harness.js';
import type { HttpCase, HttpContext, ImportCase } from './case.js';
import { HOSTILE_CASES, HTTP_CASES, IMPORT_CASES } from './corpus.js';
import { prototypeShape, snapshotStore, type StoreSnapshot } from './snapshot.js';
import { currentLine, seeds, type Seed } from './seed.js';

/** Hostile answers never echo hostile payloads back in bulk. */
const MAX_ANSWER_BYTES = 64 * 1024;
const PROTOTYPES = prototypeShape();

function assertPrototypesClean(): void {
  assert.deepEqual(prototypeShape(), PROTOTYPES, 'a built-in prototype gained or lost properties');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  for (const key in {}) assert.fail(`Object.prototype has the enumerable property ${key}`);
}

test('the corpus holds at least 60 cases with distinct names', () => {
  assert.ok(HOSTILE_CASES.length >= 60, `${HOSTILE_CASES.length} cases`);
  const names = HOSTILE_CASES.map((c) => `${c.target}: ${c.name}`);
  assert.equal(new Set(names).size, names.length, 'two cases share a name');
});

describe('hostile input over HTTP', () => {
  let h: Harness;
  let ctx: HttpContext;
  let seeded: readonly Seed[];
  /** What is stored now; a failing or todo case that changed it re-baselines, so later cases are judged alone. */
  let current: { count: number; store: StoreSnapshot; findings: unknown[] };
  /** The harness's database file, read beside the server. */
  let file: Database.Database;

  const send = (c: HttpCase): Promise<LightMyRequestResponse> => {
    const r = c.request(ctx);
    const headers: Record<string, string> = { ...h.auth, ...r.headers };
    const contentType = r.contentType === undefined ? (r.method === 'POST' ? 'application/json' : null) : r.contentType;
    if (contentType !== null) headers['content-type'] = contentType;
    return h.app.inject({ method: r.method, url: r.url, headers, ...(r.payload !== undefined && { payload: r.payload }) });
  };

  /** The store, the files, and each seeded finding as a client reads it (minus the clock-driven `timeOpenSeconds`). */
  const snapshot = async (): Promise<{ count: number; store: StoreSnapshot; findings: unknown[] }> => {
    const findings = [];
    for (const s of seeded) {
      const res = await h.app.inject({ url: `/api/v1/findings/${s.key.accountId}/${s.key.region}/${s.key.id}`, headers: h.auth });
      const body = res.json() as { yagura?: Record<string, unknown> };
      delete body.yagura?.timeOpenSeconds;
      findings.push({ status: res.statusCode, body });
    }
    return { count: await h.embedded.store.count(), store: await snapshotStore(file, h.dir), findings };
  };

  before(async () => {
    // Production limits: a 10 MB string fits under the 10 MiB body limit, a 10 MiB one does not.
    h = await harness({ maxBodyBytes: 10 * 1024 * 1024, maxItemsPerRequest: 10_000, maxPageSize: 1000 });
    file = openDataFile(path.join(h.dir, 'data'));
    seeded = seeds();
    for (const s of seeded) {
      for (const line of s.lines) {
        const res = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: { ...h.auth, 'content-type': 'application/json' }, payload: line });
        assert.equal(res.json().accepted, 1, res.body);
      }
    }
    assert.equal(await h.embedded.store.count(), seeded.length);
    const page = await h.app.inject({ url: '/api/v1/findings?size=1', headers: h.auth });
    ctx = { cursor: page.json().nextCursor as string, seeds: seeded };
    assert.ok(ctx.cursor);
    current = await snapshot();
  });
  after(async () => {
    file.close();
    await h.close();
  });

  function checkAnswer(c: HttpCase, res: LightMyRequestResponse, stored: number): void {
    const e = c.expect;
    assert.equal(res.statusCode, e.status, `status ${res.statusCode}: ${res.body.slice(0, 300)}`);
    assert.ok(res.rawPayload.length <= MAX_ANSWER_BYTES, `the answer has ${res.rawPayload.length} bytes`);
    for (const [name, value] of Object.entries(res.headers)) {
      assert.notEqual(name, 'set-cookie', 'a Set-Cookie header appeared');
      assert.doesNotMatch(String(value), /[\r\n\0]/, `header ${name} carries a control character`);
    }
    assert.equal(res.headers['x-content-type-options'], 'nosniff', 'the answer skipped the security headers');
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = res.json() as Record<string, unknown> & { error?: { code?: unknown; message?: unknown } };
    if (e.status >= 400) {
      assert.equal(body.error?.code, e.code, `error ${JSON.stringify(body.error).slice(0, 300)}`);
      assert.equal(typeof body.error?.message, 'string');
      const message = body.error!.message as string;
      assert.ok(message.length >= 10 && message.length <= 2000, `not a sentence: ${message.slice(0, 100)}`);
      assert.doesNotMatch(message, /\n\s+at /, 'the message carries a stack trace');
    }
    if (e.rejected !== undefined) {
      const rejected = body.rejected as Array<{ index: unknown; code: unknown; message: unknown }>;
      assert.deepEqual(rejected.map((r) => r.code), e.rejected, JSON.stringify(rejected).slice(0, 300));
      for (const r of rejected) assert.ok(typeof r.index === 'number' && typeof r.message === 'string');
      assert.deepEqual(
        { accepted: body.accepted, created: body.created, updated: body.updated, ignored: body.ignored, duplicates: body.duplicates },
        { accepted: 0, created: 0, updated: 0, ignored: e.ignored ?? 0, duplicates: e.duplicates ?? 0 },
      );
    }
    if (e.total !== undefined) assert.equal(body.total, e.total === 'all' ? stored : e.total);
  }

  for (const c of HTTP_CASES) {
    test(`${c.target}: ${c.name}`, c.todo === undefined ? {} : { todo: c.todo }, async () => {
      let failure: unknown;
      try {
        const stored = await h.embedded.store.count();
        checkAnswer(c, await send(c), stored);
      } catch (error) {
        failure = error;
      }
      const before = current;
      current = await snapshot();
      if (failure !== undefined) throw failure;
      assert.deepEqual(current, before, 'the case changed what was stored');
      assertPrototypesClean();
      const health = await h.app.inject({ url: '/health' });
      assert.equal(health.statusCode, 200);
    });
  }
});

describe('hostile files for yagura import', () => {
  let root: string;
  let target: Target;
  let db: Database.Database;
  let seeded: readonly Seed[];
  let current: StoreSnapshot;
  const dataDir = (): string => path.join(root, 'data');

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'yagura-hostile-import-'));
    target = await openTarget({ data: dataDir() }, 'import');
    seeded = seeds();
    await mkdir(path.join(root, 'seed'));
    await writeFile(path.join(root, 'seed', 'seeds.jsonl'), `${seeded.flatMap((s) => s.lines).join('\n')}\n`);
    const summary = await importPaths(target, [path.join(root, 'seed')], { batchSize: 1000 });
    assert.deepEqual([summary.created, summary.updated, summary.rejected], [seeded.length, 1, []]);
    db = new Database(path.join(dataDir(), 'yagura.db'), { readonly: true, fileMustExist: true });
    current = await snapshotStore(db, dataDir());
  });
  after(async () => {
    db.close();
    await target.close();
    await rm(root, { recursive: true, force: true });
  });

  function checkSummary(c: ImportCase, dir: string, outcome: { summary?: ImportSummary; error?: unknown }): void {
    if ('throws' in c.expect) {
      assert.ok(outcome.error instanceof Error, 'the import did not stop');
      assert.match(outcome.error.message, c.expect.throws);
      return;
    }
    if (outcome.error !== undefined) throw outcome.error;
    const s = outcome.summary!;
    const rejected = s.rejected.map((r) => [path.relative(dir, r.ref), r.code]);
    assert.deepEqual(rejected, c.expect.rejected.map(([ref, code]) => [ref, code]), JSON.stringify(s.rejected).slice(0, 500));
    for (const r of s.rejected) assert.ok(r.message.length >= 10 && r.message.length <= 2000, r.message.slice(0, 100));
    // The trailing known-good file was read: the import went on past the hostile ones.
    assert.deepEqual(
      { created: s.created, updated: s.updated, unchanged: s.unchanged, ignored: s.ignored },
      { created: 0, updated: 0, unchanged: 1 + (c.expect.redelivered ?? 0), ignored: c.expect.ignored ?? 0 },
    );
  }

  IMPORT_CASES.forEach((c, i) => {
    test(`import: ${c.name}`, c.todo === undefined ? {} : { todo: c.todo }, async () => {
      const dir = path.join(root, 'cases', String(i));
      await mkdir(dir, { recursive: true });
      for (const entry of c.files(seeded)) {
        const file = path.join(dir, entry.path);
        if ('symlinkTo' in entry) await symlink(entry.symlinkTo, file);
        else await writeFile(file, entry.data);
      }
      if (c.args === undefined) await writeFile(path.join(dir, 'zz-after.jsonl'), `${currentLine(seeded[0]!)}\n`);
      const outcome: { summary?: ImportSummary; error?: unknown } = {};
      try {
        outcome.summary = await importPaths(target, (c.args ?? ['.']).map((a) => path.join(dir, a)), { batchSize: 1000 });
      } catch (error) {
        outcome.error = error;
      }
      await rm(dir, { recursive: true, force: true });
      let failure: unknown;
      try {
        checkSummary(c, dir, outcome);
      } catch (error) {
        failure = error;
      }
      const before = current;
      current = await snapshotStore(db, dataDir());
      if (failure !== undefined) throw failure;
      assert.deepEqual(current, before, 'the case changed what was stored');
      assertPrototypesClean();
      const stored = (db.prepare('SELECT count(*) AS n FROM findings').get() as { n: number }).n;
      assert.equal((await target.search({ q: '', size: 10 })).total, stored, 'the data folder no longer answers searches');
    });
  });
});

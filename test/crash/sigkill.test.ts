// Crash safety: SIGKILL the real server at random moments while another client ingests and objects roll every
// second, and prove that every acknowledged version is in the store at once (before the restart), and in the
// archive exactly once after the restarts and the final seal.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { spawnServe } from '../support/serve-process.js';

const KEY = 'crash-test-bootstrap-key-0123456789';
const KILLS = Number(process.env.CRASH_KILLS ?? 20);
const FINDINGS = 40;
const VERSIONS = 6;

/** Deterministic pseudo-random numbers (mulberry32), so a failing run can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Running {
  child: ChildProcess;
  url: string;
}

function start(data: string): Promise<Running> {
  // Objects roll every second, so that kills land while objects are sealed and written too.
  process.env['YAGURA_ARCHIVE_ROLL_SECONDS'] = '1';
  return spawnServe(data, { key: KEY });
}

/** Every acknowledged version (finding id → counts) that the store, read as the killed server left it, lacks. */
function missingFromStore(data: string, acked: ReadonlyMap<string, ReadonlySet<number>>): string[] {
  const db = new Database(path.join(data, 'yagura.db'), { readonly: true });
  try {
    const stored = new Set(
      (db.prepare('SELECT f.id, v.count FROM finding_versions v JOIN findings f ON f.rowid = v.finding').all() as Array<{ id: string; count: number }>).map((r) => `${r.id}#${r.count}`),
    );
    return [...acked].flatMap(([id, counts]) => [...counts].map((c) => `${id}#${c}`)).filter((k) => !stored.has(k));
  } finally {
    db.close();
  }
}

function version(i: number, v: number): Record<string, unknown> {
  return findingDoc({
    id: `crash${String(i).padStart(3, '0')}`,
    accountId: String(100000000000 + (i % 7)),
    region: ['us-east-1', 'eu-west-1', 'ap-northeast-1'][i % 3]!,
    count: v,
    severity: v < 4 ? 5 : 8,
    createdAt: '2026-11-20T00:00:00.000Z',
    updatedAt: new Date(Date.parse('2026-11-20T00:00:00Z') + v * 60_000).toISOString(),
  });
}

test(`every acknowledged version survives ${KILLS} SIGKILLs: in the store at once, in the archive exactly once`, { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-crash-'));
  const data = path.join(dir, 'data');
  const rand = random(20261128);
  /** Latest version (count) of each finding acknowledged with a 2xx. */
  const acked = new Map<string, number>();
  /** Every version acknowledged with a 2xx. */
  const ackedVersions = new Map<string, Set<number>>();
  /** Next version each finding still has to deliver (EventBridge-like: retried until acknowledged). */
  const next = new Map<number, number>(Array.from({ length: FINDINGS }, (_, i) => [i, 1]));
  let server = await start(data);
  let kills = 0;
  let requests = 0;
  try {
    while (kills < KILLS) {
      // Ingest continuously from this process while a timer kills the server at a random moment.
      const current = server;
      const killAfter = 20 + rand() * 250;
      const killer = new Promise<void>((resolve) => {
        setTimeout(() => {
          current.child.kill('SIGKILL');
          current.child.once('exit', () => resolve());
        }, killAfter);
      });
      let alive = true;
      void killer.then(() => (alive = false));
      const clients = Array.from({ length: 4 }, async () => {
        while (alive) {
          const pending = [...next.entries()].filter(([, v]) => v <= VERSIONS);
          if (pending.length === 0) break;
          const [i, v] = pending[Math.floor(rand() * pending.length)]!;
          // Half the requests carry a second finding's next version too, as a bare finding.
          const batch: Array<Record<string, unknown>> = [eventOf(version(i, v))];
          const j = (i + 1) % FINDINGS;
          const w = next.get(j)!;
          if (rand() < 0.5 && w <= VERSIONS) batch.push(version(j, w));
          requests++;
          try {
            const res = await fetch(`${current.url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(batch) });
            if (res.ok) {
              await res.json();
              for (const item of batch) {
                const doc = ('detail' in item ? item.detail : item) as { id: string; service: { count: number } };
                const n = Number(doc.id.slice(5));
                const count = doc.service.count;
                if (count > (acked.get(doc.id) ?? 0)) acked.set(doc.id, count);
                ackedVersions.set(doc.id, (ackedVersions.get(doc.id) ?? new Set()).add(count));
                if (count >= (next.get(n) ?? 1) && count <= VERSIONS) next.set(n, count + 1);
              }
            }
          } catch {
            // Connection reset by the kill: not acknowledged, so it will be sent again.
          }
        }
      });
      await Promise.all([killer, ...clients]);
      kills++;
      // A 2xx means durable in the store: before anything restarts or replays, every acknowledged version is there.
      assert.deepEqual(missingFromStore(data, ackedVersions), [], `after kill ${kills}`);
      server = await start(data);
    }
    // Deliver whatever is left, then stop cleanly.
    for (const [i, v] of next) {
      for (let c = v; c <= VERSIONS; c++) {
        const res = await fetch(`${server.url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(version(i, c)) });
        assert.equal(res.status, 200);
        acked.set(version(i, c).id as string, c);
      }
    }
    const stopped = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGTERM');
    await stopped;
  } finally {
    server.child.kill('SIGKILL');
  }

  assert.equal(kills, KILLS);
  assert.ok(requests > KILLS * 4, `only ${requests} requests were made`);
  assert.equal(acked.size, FINDINGS);

  const db = new Database(path.join(data, 'yagura.db'), { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const rows = db.prepare('SELECT id, count, versions FROM findings').all() as Array<{ id: string; count: number; versions: number }>;
    assert.equal(rows.length, FINDINGS);
    for (const row of rows) {
      assert.equal(row.count, VERSIONS, `${row.id} current version`);
      assert.equal(row.versions, VERSIONS, `${row.id} stored versions`);
    }
    assert.equal((db.prepare('SELECT count(*) AS n FROM archive_outbox').get() as { n: number }).n, 0);
    assert.equal((db.prepare('SELECT count(*) AS n FROM archive_objects').get() as { n: number }).n, 0, 'every object sealed and written');
  } finally {
    db.close();
  }

  const root = path.join(data, 'archive');
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.jsonl.gz'));
  const seen = new Map<string, number>();
  for (const f of files) {
    for (const line of gunzipSync(await readFile(path.join(root, f))).toString('utf8').split('\n').filter(Boolean)) {
      const doc = JSON.parse(line) as { id: string; service: { count: number } };
      const k = `${doc.id}#${doc.service.count}`;
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
  }
  assert.equal(seen.size, FINDINGS * VERSIONS, 'every version is in the archive');
  for (const [k, n] of seen) assert.equal(n, 1, `${k} appears ${n} times in the archive`);
  await rm(dir, { recursive: true, force: true });
});

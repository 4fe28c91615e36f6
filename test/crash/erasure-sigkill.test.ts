// Crash safety of an erasure: SIGKILL the real server while a job removes findings, check that the store as the
// killed process left it holds no half-erased finding, then restart it and check that the job resumes and finishes:
// every selected finding gone from every file, every other finding as it was.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { filesHolding } from '../support/data-bytes.js';
import { spawnServe, type ServeProcess } from '../support/serve-process.js';

const KEY = 'erasure-crash-bootstrap-key-0123456789';
const VICTIMS = 1500;
const KEPT = 200;
const SECRETS = ['crash-victim-user', 'victim-0007', '203.0.113.250'];

function victim(i: number): Record<string, unknown> {
  const doc = findingDoc({ id: `victim-${String(i).padStart(4, '0')}`, ip: i === 7 ? '203.0.113.250' : `192.0.2.${i % 200}`, title: `quokkasighting ${i}` });
  return { ...doc, resource: { resourceType: 'AccessKey', accessKeyDetails: { userName: 'crash-victim-user', accessKeyId: `AKIA${i}` } } };
}

async function call(server: ServeProcess, method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(new URL(url, server.url), {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

function killed(server: ServeProcess): Promise<void> {
  return new Promise((resolve) => {
    server.child.once('exit', () => resolve());
    server.child.kill('SIGKILL');
  });
}

/** Rows of a finding's traces that the store holds without their finding, or a finding without its versions. */
function halfErased(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const n = (sql: string): number => db.prepare(sql).pluck().get() as number;
    return {
      findingsWithoutVersions: n('SELECT count(*) FROM findings f WHERE NOT EXISTS (SELECT 1 FROM finding_versions v WHERE v.finding = f.rowid)'),
      versionsWithoutFinding: n('SELECT count(*) FROM finding_versions v WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.rowid = v.finding)'),
      pathsWithoutFinding: n('SELECT count(*) FROM finding_paths p WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.rowid = p.finding)'),
      partiesWithoutFinding: n('SELECT count(*) FROM finding_remote_ips r WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.rowid = r.finding)'),
      victimsWithoutPaths: n(`SELECT count(*) FROM findings f WHERE f.id LIKE 'victim-%' AND NOT EXISTS (SELECT 1 FROM finding_paths p WHERE p.finding = f.rowid)`),
      // The free text of every victim still stored, and of no other.
      textOfGone: n(`SELECT count(*) FROM findings_text WHERE findings_text MATCH 'quokkasighting'`) - n(`SELECT count(*) FROM findings WHERE id LIKE 'victim-%'`),
    };
  } finally {
    db.close();
  }
}

test('an erasure killed mid-way leaves no half-erased finding and finishes after the restart', { timeout: 300_000 }, async () => {
  const data = await mkdtemp(path.join(tmpdir(), 'yagura-erasure-crash-'));
  process.env['YAGURA_ARCHIVE_ROLL_SECONDS'] = '1';
  let server = await spawnServe(data, { key: KEY });
  try {
    const kept = Array.from({ length: KEPT }, (_, i) => findingDoc({ id: `kept-${i}`, ip: `198.51.100.${i % 250}` }));
    for (let i = 0; i < VICTIMS; i += 500) {
      const batch = Array.from({ length: Math.min(500, VICTIMS - i) }, (_, j) => victim(i + j));
      assert.equal((await call(server, 'POST', '/api/v1/events', batch.map((d) => eventOf(d)))).status, 200);
    }
    assert.equal((await call(server, 'POST', '/api/v1/events', kept.map((d) => eventOf(d)))).status, 200);
    // Let the archiver write objects, so the archive holds victims too.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const keptBefore = (await call(server, 'GET', '/api/v1/findings?q=id:kept-*&size=500&sort=createdAt:asc')).body;
    assert.equal(keptBefore.total, KEPT);

    const started = await call(server, 'POST', '/api/v1/erasures', { query: 'resource.accessKeyDetails.userName:"crash-victim-user"', reason: 'crash test' });
    assert.equal(started.status, 202);
    const id = started.body.id as string;
    // Killed once the job has removed some findings and not all of them.
    for (;;) {
      const job = (await call(server, 'GET', `/api/v1/erasures/${id}`)).body;
      assert.equal(job.status, 'running', 'the job finished before it could be killed; make it longer');
      if (job.counts.findings > 0) break;
    }
    await killed(server);

    const left = halfErased(path.join(data, 'yagura.db'));
    assert.deepEqual(left, { findingsWithoutVersions: 0, versionsWithoutFinding: 0, pathsWithoutFinding: 0, partiesWithoutFinding: 0, victimsWithoutPaths: 0, textOfGone: 0 });
    const db = new Database(path.join(data, 'yagura.db'), { readonly: true });
    const remaining = db.prepare(`SELECT count(*) FROM findings WHERE id LIKE 'victim-%'`).pluck().get() as number;
    const status = db.prepare('SELECT status FROM erasure_jobs WHERE id = ?').pluck().get(id);
    db.close();
    assert.ok(remaining > 0 && remaining < VICTIMS, `killed mid-way: ${remaining} of ${VICTIMS} victims left`);
    assert.equal(status, 'running');

    server = await spawnServe(data, { key: KEY });
    let job: any;
    for (let i = 0; i < 1200; i++) {
      job = (await call(server, 'GET', `/api/v1/erasures/${id}`)).body;
      if (job.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(job.status, 'done', JSON.stringify(job));
    assert.equal(job.findings, VICTIMS, 'every victim was selected, before and after the crash');
    assert.equal((await call(server, 'GET', '/api/v1/findings?q=quokkasighting')).body.total, 0);
    const keptAfter = (await call(server, 'GET', '/api/v1/findings?q=id:kept-*&size=500&sort=createdAt:asc')).body;
    assert.deepEqual(keptAfter.findings.map((f: any) => f.finding), keptBefore.findings.map((f: any) => f.finding), 'the other findings are as they were');
    // A clean stop writes what the outbox still holds; the next start rebuilds the database file. Then no file
    // holds a victim's id, IP or user name.
    const stopped = (s: ServeProcess): Promise<void> =>
      new Promise<void>((resolve) => {
        s.child.once('exit', () => resolve());
        s.child.kill('SIGTERM');
      });
    await stopped(server);
    server = await spawnServe(data, { key: KEY });
    assert.equal((await call(server, 'GET', '/api/v1/findings?q=id:kept-*&size=1')).body.total, KEPT);
    await stopped(server);
    assert.deepEqual(await filesHolding(data, SECRETS), []);
  } finally {
    if (server.child.exitCode === null) await killed(server);
    delete process.env['YAGURA_ARCHIVE_ROLL_SECONDS'];
    if (process.env['KEEP_DIR']) console.log('DIR', data); else await rm(data, { recursive: true, force: true });
  }
});

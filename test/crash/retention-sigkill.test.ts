// A retention pass killed with SIGKILL in the middle (the real CLI, `yagura retention run`): every finding is either
// whole (current record, every version, free text, remote parties, path values) or gone, and the next pass finishes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { normalizeFinding } from '../../src/findings/normalize.js';
import type { Finding } from '../../src/findings/finding.js';
import { openEmbedded } from '../../src/main.js';
import { readDataFile } from '../support/data-file.js';
import { findingDoc } from '../fixtures/findings.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DAY = 86_400_000;
const EXPIRED = 3000;
const KEPT = 20;

function finding(id: string, ageDays: number, version = 1): Finding {
  const at = new Date(Date.now() - ageDays * DAY).toISOString();
  const r = normalizeFinding(findingDoc({ id, severity: 2, count: version, createdAt: at, updatedAt: new Date(Date.parse(at) + version).toISOString(), ip: `198.51.100.${(version % 200) + 1}` }));
  if (!r.ok) throw new Error(r.error.message);
  return r.finding;
}

/** Rows of every place a finding lives, that belong to no finding (half-removed traces), and findings missing theirs. */
function inconsistencies(data: string): Record<string, number> {
  return readDataFile(data, (db) => {
    const n = (sql: string): number => db.prepare(sql).pluck().get() as number;
    return {
      orphanVersions: n('SELECT count(*) FROM finding_versions v WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.rowid = v.finding)'),
      orphanParties: n('SELECT count(*) FROM finding_remote_ips p WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.rowid = p.finding)'),
      orphanPaths: n('SELECT count(*) FROM finding_paths p WHERE NOT EXISTS (SELECT 1 FROM findings f WHERE f.rowid = p.finding)'),
      findingsWithoutAllVersions: n('SELECT count(*) FROM findings f WHERE f.versions <> (SELECT count(*) FROM finding_versions v WHERE v.finding = f.rowid)'),
      findingsWithoutParties: n('SELECT count(*) FROM findings f WHERE NOT EXISTS (SELECT 1 FROM finding_remote_ips p WHERE p.finding = f.rowid)'),
      textEntriesBeyondFindings: n(`SELECT count(*) FROM findings_text WHERE findings_text MATCH 'torclient'`) - n('SELECT count(*) FROM findings'),
    };
  });
}

const count = (data: string): number => readDataFile(data, (db) => db.prepare('SELECT count(*) FROM findings').pluck().get() as number);

function retentionRun(data: string, config: string): ReturnType<typeof spawn> {
  return spawn(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'retention', 'run', '--data', data, '--config', config], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

test('a retention pass killed mid-way leaves no half-removed finding, and the next pass removes the rest', { timeout: 180_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-retention-crash-'));
  const data = path.join(dir, 'data');
  const config = path.join(dir, 'config.json');
  try {
    await writeFile(config, JSON.stringify({ retention: { rules: [{ name: 'low', bands: ['Low'], storeDays: 30 }], batchFindings: 50, pauseMilliseconds: 20 } }));
    const embedded = await openEmbedded(data, 'test');
    try {
      const old = Array.from({ length: EXPIRED }, (_, i) => [finding(`old-${i}`, 200, 1), finding(`old-${i}`, 200, 2)]).flat();
      await embedded.store.upsert(old, Date.now() - 200 * DAY);
      await embedded.store.upsert(Array.from({ length: KEPT }, (_, i) => finding(`new-${i}`, 1)), Date.now());
      // The archiver writes and confirms the outbox, as a server would have long ago.
      await embedded.archiver.sealAll();
    } finally {
      await embedded.close();
    }
    assert.deepEqual(Object.values(inconsistencies(data)), [0, 0, 0, 0, 0, 0]);

    const child = retentionRun(data, config);
    const exited = once(child, 'exit');
    const deadline = Date.now() + 60_000;
    // Killed once some batches have committed and well before the last.
    while (count(data) > EXPIRED + KEPT - 500) {
      assert.ok(Date.now() < deadline, 'the pass removed nothing within a minute');
      assert.equal(child.exitCode, null, 'the pass ended before it could be killed');
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    await exited;
    const left = count(data);
    assert.ok(left > KEPT && left < EXPIRED + KEPT, `killed mid-pass (${left} findings left)`);
    assert.deepEqual(inconsistencies(data), { orphanVersions: 0, orphanParties: 0, orphanPaths: 0, findingsWithoutAllVersions: 0, findingsWithoutParties: 0, textEntriesBeyondFindings: 0 });

    const again = retentionRun(data, config);
    let out = '';
    again.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const [code] = (await once(again, 'exit')) as [number];
    assert.equal(code, 0, out);
    assert.match(out, new RegExp(`^removed ${left - KEPT} findings from the store \\(low: ${left - KEPT}\\)`));
    assert.equal(count(data), KEPT);
    assert.deepEqual(Object.values(inconsistencies(data)), [0, 0, 0, 0, 0, 0]);
    const ids = readDataFile(data, (db) => db.prepare('SELECT id FROM findings ORDER BY id').pluck().all() as string[]);
    assert.deepEqual(ids, Array.from({ length: KEPT }, (_, i) => `new-${i}`).sort());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

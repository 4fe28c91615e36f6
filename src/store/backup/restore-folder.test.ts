// A restore trusts nothing in the backup folder: a manifest naming paths outside it, or not a manifest at all, is refused
// before anything is written.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { MANIFEST_FILE, MANIFEST_FORMAT } from './manifest.js';
import { restoreFolder } from './restore-folder.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'yagura-restore-'));
});
after(async () => rm(dir, { recursive: true, force: true }));

const manifest = (files: unknown[]): unknown => ({
  format: MANIFEST_FORMAT,
  takenAt: '2026-12-08T01:00:00.000Z',
  finishedAt: '2026-12-08T01:00:01.000Z',
  source: '/srv/yagura-data',
  store: { kind: 'sqlite', file: 'yagura.db', contents: { findings: 0, versions: 0, auditEntries: 0 } },
  archive: { kind: 'local', objects: 0, bytes: 0 },
  masterKey: 'excluded',
  files,
});

async function backupWith(name: string, content: unknown): Promise<string> {
  const backup = path.join(dir, name);
  await mkdir(backup);
  await writeFile(path.join(backup, MANIFEST_FILE), typeof content === 'string' ? content : JSON.stringify(content));
  return backup;
}

test('a manifest naming a path outside the backup is refused and nothing is written', async () => {
  const sha = '0'.repeat(64);
  for (const [i, escape] of ['../outside', 'archive/../../outside', '/etc/passwd', 'archive//x', 'archive\\..\\x'].entries()) {
    const backup = await backupWith(`escape-${i}`, manifest([{ path: 'yagura.db', bytes: 0, sha256: sha }, { path: escape, bytes: 0, sha256: sha }]));
    const target = path.join(dir, `target-${i}`);
    await assert.rejects(restoreFolder({ from: backup, data: target }), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'BACKUP_CORRUPT', error.message);
      return true;
    });
    assert.equal(existsSync(target), false, escape);
  }
  assert.equal(existsSync(path.join(dir, 'outside')), false);
});

test('a manifest that is not JSON, or of another format, is refused', async () => {
  const notJson = await backupWith('not-json', '{"format": ');
  await assert.rejects(restoreFolder({ from: notJson, data: path.join(dir, 't1') }), /BACKUP_CORRUPT|is not JSON/);
  const other = await backupWith('other-format', { ...(manifest([]) as object), format: 'yagura-backup/99' });
  await assert.rejects(restoreFolder({ from: other, data: path.join(dir, 't2') }), /is not a yagura-backup\/1 manifest: format/);
  assert.equal(existsSync(path.join(dir, 't1')) || existsSync(path.join(dir, 't2')), false);
});

test('a file the manifest lists but the backup lacks is refused, and the new folder removed', async () => {
  const backup = await backupWith('lacking', manifest([{ path: 'yagura.db', bytes: 10, sha256: 'a'.repeat(64) }]));
  const target = path.join(dir, 'lacking-target');
  await assert.rejects(restoreFolder({ from: backup, data: target }), /BACKUP_CORRUPT|lacks yagura\.db/);
  assert.equal(existsSync(target), false);
});

// `yagura export` as built: from a data folder no server holds, and from a running server (streamed to a file that
// appears only complete); refusals are one line and a non-zero exit, and leave no file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CSV_COLUMNS } from '../../src/api/finding-export.js';
import { openEmbedded } from '../../src/main.js';
import { finding } from '../fixtures/findings.js';
import { ROOT, spawnServe, type ServeProcess } from '../support/serve-process.js';

const KEY = 'export-e2e-bootstrap-key-0123456789abcdef';
const CLI = path.join(ROOT, 'dist/cli/main.js');

function yagura(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YAGURA_')));
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('yagura export', () => {
  let dir: string;
  let data: string;
  let server: ServeProcess | undefined;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-export-'));
    data = path.join(dir, 'data');
    const embedded = await openEmbedded(data, 'test');
    try {
      await embedded.pipeline.submit(
        Array.from({ length: 1200 }, (_, i) =>
          finding({ id: `e-${String(i).padStart(4, '0')}`, accountId: i % 2 === 0 ? '111111111111' : '222222222222', updatedAt: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 1000).toISOString(), title: i === 7 ? '-2+3 =cmd|/C calc' : 'a title' }),
        ),
      );
    } finally {
      await embedded.close();
    }
  });
  after(async () => {
    server?.child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  test('from a data folder: NDJSON on stdout, every selected finding once', async () => {
    const res = await yagura(['export', 'accountId:111111111111', '--from', '2026-10-01', '--data', data]);
    assert.equal(res.code, 0, res.stderr);
    const ids = res.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { yagura: { id: string } }).yagura.id);
    assert.equal(ids.length, 600);
    assert.equal(new Set(ids).size, 600);
    assert.equal(ids[0], 'e-0000');
  });

  test('from a server: CSV into a file, formula-safe', async () => {
    server = await spawnServe(data, { key: KEY, cleanEnv: true });
    const out = path.join(dir, 'out.csv');
    const res = await yagura(['export', '--from', '2026-10-01', '--format', 'csv', '--output', out, '--url', server.url, '--api-key', KEY]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /^wrote \d+ bytes to .*out\.csv\n$/);
    const text = await readFile(out, 'utf8');
    assert.ok(text.startsWith(`${CSV_COLUMNS.join(',')}\n`));
    assert.match(text, /,'-2\+3 =cmd\|\/C calc,/, 'the title that looks like a formula is prefixed');
    assert.equal(existsSync(`${out}.partial`), false);
  });

  test('a refused export is one line, a non-zero exit and no file', async () => {
    assert.ok(server);
    const out = path.join(dir, 'refused.ndjson');
    const res = await yagura(['export', '--output', out, '--url', server.url, '--api-key', 'yk_wrong']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /^yagura: the server answered 401: .*\n$/);
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(`${out}.partial`), false);
    const format = await yagura(['export', '--format', 'xlsx', '--data', data]);
    assert.equal(format.code, 1);
    assert.match(format.stderr, /^yagura: --format must be one of ndjson, csv\n$/);
  });
});

// `yagura retention plan` and `run` as built (dist/): against a real server with its configured policy, and on a data
// folder with a configuration file; bad options end in one line on stderr and a non-zero exit.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findingDoc } from '../fixtures/findings.js';
import { cliServer, yagura, type CliServer } from '../support/cli.js';

const KEY = 'cli-retention-bootstrap-key-0123456789';
const DAY = 86_400_000;
const POLICY = { rules: [{ name: 'low', bands: ['Low'], storeDays: 30 }], default: { archiveDays: 3650 } };

const docs = (): Record<string, unknown>[] => [
  findingDoc({ id: 'old-low', severity: 2, updatedAt: new Date(Date.now() - 100 * DAY).toISOString() }),
  findingDoc({ id: 'new-low', severity: 2, updatedAt: new Date(Date.now() - 5 * DAY).toISOString() }),
  findingDoc({ id: 'old-high', severity: 8, updatedAt: new Date(Date.now() - 100 * DAY).toISOString() }),
];

describe('yagura retention', () => {
  let running: CliServer;
  before(async () => {
    running = await cliServer('cli-retention', KEY, { retention: POLICY });
    const res = await fetch(`${running.server.url}/api/v1/events`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(docs()) });
    assert.equal(res.status, 200);
  });
  after(async () => running.close());

  test('plan against a server lists each rule with what it would remove and the oldest it keeps, removing nothing', async () => {
    const json = await yagura(['retention', 'plan', '--format', 'json'], running.env);
    assert.equal(json.code, 0, json.stderr);
    const plan = JSON.parse(json.stdout) as { store: Array<Record<string, unknown>> };
    const low = plan.store.find((r) => r.rule === 'low')!;
    assert.deepEqual([low.days, low.remove, low.held], [30, 1, 0]);
    const table = await yagura(['retention', 'plan'], running.env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /the next pass would remove 1 findings from the store/);
    const still = await fetch(`${running.server.url}/api/v1/findings?q=id:old-low`, { headers: { 'x-api-key': KEY } });
    assert.equal(((await still.json()) as { total: number }).total, 1);
  });

  test('plan and run on a data folder with a configuration file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'yagura-cli-retention-'));
    try {
      const file = path.join(dir, 'findings.json');
      await writeFile(file, JSON.stringify(docs()));
      const config = path.join(dir, 'config.json');
      await writeFile(config, JSON.stringify({ retention: POLICY }));
      const data = path.join(dir, 'data');
      assert.equal((await yagura(['import', file, '--data', data])).code, 0);
      const plan = await yagura(['retention', 'plan', '--data', data, '--config', config, '--format', 'json']);
      assert.equal(plan.code, 0, plan.stderr);
      assert.equal((JSON.parse(plan.stdout) as { store: Array<{ rule: string; remove: number }> }).store.find((r) => r.rule === 'low')?.remove, 1);
      const run = await yagura(['retention', 'run', '--data', data, '--config', config]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^removed 1 findings from the store \(low: 1\) and 0 archived versions/);
      const search = await yagura(['search', '', '--data', data, '--format', 'json']);
      assert.deepEqual((JSON.parse(search.stdout) as { findings: Array<{ yagura: { id: string } }> }).findings.map((f) => f.yagura.id).sort(), ['new-low', 'old-high']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('refuses a bad format and a run without a data folder, in one line', async () => {
    const bad = await yagura(['retention', 'plan', '--format', 'xml'], running.env);
    assert.notEqual(bad.code, 0);
    assert.equal(bad.stderr, 'yagura: --format must be table or json\n');
    const run = await yagura(['retention', 'run']);
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /^yagura: yagura retention run needs --data DIR/);
    assert.equal(run.stderr.trim().split('\n').length, 1);
  });
});

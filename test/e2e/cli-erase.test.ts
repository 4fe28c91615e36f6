// `yagura erase` as built (dist/): against a running server and on a data folder, with its progress, its summary
// and its exit codes.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import { startServer } from '../../src/main.js';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { filesHolding } from '../support/data-bytes.js';
import { cliServer, yagura, type CliServer } from '../support/cli.js';

const KEY = 'e2e-erase-bootstrap-key-0123456789';

async function post(url: string, docs: Record<string, unknown>[]): Promise<void> {
  const res = await fetch(`${url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(docs.map((d) => eventOf(d))) });
  assert.equal(res.status, 200, await res.text());
}

describe('yagura erase', { timeout: 120_000 }, () => {
  let s: CliServer;
  before(async () => {
    s = await cliServer('erase', KEY);
  });
  after(async () => s.close());

  test('erases on a server by query, following the job to its receipt', async () => {
    await post(s.server.url, [findingDoc({ id: 'cli-victim', ip: '203.0.113.81' }), findingDoc({ id: 'cli-kept' })]);
    const run = await yagura(['erase', 'remoteIp:"203.0.113.81"', '--reason', 'DSR-31'], s.env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^erasure er-[0-9a-f-]+: done$/m);
    assert.match(run.stdout, /^ {2}findings: 1$/m);
    assert.match(run.stdout, /receipt \(sha256 of the erased keys' digests\): [0-9a-f]{64}/);
    assert.match(run.stderr, /1\/1 findings/);
    const search = await yagura(['search', 'id:cli-*', '--format', 'json'], s.env);
    assert.deepEqual((JSON.parse(search.stdout) as { findings: Array<{ yagura: { id: string } }> }).findings.map((f) => f.yagura.id), ['cli-kept']);
  });

  test('refuses, with one line and a non-zero exit, what it cannot do', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['erase', 'id:x'], /--reason/],
      [['erase', '--reason', 'r'], /either a KQL query or --account/],
      [['erase', 'id:x', '--account', '111122223333', '--reason', 'r'], /either a KQL query or --account/],
      [['erase', 'id:(', '--reason', 'r'], /400/],
    ];
    for (const [args, message] of cases) {
      const run = await yagura(args, s.env);
      assert.notEqual(run.code, 0, args.join(' '));
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    }
  });

  test('erases a whole account in a data folder no server holds, leaving no byte of it in any file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'yagura-erase-data-'));
    const data = path.join(dir, 'data');
    try {
      const server = await startServer(configSchema.parse({ dataDir: data, port: 0, bootstrapKey: KEY, logLevel: 'silent' }));
      await post(server.url, [findingDoc({ id: 'acct-victim-1', accountId: '787878787878', ip: '203.0.113.91' }), findingDoc({ id: 'other-acct', accountId: '111122223333' })]);
      await server.close();
      const run = await yagura(['erase', '--account', '787878787878', '--reason', 'end of processing', '--data', data]);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /: done$/m);
      assert.deepEqual(await filesHolding(data, ['acct-victim-1', '203.0.113.91']), []);
      const left = await yagura(['search', '', '--data', data, '--format', 'json']);
      assert.deepEqual((JSON.parse(left.stdout) as { findings: Array<{ yagura: { id: string } }> }).findings.map((f) => f.yagura.id), ['other-acct']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// `yagura policy simulate` as a user runs it: the real CLI entry point in a child process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');

function yagura(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const REQUEST = {
  principal: 'arn:aws:iam::111111111111:user/alice',
  identityPolicies: [{ Version: '2012-10-17', Statement: [{ Sid: 'ReadTables', Effect: 'Allow', Action: 'glue:GetTable', Resource: '*' }] }],
  resourcePolicy: null,
  action: 'glue:GetTable',
  resource: 'arn:aws:glue:us-east-1:111111111111:table/db1/t1',
  context: { 'aws:SourceIp': '203.0.113.7' },
};

describe('yagura policy simulate', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-policy-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  test('prints the decision and the matched statements as a table from --file', async () => {
    const file = path.join(dir, 'request.json');
    await writeFile(file, JSON.stringify(REQUEST));
    const { code, stdout, stderr } = await yagura(['policy', 'simulate', '--file', file]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^decision: allowed\n/);
    assert.match(stdout, /identity\[0\].*ReadTables/);
  });

  test('prints JSON with --format json, and exits 0 for a deny too', async () => {
    const { code, stdout } = await yagura(['policy', 'simulate', '--format', 'json', '--json', JSON.stringify({ ...REQUEST, action: 'glue:DeleteTable' })]);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), { decision: 'implicit_deny', matchedStatements: [] });
  });

  test('an invalid policy exits 1 with one line naming the element', async () => {
    const bad = { ...REQUEST, identityPolicies: [{ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEqualz: { 'a:b': 'c' } } } }] };
    const { code, stdout, stderr } = await yagura(['policy', 'simulate', '--json', JSON.stringify(bad)]);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.equal(stderr, 'yagura: invalid policy: Statement[0].Condition: unknown operator "StringEqualz"\n');
  });

  test('malformed JSON, a missing file and a bad request each exit 1 with one line', async () => {
    for (const args of [['--json', '{"principal":'], ['--file', path.join(dir, 'missing.json')], ['--json', JSON.stringify({ ...REQUEST, action: 'nope' })], []]) {
      const { code, stderr } = await yagura(['policy', 'simulate', ...args]);
      assert.equal(code, 1, args.join(' '));
      assert.match(stderr, /^yagura: [^\n]+\n$/);
    }
  });
});

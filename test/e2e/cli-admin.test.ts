// `yagura users|groups|roles|keys|policies …` as built (dist/), against a real server: make a user, give it a
// key, and use that key.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../../src/main.js';
import { cliServer, yagura, type CliServer } from '../support/cli.js';

const KEY = 'cli-admin-bootstrap-key-0123456789';


describe('yagura users, groups, roles, keys, policies', () => {
  let dir: string;
  let server: Server;
  let env: Record<string, string>;
  let running: CliServer;
  before(async () => {
    running = await cliServer('cli-admin', KEY);
    ({ dir, server, env } = running);
  });
  after(async () => running.close());

  test('creates a policy, a group and a user, gives the user a key, and the key works within its policy', async () => {
    const policyFile = path.join(dir, 'policy.json');
    await writeFile(policyFile, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:List*', Resource: '*' }] }));
    const p = await yagura(['policies', 'create', 'lister', '--file', policyFile], env);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(JSON.parse(p.stdout).arn, 'arn:yagura:iam:::policy/lister');
    assert.equal((await yagura(['groups', 'create', 'analysts', '--json', '{"policies":["lister"]}'], env)).code, 0);
    const u = await yagura(['users', 'create', 'alice', '--json', '{"groups":["analysts"],"tags":{"team":"blue"}}'], env);
    assert.equal(u.code, 0, u.stderr);
    const list = await yagura(['users', 'list'], env);
    assert.match(list.stdout, /alice/);
    assert.match(list.stdout, /analysts/);

    const k = await yagura(['keys', 'create', '--name', 'laptop', '--user', 'alice'], env);
    assert.equal(k.code, 0, k.stderr);
    const key = k.stdout.split('\n')[0]!;
    assert.match(key, /^yk_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{43}$/);

    const asAlice = { YAGURA_URL: server.url, YAGURA_API_KEY: key };
    const users = await yagura(['users', 'list', '--format', 'json'], asAlice);
    assert.equal(users.code, 0, users.stderr);
    assert.deepEqual((JSON.parse(users.stdout) as Array<{ name: string }>).map((x) => x.name), ['alice']);
    const denied = await yagura(['users', 'delete', 'alice'], asAlice);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /403 ACCESS_DENIED: .*yagura:DeleteUser/);
    assert.equal(denied.stderr.trim().split('\n').length, 1, 'one line on stderr');

    const keys = await yagura(['keys', 'list', '--format', 'json'], env);
    const listed = (JSON.parse(keys.stdout) as Array<{ id: string; name: string }>).find((x) => x.name === 'laptop')!;
    assert.ok(!keys.stdout.includes(key.slice(12)), 'no secret in the list');
    assert.equal((await yagura(['keys', 'delete', listed.id], env)).code, 0);
    const revoked = await yagura(['users', 'list'], asAlice);
    assert.match(revoked.stderr, /401 UNAUTHENTICATED: the API key was revoked/);
  });

  test('refuses a bad document and a key for no owner with one line and a non-zero exit', async () => {
    const bad = await yagura(['policies', 'create', 'bad', '--json', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{}}}]}'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /400 INVALID_POLICY: Statement\[0\]\.Condition/);
    const neither = await yagura(['keys', 'create', '--name', 'x'], env);
    assert.notEqual(neither.code, 0);
    assert.match(neither.stderr, /exactly one of --role ROLE or --user USER/);
  });
});

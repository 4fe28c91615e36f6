// `yagura audit search` as built (dist/), against a real server: the calls made before it, searched and printed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../../src/main.js';
import { cliServer, yagura, type CliServer } from '../support/cli.js';

const KEY = 'cli-audit-bootstrap-key-0123456789';


describe('yagura audit search', () => {
  let server: Server;
  let env: Record<string, string>;
  let running: CliServer;
  before(async () => {
    running = await cliServer('cli-audit', KEY);
    ({ server, env } = running);
  });
  after(async () => running.close());

  test('finds a refused call by KQL and prints it as a table, JSON or NDJSON', async () => {
    const refused = await fetch(`${server.url}/api/v1/users`, { headers: { 'x-api-key': 'yk_AAAAAAAA_not-a-key' } });
    assert.equal(refused.status, 401);
    const json = await yagura(['audit', 'search', 'decision:unauthenticated and route:"/api/v1/users"', '--format', 'json'], env);
    assert.equal(json.code, 0, json.stderr);
    const entries = (JSON.parse(json.stdout) as { entries: Array<Record<string, unknown>> }).entries;
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.keyPrefix, 'yk_AAAAAAAA');
    assert.equal(entries[0]!.errorCode, 'UNAUTHENTICATED');
    const table = await yagura(['audit', 'search', 'decision:unauthenticated', '--from', 'now-1h'], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /GET \/api\/v1\/users/);
    assert.match(table.stdout, /401 UNAUTHENTICATED/);
    const ndjson = await yagura(['audit', 'search', '--limit', '2', '--format', 'ndjson'], env);
    assert.equal(ndjson.code, 0, ndjson.stderr);
    const lines = ndjson.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.equal(typeof JSON.parse(line).route, 'string');
  });

  test('names an unknown field in one line on stderr and exits non-zero', async () => {
    const bad = await yagura(['audit', 'search', 'password:x'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /400 INVALID_QUERY: unknown audit field "password"/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  });
});

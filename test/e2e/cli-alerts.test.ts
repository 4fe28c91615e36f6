// `yagura alerts …` as built (dist/), against a real server with a loopback receiver.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import { startServer, type Server } from '../../src/main.js';
import { findingDoc } from '../fixtures/findings.js';
import { yagura } from '../support/cli.js';
import { httpReceiver, type HttpReceiver } from '../support/receivers.js';

const KEY = 'cli-alerts-bootstrap-key-0123456789';


describe('yagura alerts', () => {
  let dir: string;
  let server: Server;
  let receiver: HttpReceiver;
  let env: Record<string, string>;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-cli-alerts-'));
    receiver = await httpReceiver();
    server = await startServer(configSchema.parse({ dataDir: path.join(dir, 'data'), port: 0, bootstrapKey: KEY, logLevel: 'silent', alerts: { allowPrivateNetworks: true, maxAttempts: 1 } }));
    env = { YAGURA_URL: server.url, YAGURA_API_KEY: KEY };
  });
  after(async () => {
    await server.close();
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('creates a destination and a rule, lists them, tests the destination, dry-runs the rule and deletes both', async () => {
    const d = await yagura(['alerts', 'destinations', 'create', '--json', JSON.stringify({ type: 'webhook', name: 'siem', url: `${receiver.url}/hook`, secret: 'sixteen-characters!' })], env);
    assert.equal(d.code, 0, d.stderr);
    const destination = (JSON.parse(d.stdout) as { id: string; secretSet: boolean });
    assert.equal(destination.secretSet, true);

    const ruleFile = path.join(dir, 'rule.json');
    await writeFile(ruleFile, JSON.stringify({ name: 'high', minBand: 'High', trigger: { kind: 'new' }, routes: [{ destination: destination.id }] }));
    const r = await yagura(['alerts', 'rules', 'create', '--file', ruleFile], env);
    assert.equal(r.code, 0, r.stderr);
    const rule = JSON.parse(r.stdout) as { id: string };

    const list = await yagura(['alerts', 'rules', 'list'], env);
    assert.equal(list.code, 0);
    assert.match(list.stdout, new RegExp(rule.id));
    const dlist = await yagura(['alerts', 'destinations', 'list', '--format', 'json'], env);
    assert.deepEqual((JSON.parse(dlist.stdout) as Array<{ id: string }>).map((x) => x.id), [destination.id]);

    const t = await yagura(['alerts', 'destinations', 'test', destination.id], env);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^delivered in \d+ ms/);
    assert.equal(receiver.received.length, 1);

    const dry = await yagura(['alerts', 'rules', 'dry-run', rule.id, '--from', 'now-7d'], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal((JSON.parse(dry.stdout) as { matched: number }).matched, 0);

    const dead = await yagura(['alerts', 'deliveries', 'list', '--dead'], env);
    assert.equal(dead.code, 0, dead.stderr);

    assert.equal((await yagura(['alerts', 'rules', 'delete', rule.id], env)).code, 0);
    assert.equal((await yagura(['alerts', 'destinations', 'delete', destination.id], env)).code, 0);
  });

  test('fails with one line and a non-zero exit code on bad input', async () => {
    const bad = await yagura(['alerts', 'rules', 'create', '--json', '{"name": "x"}'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /^yagura: the server answered 400 INVALID_PARAMETER: /);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    const retry = await yagura(['alerts', 'deliveries', 'retry', '42'], env);
    assert.notEqual(retry.code, 0);
    assert.match(retry.stderr, /DELIVERY_NOT_FOUND/);
    const noServer = await yagura(['alerts', 'rules', 'list']);
    assert.notEqual(noServer.code, 0);
    assert.match(noServer.stderr, /talks to a running server: give --url/);
  });

  test('alert verbs work against a server only: --data is not offered and is refused in one line', async () => {
    for (const verb of [['rules', 'list'], ['destinations', 'create'], ['deliveries', 'list'], ['deliveries', 'retry']]) {
      const help = await yagura(['alerts', ...verb, '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /--url/);
      assert.doesNotMatch(help.stdout, /--data/, `alerts ${verb.join(' ')} --help`);
    }
    const r = await yagura(['alerts', 'rules', 'list', '--data', path.join(dir, 'data')], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /^yagura: yagura alerts rules list works only against a running server, not a data folder: drop --data/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('tables carry no colour codes into a pipe, and a long delivery error is shown whole', async () => {
    const remedy = 'the signature does not match: set the secret of this webhook to the one configured under Integrations > Yagura, then retry the delivery';
    const refusing = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(400, { 'content-type': 'text/plain' }).end(remedy));
    }).listen(0, '127.0.0.1');
    await once(refusing, 'listening');
    try {
      const hook = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/hook`;
      const d = await yagura(['alerts', 'destinations', 'create', '--json', JSON.stringify({ type: 'webhook', name: 'strict', url: hook, secret: 'sixteen-characters!' })], env);
      assert.equal(d.code, 0, d.stderr);
      const destination = (JSON.parse(d.stdout) as { id: string }).id;
      const rule = { name: 'any high', minBand: 'High', trigger: { kind: 'new' }, routes: [{ destination }] };
      assert.equal((await yagura(['alerts', 'rules', 'create', '--json', JSON.stringify(rule)], env)).code, 0);
      const sent = await fetch(`${server.url}/api/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(findingDoc({ id: 'strict-1', severity: 8, updatedAt: new Date().toISOString() })),
      });
      assert.equal(sent.status, 200);
      // The dispatcher sends in the background; wait for the dead letter the 400 makes.
      let dead: Array<{ lastError?: string }> = [];
      for (let i = 0; i < 200 && dead.length === 0; i++) {
        const answer = (await (await fetch(`${server.url}/api/v1/deliveries?status=dead`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { deliveries: typeof dead };
        dead = answer.deliveries;
        if (dead.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(dead.length, 1, 'the delivery was refused and is a dead letter');

      const terminal = { ...env, TERM: 'xterm-256color' };
      for (const noun of ['rules', 'destinations', 'deliveries']) {
        const r = await yagura(['alerts', noun, 'list'], terminal);
        assert.equal(r.code, 0, r.stderr);
        assert.ok(!r.stdout.includes('\x1b['), `alerts ${noun} list wrote escape codes into a pipe: ${JSON.stringify(r.stdout.slice(0, 200))}`);
      }
      const table = await yagura(['alerts', 'deliveries', 'list', '--dead'], terminal);
      assert.ok(table.stdout.includes(`the receiver answered 400: ${remedy}`), table.stdout);
      const json = await yagura(['alerts', 'deliveries', 'list', '--dead', '--format', 'json'], env);
      assert.equal((JSON.parse(json.stdout) as Array<{ lastError: string }>)[0]!.lastError, `the receiver answered 400: ${remedy}`);
    } finally {
      refusing.closeAllConnections();
      refusing.close();
    }
  });
});

// The real `yagura` CLI as built (dist/, what `npm test` builds first): import an S3-export tree, serve it, search it.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { eventOf, findingDoc } from '../fixtures/findings.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = [path.join(ROOT, 'dist/cli/main.js')];
const KEY = 'e2e-bootstrap-key-0123456789abcdef';

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YAGURA_')));
  return { ...env, ...extra };
}

function yagura(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], { env: cleanEnv(env), cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('yagura CLI', () => {
  let dir: string;
  let data: string;
  let exportDir: string;
  let server: ChildProcessWithoutNullStreams | undefined;
  let url = '';

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-e2e-'));
    data = path.join(dir, 'data');
    exportDir = path.join(dir, 'export');
    const now = Date.now();
    for (const [account, region] of [['111111111111', 'us-east-1'], ['222222222222', 'eu-west-1']] as const) {
      const day = path.join(exportDir, 'AWSLogs', account, 'GuardDuty', region, '2026', '11', '20');
      await mkdir(day, { recursive: true });
      const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify(findingDoc({
        id: `${region}-${i}`,
        accountId: account,
        region,
        severity: i % 3 === 0 ? 8 : 3,
        type: i % 3 === 0 ? 'UnauthorizedAccess:EC2/SSHBruteForce' : 'Recon:EC2/PortProbeUnprotectedPort',
        updatedAt: new Date(now - i * 3_600_000).toISOString(),
      })));
      if (region === 'eu-west-1') lines.splice(5, 0, '{"this is": not json');
      await writeFile(path.join(day, '5e0b7c1a-0000-4000-8000-000000000001.jsonl.gz'), gzipSync(`${lines.join('\n')}\n`));
    }
  });

  after(async () => {
    server?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  test('every verb has --help', async () => {
    for (const verb of ['serve', 'import', 'search', 'keys create']) {
      const r = await yagura([...verb.split(' '), '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`Usage: yagura ${verb}`));
    }
  });

  test('refuses to serve plain HTTP on a reachable address without --insecure-http', async () => {
    const r = await yagura(['serve', '--data', path.join(dir, 'unused'), '--host', '0.0.0.0', '--port', '0']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^yagura: refusing to serve plain HTTP on 0\.0\.0\.0.*--insecure-http/);
  });

  test('says which options to use when it has no server and no data folder', async () => {
    const r = await yagura(['search', 'severity >= 7']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^yagura: no Yagura to talk to: give --url URL .* or --data DIR/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('imports an S3-export tree into a data folder, naming the bad line, and a second import adds nothing', async () => {
    const first = await yagura(['import', exportDir, '--data', data]);
    assert.equal(first.code, 2, first.stderr);
    assert.match(first.stdout, /^read 61, stored 60, updated 0, unchanged 0, ignored 0, rejected 1 from 2 files/m);
    assert.match(first.stderr, /eu-west-1\/2026\/11\/20\/5e0b7c1a-0000-4000-8000-000000000001\.jsonl\.gz:6: INVALID_JSON/);
    const again = await yagura(['import', exportDir, '--data', data]);
    assert.match(again.stdout, /read 61, stored 0, updated 0, unchanged 60, ignored 0, rejected 1/);
  });

  test('searches the data folder directly', async () => {
    const r = await yagura(['search', 'severity >= 7 and type:UnauthorizedAccess*', '--from', 'now-7d', '--data', data, '--format', 'ndjson', '--limit', '100']);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { finding: { severity: number } });
    assert.equal(rows.length, 20);
    assert.ok(rows.every((row) => row.finding.severity === 8));
  });

  test('a --data flag beats YAGURA_URL; a piped table shows every cell whole', async () => {
    const other = path.join(dir, 'other');
    const long = path.join(dir, 'long-title.json');
    const title = `A finding whose title runs on and on past eighty characters ${'and further '.repeat(8)}to its very end`;
    await writeFile(long, JSON.stringify(findingDoc({ id: 'long-title', severity: 2, title, updatedAt: new Date().toISOString() })));
    const unreachable = { YAGURA_URL: 'http://127.0.0.1:9', YAGURA_API_KEY: 'never-used-never-used' };
    const imported = await yagura(['import', long, '--data', other], unreachable);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^read 1, stored 1/);
    const table = await yagura(['search', 'id:long-title', '--data', other], unreachable);
    assert.equal(table.code, 0, table.stderr);
    assert.ok(table.stdout.includes(title), `the title is whole: ${table.stdout}`);
    assert.ok(!table.stdout.includes('…'));
  });

  test('refuses to choose between a server and a data folder: both flags, or both variables and no flag', async () => {
    const both = await yagura(['search', '', '--url', 'http://127.0.0.1:9', '--api-key', KEY, '--data', data]);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /^yagura: give either --url .* or --data .*, not both\n$/);
    const env = { YAGURA_URL: 'http://127.0.0.1:9', YAGURA_API_KEY: KEY, YAGURA_DATA: data };
    const ambiguous = await yagura(['import', exportDir], env);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /^yagura: both YAGURA_URL and YAGURA_DATA are set: unset one of them, or choose with --url URL or --data DIR\n$/);
    const chosen = await yagura(['search', 'severity >= 7', '--from', 'now-7d', '--data', data, '--format', 'json'], env);
    assert.equal(chosen.code, 0, chosen.stderr);
    assert.equal((JSON.parse(chosen.stdout) as { total: number }).total, 20);
  });

  test('serves on a free port and points CLI users to it while it holds the data folder', async () => {
    server = spawn(process.execPath, [...CLI, 'serve', '--data', data, '--port', '0'], { env: cleanEnv({ YAGURA_BOOTSTRAP_KEY: KEY, YAGURA_LOG_LEVEL: 'warn' }), cwd: ROOT });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server!.stdout.on('data', (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      server!.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(await (await fetch(`${url}/health`)).json(), { status: 'ok' });
    const busy = await yagura(['search', '', '--data', data]);
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, new RegExp(`held by a running server at ${url.replaceAll('.', '\\.')}; use --url`));
  });

  test('imports and searches through the running server', async () => {
    const extra = path.join(dir, 'extra.json');
    await writeFile(extra, JSON.stringify([eventOf(findingDoc({ id: 'via-http', severity: 9.5, type: 'AttackSequence:IAM/CompromisedCredentials' })), eventOf(findingDoc({ id: 'ct' }), 'AWS API Call via CloudTrail')]));
    const imported = await yagura(['import', extra, '--url', url, '--api-key', KEY]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /read 2, stored 1, updated 0, unchanged 0, ignored 1, rejected 0/);
    const r = await yagura(['search', 'band:Critical', '--format', 'json'], { YAGURA_URL: url, YAGURA_API_KEY: KEY });
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout) as { total: number; findings: Array<{ yagura: { id: string } }> };
    assert.equal(body.total, 1);
    assert.equal(body.findings[0]!.yagura.id, 'via-http');
    const table = await yagura(['search', 'severity >= 7', '--from', 'now-7d', '--url', url, '--api-key', KEY]);
    assert.match(table.stdout, /UnauthorizedAccess:EC2\/SSHBruteForce/);
    assert.match(table.stdout, /20 of 20 findings/);
    const flagged = await yagura(['search', 'band:Critical', '--url', url, '--format', 'json'], { YAGURA_DATA: path.join(dir, 'missing'), YAGURA_API_KEY: KEY });
    assert.equal(flagged.code, 0, flagged.stderr);
    assert.equal((JSON.parse(flagged.stdout) as { total: number }).total, 1, 'a --url flag beats YAGURA_DATA');
    const wrongKey = await yagura(['search', '', '--url', url, '--api-key', 'wrong-key-wrong-key']);
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /401: the API key is not valid/);
    const badQuery = await yagura(['search', 'severity >=', '--url', url, '--api-key', KEY]);
    assert.equal(badQuery.code, 1);
    assert.match(badQuery.stderr, /position/);
  });

  test('stops cleanly on SIGTERM and releases the data folder', async () => {
    const exited = new Promise<number | null>((resolve) => server!.on('exit', resolve));
    server!.kill('SIGTERM');
    assert.equal(await exited, 0);
    server = undefined;
    const r = await yagura(['search', 'id:via-http', '--data', data, '--format', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { total: number }).total, 1);
  });
});

/** A `yagura serve` child whose whole stdout is kept; resolves once it listens. */
async function serve(args: string[], env: Record<string, string> = {}): Promise<{ url: string; out: () => string; stop: () => Promise<string> }> {
  const child = spawn(process.execPath, [...CLI, 'serve', '--port', '0', ...args], { env: cleanEnv(env), cwd: ROOT });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
  return {
    url,
    out: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      return out;
    },
  };
}

describe('yagura serve on a data folder, again and again', () => {
  let dir: string;
  let data: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-e2e-serve-'));
    data = path.join(dir, 'data');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('--demo says what it loaded, with the real numbers', async () => {
    const server = await serve(['--demo', '--data', data]);
    const out = await server.stop();
    const m = /^loaded ([\d,]+) demo findings \(([\d,]+) versions\) over (\d+) days$/m.exec(out);
    assert.ok(m, out);
    const [findings, versions, days] = [m[1]!, m[2]!, m[3]!];
    assert.match(findings, /^\d{1,3}(,\d{3})+$/, 'thousands are separated');
    const r = await yagura(['search', '', '--data', data, '--format', 'json', '--limit', '1']);
    assert.equal((JSON.parse(r.stdout) as { total: number }).total, Number(findings.replaceAll(',', '')));
    assert.ok(Number(versions.replaceAll(',', '')) > Number(findings.replaceAll(',', '')), 'some demo findings have several versions');
    assert.ok(Number(days) >= 1 && Number(days) <= 31, days);
    const generated = /^Admin API key, shown only this once — store it now:\n {2}(\S+)$/m.exec(out);
    assert.match(generated?.[1] ?? out, /^yk_[\w-]{8}_[\w-]{43}$/, 'the generated administrator key has the yk_ form');
  });

  test('a second start says an administrator key exists, how to make another, and that YAGURA_BOOTSTRAP_KEY was not used', async () => {
    const server = await serve(['--demo', '--data', data], { YAGURA_BOOTSTRAP_KEY: KEY });
    const out = await server.stop();
    assert.match(out, /^YAGURA_BOOTSTRAP_KEY was not used: it only sets the first key of an empty data folder\.$/m);
    assert.match(out, /^An administrator API key already exists .* yagura keys create --data \S+$/m);
    assert.match(out, /^demo findings not loaded: the store already holds 1,240 findings$/m);
    assert.doesNotMatch(out, /yk_[\w-]{8}_[\w-]{43}|ygr_/, 'no key is printed');
  });

  test('keys create makes a key the server accepts, and refuses while a server holds the folder', async () => {
    const created = await yagura(['keys', 'create', '--data', data, '--name', 'recovered']);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    assert.match(key, /^yk_[\w-]{8}_[\w-]{43}$/);
    assert.match(created.stderr, /shown only this once/);
    const server = await serve(['--data', data]);
    try {
      const answer = await fetch(`${server.url}/api/v1/findings?size=1`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(answer.status, 200);
      const refused = await fetch(`${server.url}/api/v1/findings?size=1`, { headers: { authorization: `Bearer ${KEY}` } });
      assert.equal(refused.status, 401, 'the ignored bootstrap key was never stored');
      const busy = await yagura(['keys', 'create', '--data', data]);
      assert.equal(busy.code, 1);
      assert.match(busy.stderr, /^yagura: the data folder .* is held by a running server at http:\/\/127\.0\.0\.1:\d+; stop it, run yagura keys create again, then start it\n$/);
    } finally {
      await server.stop();
    }
    const nameless = await yagura(['keys', 'create', '--data', data, '--name', '']);
    assert.equal(nameless.code, 1);
    assert.equal(nameless.stderr.trim().split('\n').length, 1);
    const nowhere = await yagura(['keys', 'create', '--data', path.join(dir, 'nothing-here')]);
    assert.equal(nowhere.code, 1);
    assert.match(nowhere.stderr, /^yagura: there is no Yagura data folder at /);
  });

  test('at the default level requests are not logged one by one; piped, every log line is JSON', async () => {
    const requests = 7;
    const quiet = await serve(['--data', data]);
    for (let i = 0; i < requests; i++) await (await fetch(`${quiet.url}/health`)).text();
    const out = await quiet.stop();
    const logLines = out.split('\n').filter((l) => l.startsWith('{'));
    assert.ok(logLines.length > 0, out);
    const entries = logLines.map((l) => JSON.parse(l) as { msg?: string; req?: unknown });
    assert.deepEqual(entries.filter((e) => e.req !== undefined || /request/.test(e.msg ?? '')), [], 'no per-request lines');
    assert.ok(entries.some((e) => /^Server listening at/.test(e.msg ?? '')), 'the log is JSON lines');
    assert.doesNotMatch(out, /^\[\d\d:\d\d:\d\d\]/m, 'not the readable terminal format');

    const verbose = await serve(['--data', data], { YAGURA_LOG_LEVEL: 'debug' });
    for (let i = 0; i < requests; i++) await (await fetch(`${verbose.url}/health`)).text();
    const debug = (await verbose.stop()).split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; req?: { url?: string }; res?: { statusCode?: number } });
    const perRequest = debug.filter((e) => e.req !== undefined);
    assert.equal(perRequest.length, requests, 'at debug, exactly one line per request');
    assert.ok(perRequest.every((e) => e.msg === 'request completed' && e.req?.url === '/health' && e.res?.statusCode === 200));
  });
});

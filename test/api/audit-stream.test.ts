// Calls that skip Fastify's response hooks are recorded too: a live stream (the route takes over the socket) once
// the client leaves, on a real listening server.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { parseAuditQuery } from '../../src/audit/audit-query.js';
import { configSchema } from '../../src/config/schema.js';
import { startServer, type Server } from '../../src/main.js';

const KEY = 'audit-stream-bootstrap-key-0123456789';

describe('the audit log of a live stream', () => {
  let dir: string;
  let server: Server;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-audit-stream-'));
    server = await startServer(configSchema.parse({ dataDir: path.join(dir, 'data'), port: 0, bootstrapKey: KEY, logLevel: 'silent' }));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('records one allowed entry for a stream when its client disconnects', async () => {
    const abort = new AbortController();
    const res = await fetch(`${server.url}/api/v1/stream?q=severity%3E%3D7`, { headers: { 'x-api-key': KEY }, signal: abort.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    const query = parseAuditQuery('route:"/api/v1/stream"', Date.now());
    // The server learns of the disconnect asynchronously; wait for it without a deadline.
    let entries = (await server.embedded.backend.audit.search({ query, size: 10 })).entries;
    while (entries.length === 0) {
      await sleep(20);
      entries = (await server.embedded.backend.audit.search({ query, size: 10 })).entries;
    }
    await sleep(50);
    entries = (await server.embedded.backend.audit.search({ query, size: 10 })).entries;
    assert.equal(entries.length, 1);
    const e = entries[0]!;
    assert.deepEqual([e.decision, e.status, e.action, e.resource, e.resultSize], ['allowed', 200, 'yagura:StreamFindings', '*', null]);
    assert.equal(e.principal, 'arn:yagura:iam:::role/Administrator');
  });
});

// Alert POSTs to a real HTTP receiver on loopback, through a stand-in DNS server whose answers the test controls.
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { postJson } from './http-post.js';
import { standInDns as dns } from '../../../test/support/stand-in-dns.js';

const PUBLIC: LookupAddress = { address: '198.51.100.7', family: 4 };
const LOOPBACK: LookupAddress = { address: '127.0.0.1', family: 4 };
const closed = { allowPrivateNetworks: false };
const open = { allowPrivateNetworks: true };

describe('alert POSTs', () => {
  let server: Server;
  let port: number;
  const received: string[] = [];
  let status = 200;
  let silent = false;
  let stalls = false;

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (silent) return;
        if (stalls) {
          res.writeHead(200, { 'content-type': 'text/plain' }).write('half an answer');
          return;
        }
        received.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not taken');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  test('a name that resolves to a public address, then to loopback when connecting (DNS rebinding), is refused', async () => {
    const rebinding = dns(PUBLIC, LOOPBACK);
    const before = received.length;
    const result = await postJson(`http://rebind.test:${port}/hook`, '{"a":1}', {}, 2000, closed, rebinding);
    assert.equal(result.ok, false);
    assert.ok(!result.ok && result.permanent, 'refused for good, not retried');
    assert.match(!result.ok ? result.error : '', /rebind\.test resolves to 127\.0\.0\.1, a loopback or private address/);
    assert.equal(rebinding.asked, 2, 'checked before connecting and again by the connection');
    assert.equal(received.length, before, 'nothing reached the receiver');
  });

  test('a name that resolves to loopback reaches the receiver when private networks are allowed', async () => {
    const before = received.length;
    const result = await postJson(`http://rebind.test:${port}/hook`, '{"a":2}', {}, 2000, open, dns(LOOPBACK));
    assert.deepEqual(result, { ok: true, status: 200 });
    assert.deepEqual(received.slice(before), ['{"a":2}']);
  });

  test('a name that resolves to loopback at once is refused before any connection', async () => {
    const local = dns(LOOPBACK);
    const result = await postJson(`http://inside.test:${port}/hook`, '{}', {}, 2000, closed, local);
    assert.match(!result.ok ? result.error : '', /loopback or private address/);
    assert.equal(local.asked, 1);
  });

  test('answers: 4xx is permanent, 5xx is retried, silence and an answer that stops halfway time out', async () => {
    status = 400;
    const rejected = await postJson(`http://receiver.test:${port}/`, '{}', {}, 2000, open, dns(LOOPBACK));
    assert.deepEqual(rejected, { ok: false, error: 'the receiver answered 400: not taken', permanent: true });
    status = 503;
    const busy = await postJson(`http://receiver.test:${port}/`, '{}', {}, 2000, open, dns(LOOPBACK));
    assert.deepEqual(busy, { ok: false, error: 'the receiver answered 503: not taken', permanent: false });
    status = 200;
    silent = true;
    try {
      const slow = await postJson(`http://receiver.test:${port}/`, '{}', {}, 200, open, dns(LOOPBACK));
      assert.deepEqual(slow, { ok: false, error: 'cannot reach the receiver: no answer within 200 ms', permanent: false });
    } finally {
      silent = false;
    }
    stalls = true;
    try {
      const cut = await postJson(`http://receiver.test:${port}/`, '{}', {}, 200, open, dns(LOOPBACK));
      assert.deepEqual(cut, { ok: false, error: 'cannot reach the receiver: no answer within 200 ms', permanent: false });
    } finally {
      stalls = false;
    }
  });
});

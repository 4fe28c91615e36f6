// Alert POSTs to a real HTTP receiver on loopback, through a stand-in DNS server whose answers the test controls.
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { postJson } from './http-post.js';
import { failingDns, standInDns as dns } from '../../../test/support/stand-in-dns.js';

const PUBLIC: LookupAddress = { address: '198.51.100.7', family: 4 };
const LOOPBACK: LookupAddress = { address: '127.0.0.1', family: 4 };
const closed = { allowPrivateNetworks: false };
const open = { allowPrivateNetworks: true };

describe('alert POSTs', () => {
  let server: Server;
  let port: number;
  const received: string[] = [];
  /** A status to answer with, no answer at all, or headers and half a body and then nothing. */
  let answer: number | 'silent' | 'stalls' = 200;

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (answer === 'silent') return;
        if (answer === 'stalls') {
          res.writeHead(200, { 'content-type': 'text/plain' }).write('half an answer');
          return;
        }
        received.push(Buffer.concat(chunks).toString('utf8'));
        res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'not taken');
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

  test('a name is resolved once, by the connection: a DNS server that answers loopback second (DNS rebinding) is never asked again', async () => {
    const rebinding = dns(PUBLIC, LOOPBACK);
    const before = received.length;
    const result = await postJson(`http://rebind.test:${port}/hook`, '{"a":1}', {}, 500, closed, rebinding);
    // The public address was checked and connected to; here it refuses or never answers (the network decides).
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.error : '', /^cannot reach the receiver: /);
    assert.equal(rebinding.asked, 1);
    assert.equal(received.length, before, 'nothing reached the receiver on loopback');
  });

  test('a name that resolves to loopback is refused when connecting, for good', async () => {
    const local = dns(LOOPBACK);
    const before = received.length;
    const result = await postJson(`http://inside.test:${port}/hook`, '{}', {}, 2000, closed, local);
    assert.deepEqual(result, {
      ok: false,
      error: 'inside.test resolves to 127.0.0.1, a loopback or private address; set alerts.allowPrivateNetworks to send there',
      permanent: true,
    });
    assert.equal(local.asked, 1);
    assert.equal(received.length, before);
  });

  test('a name that does not resolve fails the send for now, to be retried', async () => {
    const result = await postJson(`http://gone.test:${port}/hook`, '{}', {}, 2000, closed, failingDns);
    assert.deepEqual(result, { ok: false, error: 'cannot reach the receiver: ENOTFOUND', permanent: false });
  });

  test('an address literal is checked without asking DNS', async () => {
    const unused = dns(PUBLIC);
    const result = await postJson(`http://127.0.0.1:${port}/hook`, '{}', {}, 2000, closed, unused);
    assert.match(!result.ok ? result.error : '', /^127\.0\.0\.1 resolves to 127\.0\.0\.1, a loopback or private address/);
    assert.equal(unused.asked, 0);
  });

  test('a name that resolves to loopback reaches the receiver when private networks are allowed', async () => {
    const before = received.length;
    const result = await postJson(`http://rebind.test:${port}/hook`, '{"a":2}', {}, 2000, open, dns(LOOPBACK));
    assert.deepEqual(result, { ok: true, status: 200 });
    assert.deepEqual(received.slice(before), ['{"a":2}']);
  });

  test('answers: 4xx is permanent, 5xx is retried, silence and an answer that stops halfway time out', async () => {
    answer = 400;
    const rejected = await postJson(`http://receiver.test:${port}/`, '{}', {}, 2000, open, dns(LOOPBACK));
    assert.deepEqual(rejected, { ok: false, error: 'the receiver answered 400: not taken', permanent: true });
    answer = 503;
    const busy = await postJson(`http://receiver.test:${port}/`, '{}', {}, 2000, open, dns(LOOPBACK));
    assert.deepEqual(busy, { ok: false, error: 'the receiver answered 503: not taken', permanent: false });
    try {
      for (const mode of ['silent', 'stalls'] as const) {
        answer = mode;
        const slow = await postJson(`http://receiver.test:${port}/`, '{}', {}, 200, open, dns(LOOPBACK));
        assert.deepEqual(slow, { ok: false, error: 'cannot reach the receiver: no answer within 200 ms', permanent: false }, mode);
      }
    } finally {
      answer = 200;
    }
  });
});

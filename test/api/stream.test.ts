// GET /api/v1/stream: live Server-Sent Events of stored findings that match the query.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { harness, type Harness } from '../support/harness.js';

describe('GET /api/v1/stream', () => {
  let h: Harness;
  let url = '';
  before(async () => {
    h = await harness();
    url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => h.close());

  const post = (docs: unknown[]) =>
    fetch(`${url}/api/v1/events`, { method: 'POST', headers: { ...h.auth, 'content-type': 'application/json' }, body: JSON.stringify(docs) });

  // The timeout only turns a stream that never delivers into a failure instead of a hang.
  test('delivers new and updated findings that match, and nothing else, as they are stored', { timeout: 30_000 }, async () => {
    const controller = new AbortController();
    const res = await fetch(`${url}/api/v1/stream?q=${encodeURIComponent('severity >= 7')}`, { headers: h.auth, signal: controller.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    const events: Array<{ outcome: string; yagura: { id: string } }> = [];
    let buffer = '';
    let firstArrived: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (firstArrived = resolve));
    const reading = (async () => {
      while (events.length < 2) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += new TextDecoder().decode(value);
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block);
          if (data) events.push(JSON.parse(data[1]!) as { outcome: string; yagura: { id: string } });
          if (events.length === 1) firstArrived();
        }
      }
    })();
    await post([eventOf(findingDoc({ id: 'low', severity: 2 })), eventOf(findingDoc({ id: 'high', severity: 8 }))]);
    // Live: the new finding's event arrives on its own, before anything else is posted.
    await first;
    await post([eventOf(findingDoc({ id: 'high', severity: 8 }))]); // redelivery: not an event
    await post([eventOf(findingDoc({ id: 'high', severity: 8.5, count: 3, updatedAt: '2026-11-21T00:00:00.000Z' }))]);
    await reading;
    controller.abort();
    assert.deepEqual(events.map((e) => [e.yagura.id, e.outcome]), [['high', 'created'], ['high', 'updated']]);
  });

  test('rejects an invalid query before streaming and needs a key', async () => {
    const bad = await fetch(`${url}/api/v1/stream?q=${encodeURIComponent('band:Severe')}`, { headers: h.auth });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'INVALID_QUERY');
    const anon = await fetch(`${url}/api/v1/stream`);
    assert.equal(anon.status, 401);
  });
});

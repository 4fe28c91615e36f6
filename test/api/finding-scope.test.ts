// A principal's finding scope on the paths besides search: ingest item by item, the live stream (which ends when
// the key is revoked or the policy changes), archiving, and cursors bound to the scope that issued them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { harness, type Harness } from '../support/harness.js';

const ONE_ACCOUNT = (account: string, action = 'yagura:*'): unknown => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: `arn:aws:guardduty:*:${account}:detector/*/finding/*` }],
});

describe('finding scopes', () => {
  let h: Harness;
  let url = '';
  const admin = async (method: 'POST' | 'PUT' | 'DELETE', path: string, payload?: unknown): Promise<Record<string, any>> => {
    const res = await h.app.inject({ method, url: path, headers: h.auth, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
    assert.ok(res.statusCode < 300, `${method} ${path}: ${res.body}`);
    return res.body === '' ? {} : (res.json() as Record<string, any>);
  };
  /** A key of a new role whose one policy is `document`. */
  const keyFor = async (name: string, document: unknown): Promise<{ headers: Record<string, string>; id: string }> => {
    await admin('POST', '/api/v1/policies', { name, document });
    await admin('POST', '/api/v1/roles', { name, policies: [name] });
    const created = await admin('POST', '/api/v1/keys', { name, role: name });
    return { headers: { 'x-api-key': created.key as string }, id: created.id as string };
  };

  before(async () => {
    h = await harness();
    url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => h.close());

  test('ingest stores the items the caller may ingest and rejects the others one by one, counting only its own', async () => {
    await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: h.auth, payload: [eventOf(findingDoc({ id: 'seen-b', accountId: '222222222222' }))] });
    const { headers } = await keyFor('ingest-a', ONE_ACCOUNT('111111111111', 'yagura:IngestFindings'));
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers,
      payload: [eventOf(findingDoc({ id: 'new-a', accountId: '111111111111' })), eventOf(findingDoc({ id: 'seen-b', accountId: '222222222222' }))],
    });
    assert.equal(res.statusCode, 200);
    const report = res.json();
    assert.deepEqual({ accepted: report.accepted, duplicates: report.duplicates, created: report.created }, { accepted: 1, duplicates: 0, created: 1 }, 'the known finding of the other account is not reported as a duplicate');
    assert.deepEqual(report.rejected.map((r: { index: number; code: string }) => [r.index, r.code]), [[1, 'ACCESS_DENIED']]);
    const all = await h.app.inject({ method: 'POST', url: '/api/v1/events', headers, payload: [eventOf(findingDoc({ id: 'other', accountId: '333333333333' }))] });
    assert.equal(all.statusCode, 400);
    assert.equal(all.json().error.code, 'ACCESS_DENIED');
    const stored = await h.app.inject({ method: 'GET', url: '/api/v1/findings?q=accountId:333333333333', headers: h.auth });
    assert.equal(stored.json().total, 0, 'nothing of a refused item is stored');
  });

  test('a cursor is bound to the scope that issued it', async () => {
    for (const id of ['c1', 'c2', 'c3']) await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: h.auth, payload: [eventOf(findingDoc({ id, accountId: '444444444444' }))] });
    const wide = await keyFor('cursor-wide', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:SearchFindings', Resource: '*' }] });
    const narrow = await keyFor('cursor-narrow', ONE_ACCOUNT('444444444444', 'yagura:SearchFindings'));
    const first = await h.app.inject({ method: 'GET', url: '/api/v1/findings?size=1', headers: wide.headers });
    const cursor = first.json().nextCursor as string;
    assert.ok(cursor);
    const replayed = await h.app.inject({ method: 'GET', url: `/api/v1/findings?size=1&cursor=${encodeURIComponent(cursor)}`, headers: narrow.headers });
    assert.equal(replayed.statusCode, 400);
    assert.equal(replayed.json().error.code, 'INVALID_CURSOR');
  });

  test('archiving a finding outside the scope answers 404 and changes nothing', async () => {
    const doc = findingDoc({ id: 'keep-open', accountId: '555555555555' });
    await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: h.auth, payload: [eventOf(doc)] });
    const { headers } = await keyFor('archiver', ONE_ACCOUNT('111111111111'));
    const res = await h.app.inject({ method: 'POST', url: `/api/v1/findings/555555555555/${String(doc.region)}/keep-open/archive`, headers });
    assert.equal(res.statusCode, 404);
    const found = await h.app.inject({ method: 'GET', url: `/api/v1/findings/555555555555/${String(doc.region)}/keep-open`, headers: h.auth });
    assert.equal(found.json().yagura.archived, false);
  });

  /** Reads Server-Sent Events until `until` is satisfied or the stream ends; returns the finding ids and whether it ended. */
  async function follow(headers: Record<string, string>, act: (ids: string[]) => Promise<boolean>): Promise<{ ids: string[]; ended: boolean }> {
    const res = await fetch(`${url}/api/v1/stream`, { headers });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const ids: string[] = [];
    let buffer = '';
    let ended = false;
    let acting = act(ids);
    for (;;) {
      const next = await Promise.race([reader.read().catch(() => ({ done: true as const, value: undefined })), acting.then((stop) => ({ stop }))]);
      if ('stop' in next) {
        if (next.stop) break;
        acting = new Promise(() => undefined);
        continue;
      }
      if (next.done) {
        ended = true;
        break;
      }
      buffer += new TextDecoder().decode(next.value);
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(block);
        if (data && /^event: finding$/m.test(block)) ids.push((JSON.parse(data[1]!) as { yagura: { id: string } }).yagura.id);
      }
    }
    await reader.cancel().catch(() => undefined);
    return { ids, ended };
  }

  const waitFor = async (check: () => boolean): Promise<void> => {
    while (!check()) await new Promise((r) => setTimeout(r, 20));
  };

  test('the stream carries only findings in the scope, and ends when the key is revoked', { timeout: 20_000 }, async () => {
    const { headers, id } = await keyFor('streamer', ONE_ACCOUNT('666666666666'));
    const { ids, ended } = await follow(headers, async (seen) => {
      await h.app.inject({ method: 'POST', url: '/api/v1/events', headers: h.auth, payload: [eventOf(findingDoc({ id: 'out-of-scope', accountId: '777777777777' })), eventOf(findingDoc({ id: 'in-scope', accountId: '666666666666' }))] });
      await waitFor(() => seen.includes('in-scope'));
      await admin('DELETE', `/api/v1/keys/${id}`);
      return false; // keep reading: the server must end the stream by itself
    });
    assert.deepEqual(ids, ['in-scope']);
    assert.equal(ended, true);
  });

  test('the stream ends when the policy behind it changes', { timeout: 20_000 }, async () => {
    const { headers } = await keyFor('narrowed', ONE_ACCOUNT('888888888888'));
    const { ended } = await follow(headers, async () => {
      await admin('PUT', '/api/v1/policies/narrowed', { document: ONE_ACCOUNT('999999999999') });
      return false;
    });
    assert.equal(ended, true);
  });
});

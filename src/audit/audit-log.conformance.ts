// The behaviour every AuditLog must show; each backend runs this suite unchanged against a real database.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { AuditEntry } from './audit-entry.js';
import type { AuditLog, AuditSearchRequest } from './audit-log.js';
import { parseAuditQuery } from './audit-query.js';

export interface AuditLogHandle {
  readonly audit: AuditLog;
  cleanup(): Promise<void>;
}

const T0 = Date.parse('2026-11-20T10:00:00Z');

function entry(overrides: Partial<AuditEntry>): AuditEntry {
  return {
    time: T0,
    requestId: 'req-1',
    principal: 'arn:yagura:iam:::user/alice',
    keyPrefix: 'yk_AbCdEfGh',
    sessionId: null,
    sourceIp: '198.51.100.7',
    method: 'GET',
    route: '/api/v1/findings',
    action: 'yagura:SearchFindings',
    resource: '*',
    decision: 'allowed',
    status: 200,
    errorCode: null,
    resultSize: 1234,
    items: 10,
    ...overrides,
  };
}

/** Five calls a minute apart, oldest first. */
const CALLS: readonly AuditEntry[] = [
  entry({ requestId: 'r1', time: T0 }),
  entry({ requestId: 'r2', time: T0 + 60_000, principal: 'arn:yagura:iam:::role/Reader', keyPrefix: 'yk_ZyXwVuTs', route: '/api/v1/users', action: 'yagura:ListUsers', resource: 'arn:yagura:iam:::user/*', decision: 'denied', status: 403, errorCode: 'ACCESS_DENIED', resultSize: 120, items: null }),
  entry({ requestId: 'r3', time: T0 + 120_000, principal: null, keyPrefix: null, decision: 'unauthenticated', status: 401, errorCode: 'UNAUTHENTICATED', action: 'yagura:SearchFindings', resource: null, resultSize: 90, items: null }),
  entry({ requestId: 'r4', time: T0 + 180_000, method: 'POST', route: '/api/v1/keys', action: 'yagura:CreateKey', resource: 'arn:yagura:iam:::key/*', status: 201, resultSize: 200, items: null, sessionId: 'abcdef0123456789', keyPrefix: null }),
  entry({ requestId: 'r5', time: T0 + 240_000, sourceIp: '203.0.113.9', status: 500, decision: 'error', errorCode: 'INTERNAL', resultSize: 99, items: null }),
];

export function describeAuditLog(name: string, open: () => Promise<AuditLogHandle>): void {
  describe(`AuditLog conformance: ${name}`, () => {
    let h: AuditLogHandle;
    beforeEach(async () => {
      h = await open();
      for (const c of CALLS) h.audit.record(c);
    });
    afterEach(async () => {
      await h.cleanup();
    });

    const ids = async (q: string, extra: Partial<AuditSearchRequest> = {}): Promise<string[]> =>
      (await h.audit.search({ query: parseAuditQuery(q, T0 + 300_000), size: 100, ...extra })).entries.map((e) => e.requestId);

    test('returns every field of what was recorded, newest first, without waiting for the batch timer', async () => {
      const page = await h.audit.search({ query: parseAuditQuery('', T0), size: 100 });
      assert.deepEqual(page.entries.map((e) => e.requestId), ['r5', 'r4', 'r3', 'r2', 'r1']);
      const { seq, ...r2 } = page.entries[3]!;
      assert.equal(typeof seq, 'number');
      assert.deepEqual(r2, CALLS[1]);
      assert.equal(page.next, undefined);
    });

    test('matches a field exactly, with a wildcard, or by existence', async () => {
      assert.deepEqual(await ids('decision:denied'), ['r2']);
      assert.deepEqual(await ids('principal:"arn:yagura:iam:::role/Reader"'), ['r2']);
      assert.deepEqual(await ids('principal:arn\\:yagura\\:iam\\:\\:\\:user/*'), ['r5', 'r4', 'r1']);
      assert.deepEqual(await ids('keyPrefix:yk_Zy*'), ['r2']);
      assert.deepEqual(await ids('sessionId:*'), ['r4']);
      assert.deepEqual(await ids('not principal:*'), ['r3']);
      assert.deepEqual(await ids('decision:Denied'), [], 'exact matches are case-sensitive');
    });

    test('compares numbers and times in ranges', async () => {
      assert.deepEqual(await ids('status >= 400'), ['r5', 'r3', 'r2']);
      assert.deepEqual(await ids('status:201'), ['r4']);
      assert.deepEqual(await ids('resultSize < 100'), ['r5', 'r3']);
      assert.deepEqual(await ids(`time >= "${new Date(T0 + 180_000).toISOString()}"`), ['r5', 'r4']);
      assert.deepEqual(await ids('items:*'), ['r1']);
    });

    test('combines with and, or, not and parentheses', async () => {
      assert.deepEqual(await ids('status >= 400 and not decision:error'), ['r3', 'r2']);
      assert.deepEqual(await ids('(decision:denied or decision:error) and sourceIp:203.0.113.9'), ['r5']);
      assert.deepEqual(await ids('not (status < 300)'), ['r5', 'r3', 'r2']);
    });

    test('finds bare words in the principal, action, resource, route and error code, without regard to case', async () => {
      assert.deepEqual(await ids('reader'), ['r2']);
      assert.deepEqual(await ids('CreateKey'), ['r4']);
      assert.deepEqual(await ids('access_denied'), ['r2']);
      assert.deepEqual(await ids('"api/v1/users"'), ['r2']);
      assert.deepEqual(await ids('ListU*s'), ['r2']);
      assert.deepEqual(await ids('100%'), [], 'a % typed is not a wildcard');
    });

    test('restricts to a time range, from inclusive and to exclusive', async () => {
      assert.deepEqual(await ids('', { from: T0 + 60_000, to: T0 + 180_000 }), ['r3', 'r2']);
    });

    test('pages newest first without overlap or gap, entries of the same millisecond included', async () => {
      for (const r of ['s1', 's2', 's3']) h.audit.record(entry({ requestId: r, time: T0 + 240_000 }));
      const seen: string[] = [];
      let after;
      for (let i = 0; i < 10; i++) {
        const page = await h.audit.search({ query: parseAuditQuery('', T0), size: 3, ...(after && { after }) });
        seen.push(...page.entries.map((e) => e.requestId));
        after = page.next;
        if (after === undefined) break;
      }
      assert.deepEqual(seen, ['s3', 's2', 's1', 'r5', 'r4', 'r3', 'r2', 'r1']);
    });

    test('keeps attacker-chosen text as data, not as query syntax', async () => {
      h.audit.record(entry({ requestId: "x'); DROP TABLE audit_log; --", route: '/api/v1/[a]*?' }));
      assert.deepEqual(await ids('requestId:"x\'); DROP TABLE audit_log; --"'), ["x'); DROP TABLE audit_log; --"]);
      assert.deepEqual(await ids('route:"/api/v1/[a]*"'), [], 'brackets and ? are literal in a wildcard value');
      assert.equal((await ids('')).length, 6);
    });
  });
}

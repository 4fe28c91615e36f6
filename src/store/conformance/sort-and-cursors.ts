// Conformance: search order (every sort field, ties broken by the finding's key in the same direction, text by
// code point), keyset cursors that page through every match exactly once, totals and their cap.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Finding, FindingKey } from '../../findings/finding.js';
import { parseQuery } from '../../query/parser.js';
import type { FindingStore, SearchPage, SearchRequest, Sort } from '../finding-store.js';
import { byCodePoint, doc, f, stored, T0 } from './fixtures.js';
import { storeTest, sharedStore, type StoreFactory } from './harness.js';

const DAY = 86_400_000;
const START = Date.parse('2026-11-01T00:00:00Z');
const RECEIVED = START + 40 * DAY;
const TYPES = ['UnauthorizedAccess:EC2/TorClient', 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'Recon:EC2/PortProbeUnprotectedPort', 'Trojan:EC2/DNSDataExfiltration'];

/** What the suite knows of each stored finding, to work out the order a store must answer in. */
interface Expected {
  readonly key: FindingKey;
  readonly updatedAt: number;
  readonly createdAt: number;
  readonly severity: number;
  readonly type: string;
  readonly count: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly ip: string;
}

/**
 * 1,500 findings on 60 distinct instants, in 7 accounts and 2 regions, so that every sort meets ties; one rare type
 * only in the oldest days; every fifth without createdAt (sorted as 0); stored in three batches received at
 * different times, and every tenth updated again later, so that firstSeen and lastSeen differ.
 */
function corpus(): { batches: Array<{ findings: Finding[]; receivedAt: number }>; expected: Expected[] } {
  const batches = [0, 1, 2].map((b) => ({ findings: [] as Finding[], receivedAt: RECEIVED + b * 1000 }));
  const updates = { findings: [] as Finding[], receivedAt: RECEIVED + 10_000 };
  const expected: Expected[] = [];
  for (let i = 0; i < 1_500; i++) {
    const rare = i % 150 === 0;
    const key = { accountId: `1111222233${String(i % 7).padStart(2, '0')}`, region: i % 3 === 0 ? 'eu-west-1' : 'us-east-1', id: `f${String(i).padStart(4, '0')}` };
    const spec = {
      ...key,
      type: rare ? 'Impact:S3/RareType' : TYPES[i % TYPES.length]!,
      severity: (i % 9) + 1,
      updatedAt: new Date(rare ? START + (i % 3) * DAY : START + (i % 60) * (DAY / 2)).toISOString(),
      ip: `203.0.113.${i % 11}`,
      count: (i % 4) + 1,
    };
    const version = (s: typeof spec): Finding => {
      const d = doc(s);
      if (i % 5 === 0) delete d['createdAt'];
      return stored(d);
    };
    batches[i % 3]!.findings.push(version(spec));
    let current = spec;
    if (i % 10 === 0) {
      current = { ...spec, updatedAt: new Date(Date.parse(spec.updatedAt) + 60_000).toISOString(), count: spec.count + 1 };
      updates.findings.push(version(current));
    }
    expected.push({
      key,
      updatedAt: Date.parse(current.updatedAt),
      createdAt: i % 5 === 0 ? 0 : Date.parse('2026-11-01T00:00:00.000Z'),
      severity: current.severity,
      type: current.type,
      count: current.count,
      firstSeen: batches[i % 3]!.receivedAt,
      lastSeen: i % 10 === 0 ? updates.receivedAt : batches[i % 3]!.receivedAt,
      ip: current.ip,
    });
  }
  return { batches: [...batches, updates], expected };
}

/** Every page of a search, as `account/region/id` keys in order, checking each page's total on the way. */
async function allPages(store: FindingStore, request: Omit<SearchRequest, 'after'>, total: number): Promise<string[]> {
  const keys: string[] = [];
  let next: SearchPage['next'];
  do {
    const page = await store.search({ ...request, ...(next && { after: next }) });
    assert.equal(page.total, total);
    assert.ok(page.findings.length <= request.size);
    keys.push(...page.findings.map((r) => `${r.key.accountId}/${r.key.region}/${r.key.id}`));
    next = page.next;
    assert.ok(keys.length <= 1_500, 'the pages repeat findings');
  } while (next !== undefined);
  return keys;
}

/** The order a sort promises: by the field, then by account, region and id, all in the sort's direction. */
function ordered(rows: readonly Expected[], sort: Sort): string[] {
  const value = (r: Expected): string | number => (sort.field === 'accountId' || sort.field === 'region' ? r.key[sort.field] : r[sort.field]);
  const compare = (a: string | number, b: string | number): number => (typeof a === 'string' ? byCodePoint(a, b as string) : a - (b as number));
  const sign = sort.order === 'desc' ? -1 : 1;
  return [...rows]
    .sort((a, b) => sign * (compare(value(a), value(b)) || byCodePoint(a.key.accountId, b.key.accountId) || byCodePoint(a.key.region, b.key.region) || byCodePoint(a.key.id, b.key.id)))
    .map((r) => `${r.key.accountId}/${r.key.region}/${r.key.id}`);
}

export function describeSortAndCursors(open: StoreFactory): void {
  describe('sort order and cursors', () => {
    const { batches, expected } = corpus();
    const store = sharedStore(open, async (s) => {
      for (const b of batches) await s.upsert(b.findings, b.receivedAt);
    });

    const cases: Array<[string, Pick<SearchRequest, 'query' | 'from' | 'to'>, (r: Expected) => boolean]> = [
      ['a broad prefix', { query: parseQuery('type:UnauthorizedAccess*') }, (r) => r.type.startsWith('UnauthorizedAccess')],
      ['everything in a time range', { query: parseQuery(''), from: START + 5 * DAY, to: START + 9 * DAY }, (r) => r.updatedAt >= START + 5 * DAY && r.updatedAt < START + 9 * DAY],
      ['a remote IP and a band', { query: parseQuery('remoteIp:203.0.113.4 and band >= Medium') }, (r) => r.ip === '203.0.113.4' && r.severity >= 4],
      ['free text or a negation', { query: parseQuery('portprobe* or not severity < 8') }, (r) => r.type.startsWith('Recon') || r.severity >= 8],
      ['a type met only at the oldest end', { query: parseQuery('type:"Impact:S3/RareType"') }, (r) => r.type === 'Impact:S3/RareType'],
      ['no match', { query: parseQuery('accountId:999999999999') }, () => false],
    ];
    for (const [name, request, predicate] of cases) {
      test(`${name}: pages through every match once, newest and oldest first`, async () => {
        const matches = expected.filter(predicate);
        for (const order of ['desc', 'asc'] as const) {
          const sort: Sort = { field: 'updatedAt', order };
          assert.deepEqual(await allPages(store(), { ...request, size: 7, sort }, matches.length), ordered(matches, sort), order);
        }
        if (name !== 'no match') assert.ok(matches.length > 0);
      });
    }

    const sorts: Sort[] = [
      { field: 'updatedAt', order: 'desc' },
      { field: 'createdAt', order: 'asc' },
      { field: 'severity', order: 'asc' },
      { field: 'severity', order: 'desc' },
      { field: 'type', order: 'desc' },
      { field: 'accountId', order: 'asc' },
      { field: 'region', order: 'desc' },
      { field: 'count', order: 'desc' },
      { field: 'firstSeen', order: 'asc' },
      { field: 'lastSeen', order: 'desc' },
    ];
    test('every sort field keeps its order across ties, broken by account, region and id in the same direction', async () => {
      for (const sort of sorts) {
        assert.deepEqual(await allPages(store(), { query: parseQuery(''), size: 113, sort }, expected.length), ordered(expected, sort), `${sort.field} ${sort.order}`);
      }
    });
  });

  storeTest(open, 'searches with KQL, a time range and a sort, and pages through every match exactly once', async (store) => {
    const batch: Finding[] = [];
    for (let i = 0; i < 57; i++) {
      batch.push(f({ id: `f${String(i).padStart(2, '0')}`, severity: (i % 10) + 0.5, updatedAt: new Date(Date.parse('2026-11-01T00:00:00Z') + (i % 7) * 3_600_000).toISOString() }));
    }
    await store.upsert(batch, T0);
    const query = parseQuery('severity >= 5');
    const seen: string[] = [];
    let after;
    let pages = 0;
    do {
      const page = await store.search({ query, size: 10, sort: { field: 'updatedAt', order: 'desc' }, ...(after && { after }) });
      assert.equal(page.total, 27);
      const times = page.findings.map((r) => Date.parse(r.doc.updatedAt as string));
      assert.deepEqual(times, [...times].sort((a, b) => b - a));
      seen.push(...page.findings.map((r) => r.key.id));
      after = page.next;
      pages++;
    } while (after);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, 27);
    const capped = await store.search({ query, size: 10, sort: { field: 'updatedAt', order: 'desc' }, trackTotalUpTo: 20 });
    assert.deepEqual([capped.total, capped.totalRelation, capped.findings.length], [20, 'gte', 10]);
    const exact = await store.search({ query, size: 10, sort: { field: 'updatedAt', order: 'desc' }, trackTotalUpTo: 27 });
    assert.deepEqual([exact.total, exact.totalRelation], [27, 'eq']);
    const ranged = await store.search({ query: parseQuery(''), from: Date.parse('2026-11-01T02:00:00Z'), to: Date.parse('2026-11-01T03:00:00Z'), size: 100, sort: { field: 'severity', order: 'asc' } });
    assert.ok(ranged.findings.every((r) => r.doc.updatedAt === '2026-11-01T02:00:00.000Z'));
    assert.equal(ranged.total, 8);
  });

  storeTest(open, 'a cursor continues after its position as the store is then, and the last page has no cursor', async (store) => {
    const hour = (h: number): string => new Date(Date.parse('2026-11-01T00:00:00Z') + h * 3_600_000).toISOString();
    await store.upsert(Array.from({ length: 10 }, (_, i) => f({ id: `c${i}`, updatedAt: hour(i) })), T0);
    const request = { query: parseQuery(''), size: 4, sort: { field: 'updatedAt' as const, order: 'desc' as const } };
    const first = await store.search(request);
    assert.deepEqual(first.findings.map((r) => r.key.id), ['c9', 'c8', 'c7', 'c6']);
    assert.ok(first.next);
    await store.upsert([
      f({ id: 'older', updatedAt: hour(3.5) }), // after the cursor: still to come
      f({ id: 'newest', updatedAt: hour(20) }), // before it: not on a later page
      f({ id: 'c2', updatedAt: hour(21), count: 2 }), // moved before it by a newer version
    ], T0 + 1);
    const second = await store.search({ ...request, after: first.next });
    assert.deepEqual(second.findings.map((r) => r.key.id), ['c5', 'c4', 'older', 'c3']);
    const third = await store.search({ ...request, after: second.next! });
    assert.deepEqual(third.findings.map((r) => r.key.id), ['c1', 'c0']);
    assert.equal(third.next, undefined);
    const full = await store.search({ ...request, size: 12 });
    assert.equal(full.findings.length, 12);
    assert.equal(full.next, undefined, 'no cursor when the page ends exactly at the last match');
  });
}

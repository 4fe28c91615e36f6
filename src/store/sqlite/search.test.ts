// The newest-first walk answers exactly what the planner's plan answers, page after page, or gives way to it.
// The order and paging a search promises are the conformance suite's (src/store/conformance/sort-and-cursors.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type Database from 'better-sqlite3';
import { parseQuery } from '../../query/parser.js';
import type { SearchPage, SearchRequest } from '../finding-store.js';
import { finding } from '../../../test/fixtures/findings.js';
import { search } from './search.js';
import { openDatabase } from './sqlite-store.js';
import { buildUpsert } from './upsert.js';

const DAY = 86_400_000;
const START = Date.parse('2026-11-01T00:00:00Z');
const TYPES = ['UnauthorizedAccess:EC2/TorClient', 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'Recon:EC2/PortProbeUnprotectedPort', 'Trojan:EC2/DNSDataExfiltration'];

/** Every page of a search, as `account/region/id` keys in order; `walkRows` 0 never walks. */
function allPages(db: Database.Database, request: Omit<SearchRequest, 'after'>, walkRows?: number): string[] {
  const keys: string[] = [];
  let next: SearchPage['next'];
  do {
    const page = search(db, { ...request, ...(next && { after: next }) }, {}, walkRows);
    keys.push(...page.findings.map((f) => `${f.key.accountId}/${f.key.region}/${f.key.id}`));
    next = page.next;
    assert.ok(keys.length <= 1_500, 'the pages repeat findings');
  } while (next !== undefined);
  return keys;
}

describe('search: the newest-first walk', () => {
  let db: Database.Database;
  before(() => {
    db = openDatabase(':memory:');
    const upsert = buildUpsert(db);
    // 1,500 findings on 60 distinct instants, so that ties on updatedAt are broken by the key; one rare type
    // only in the oldest days, so that a walk from the newest end meets it late.
    const docs = [];
    for (let i = 0; i < 1_500; i++) {
      const rare = i % 150 === 0;
      docs.push(finding({
        id: `f${String(i).padStart(4, '0')}`,
        accountId: `1111222233${String(i % 7).padStart(2, '0')}`,
        region: i % 3 === 0 ? 'eu-west-1' : 'us-east-1',
        type: rare ? 'Impact:S3/RareType' : TYPES[i % TYPES.length]!,
        severity: (i % 9) + 1,
        updatedAt: new Date(rare ? START + (i % 3) * DAY : START + (i % 60) * (DAY / 2)).toISOString(),
        ip: `203.0.113.${i % 11}`,
      }));
    }
    upsert(docs, START + 40 * DAY);
  });
  after(() => db.close());

  const cases: Array<[string, Omit<SearchRequest, 'after'>]> = [
    ['a broad prefix, newest first', { query: parseQuery('type:UnauthorizedAccess*'), size: 7, sort: { field: 'updatedAt', order: 'desc' } }],
    ['a broad prefix, oldest first', { query: parseQuery('type:UnauthorizedAccess*'), size: 7, sort: { field: 'updatedAt', order: 'asc' } }],
    ['everything in a time range', { query: parseQuery(''), from: START + 5 * DAY, to: START + 9 * DAY, size: 50, sort: { field: 'updatedAt', order: 'desc' } }],
    ['a remote IP and a band', { query: parseQuery('remoteIp:203.0.113.4 and band >= Medium'), size: 10, sort: { field: 'updatedAt', order: 'desc' } }],
    ['free text or a negation', { query: parseQuery('tor or not severity < 8'), size: 25, sort: { field: 'updatedAt', order: 'desc' } }],
    ['a type met only at the oldest end', { query: parseQuery('type:"Impact:S3/RareType"'), size: 3, sort: { field: 'updatedAt', order: 'desc' } }],
    ['no match', { query: parseQuery('accountId:999999999999'), size: 10, sort: { field: 'updatedAt', order: 'desc' } }],
  ];
  for (const [name, request] of cases) {
    test(`${name}: the same pages with or without the walk, and with a walk cut short`, () => {
      const planned = allPages(db, request, 0);
      assert.deepEqual(allPages(db, request), planned);
      assert.deepEqual(allPages(db, request, 40), planned);
      if (name !== 'no match') assert.ok(planned.length > 0);
    });
  }

  test('the walk answers a broad query, is not tried for rare matches, and gives way at its budget', () => {
    const traced = openDatabase(':memory:');
    const statements: string[] = [];
    const prepare = traced.prepare.bind(traced);
    traced.prepare = ((sql: string) => {
      statements.push(sql);
      return prepare(sql);
    }) as typeof traced.prepare;
    try {
      // The 10 oldest findings have a rare type, the next 200 an old one, the newest 190 the usual four.
      const typeOf = (i: number): string => (i < 10 ? 'Impact:S3/RareType' : i < 210 ? 'Backdoor:EC2/OldType' : TYPES[i % TYPES.length]!);
      buildUpsert(traced)(Array.from({ length: 400 }, (_, i) => finding({ id: `g${i}`, type: typeOf(i), updatedAt: new Date(START + i * 60_000).toISOString() })), START);
      const run = (q: string, walkRows?: number): { ids: string[]; walked: boolean; planned: boolean } => {
        statements.length = 0;
        const page = search(traced, { query: parseQuery(q), size: 5, sort: { field: 'updatedAt', order: 'desc' } }, {}, walkRows);
        return { ids: page.findings.map((f) => f.key.id), walked: statements.some((s) => s.includes('CASE WHEN')), planned: statements.some((s) => s.includes('AS rid')) };
      };
      assert.deepEqual(run('type:UnauthorizedAccess*'), { ids: ['g397', 'g396', 'g393', 'g392', 'g389'], walked: true, planned: false });
      // 10 matches in 400 rows: a page would take ~240 rows, more than half of a 100-row budget.
      assert.deepEqual(run('type:"Impact:S3/RareType"', 100), { ids: ['g9', 'g8', 'g7', 'g6', 'g5'], walked: false, planned: true });
      // 200 matches promise a page within ~12 rows, but they are the older half: the walk stops after 100 rows.
      assert.deepEqual(run('type:"Backdoor:EC2/OldType"', 100), { ids: ['g209', 'g208', 'g207', 'g206', 'g205'], walked: true, planned: true });
    } finally {
      traced.close();
    }
  });
});

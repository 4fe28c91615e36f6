// Conformance: aggregation results to the digit — bucket order (count, then key by code point or by number,
// bands by rank), remote parties counted once per finding, empty buckets, sums rounded once from the exact sum.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Finding } from '../../findings/finding.js';
import { normalizeFinding } from '../../findings/normalize.js';
import { bindQuery } from '../../query/bind.js';
import { parseQuery } from '../../query/parser.js';
import { andScope, oneOf } from '../../query/scope.js';
import type { AggregationRequest } from '../aggregation.js';
import { f, stored, T0 } from './fixtures.js';
import { storeTest, sharedStore, type StoreFactory } from './harness.js';

interface Party {
  readonly ip: string;
  readonly country?: string;
  readonly org?: string;
}

interface Spec {
  readonly id: string;
  readonly accountId: string;
  readonly region: string;
  readonly type: string;
  readonly severity: number;
  readonly updatedAt: string;
  readonly parties?: readonly Party[];
  readonly resource?: Record<string, unknown>;
  readonly archived?: boolean;
}

function finding(s: Spec): Finding {
  const details = (p: Party): Record<string, unknown> => ({
    ipAddressV4: p.ip,
    ...(p.country !== undefined && { country: { countryName: p.country } }),
    ...(p.org !== undefined && { organization: { asnOrg: p.org } }),
  });
  const action = s.parties === undefined
    ? undefined
    : { actionType: 'PORT_PROBE', portProbeAction: { portProbeDetails: s.parties.map((p) => ({ localPortDetails: { port: 22 }, remoteIpDetails: details(p) })) } };
  return stored({
    schemaVersion: '2.0', accountId: s.accountId, region: s.region, id: s.id, type: s.type, severity: s.severity,
    createdAt: '2026-11-01T00:00:00Z', updatedAt: s.updatedAt,
    ...(s.resource !== undefined && { resource: s.resource }),
    service: { count: 1, archived: s.archived ?? false, ...(action !== undefined && { action }) },
  });
}

const A = '111111111111';
const B = '222222222222';
const C = '333333333333';
const NL = { ip: '198.51.100.1', country: 'Netherlands', org: 'Org A' };
const DE = { ip: '203.0.113.5', country: 'Germany' };
const instance = (id: string): Record<string, unknown> => ({ resourceType: 'Instance', instanceDetails: { instanceId: id } });
const EMOJI = '\u{1F600}Odd';
const FULLWIDTH = '\uFF21Odd';

/**
 * Six findings whose severities sum to 21.2 exactly rounded (21.200000000000003 added one by one, in any order),
 * with text keys that sort apart by code point and by UTF-16 (U+FF21 before U+1F600), ties in every terms
 * aggregation, a finding with two remote parties, one on an hour boundary, and one whose older version differs.
 */
const CORPUS: readonly Spec[] = [
  { id: 'g1', accountId: A, region: 'us-east-1', type: 'Recon:EC2/Portscan', severity: 0.1, updatedAt: '2026-11-20T00:10:00Z', parties: [NL], resource: instance('i-1') },
  { id: 'g2', accountId: A, region: 'us-east-1', type: 'Recon:EC2/Portscan', severity: 0.2, updatedAt: '2026-11-20T00:50:00Z', parties: [NL, DE], resource: instance('i-1') },
  { id: 'g3', accountId: B, region: 'eu-west-1', type: 'Recon:EC2/Portscan', severity: 0.3, updatedAt: '2026-11-20T02:30:00Z', parties: [DE], resource: instance('i-2'), archived: true },
  { id: 'g4', accountId: B, region: 'eu-west-1', type: EMOJI, severity: 4.2, updatedAt: '2026-11-20T03:00:00Z', resource: { resourceType: 'S3Bucket', s3BucketDetails: [{ name: 'logs' }] } },
  { id: 'g5', accountId: A, region: 'eu-west-1', type: FULLWIDTH, severity: 7.1, updatedAt: '2026-11-19T23:59:59.999Z', parties: [{ ip: '192.0.2.1', org: 'Org B' }], resource: { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: 'AKIA1' } } },
  { id: 'g6', accountId: C, region: 'us-east-1', type: 'Zed', severity: 9.3, updatedAt: '2026-11-18T12:00:00Z' },
];
const OLD_G6: Spec = { id: 'g6', accountId: C, region: 'us-east-1', type: 'Zed:Old', severity: 1, updatedAt: '2026-11-17T00:00:00Z', parties: [{ ip: '10.0.0.1' }] };

const H = (iso: string): number => Date.parse(iso);
const EMPTY_STATS = { count: 0, min: null, max: null, avg: null, sum: 0 };

export function describeAggregations(open: StoreFactory): void {
  describe('aggregations to the digit', () => {
    const store = sharedStore(open, async (s) => {
      await s.upsert([finding(OLD_G6)], T0);
      await s.upsert(CORPUS.map(finding), T0 + 1);
    });
    const all = parseQuery('');

    test('terms order buckets by count, then by key: text by code point, numbers by value, bands by rank', async () => {
      const result = await store().aggregate({
        query: all,
        aggs: {
          types: { terms: { field: 'type' } },
          top2: { terms: { field: 'type', size: 2 } },
          bands: { terms: { field: 'band' } },
          severities: { terms: { field: 'severity', size: 20 } },
          accounts: { terms: { field: 'accountId' } },
          regions: { terms: { field: 'region' } },
          archived: { terms: { field: 'archived' } },
          resources: { terms: { field: 'resourceId' } },
          resourceTypes: { terms: { field: 'resource.resourceType' } },
        },
      });
      assert.deepEqual(result, {
        total: 6,
        aggregations: {
          types: { buckets: [{ key: 'Recon:EC2/Portscan', doc_count: 3 }, { key: 'Zed', doc_count: 1 }, { key: FULLWIDTH, doc_count: 1 }, { key: EMOJI, doc_count: 1 }], sum_other_doc_count: 0 },
          top2: { buckets: [{ key: 'Recon:EC2/Portscan', doc_count: 3 }, { key: 'Zed', doc_count: 1 }], sum_other_doc_count: 2 },
          bands: { buckets: [{ key: 'Low', doc_count: 3 }, { key: 'Medium', doc_count: 1 }, { key: 'High', doc_count: 1 }, { key: 'Critical', doc_count: 1 }], sum_other_doc_count: 0 },
          severities: { buckets: [0.1, 0.2, 0.3, 4.2, 7.1, 9.3].map((key) => ({ key, doc_count: 1 })), sum_other_doc_count: 0 },
          accounts: { buckets: [{ key: A, doc_count: 3 }, { key: B, doc_count: 2 }, { key: C, doc_count: 1 }], sum_other_doc_count: 0 },
          regions: { buckets: [{ key: 'eu-west-1', doc_count: 3 }, { key: 'us-east-1', doc_count: 3 }], sum_other_doc_count: 0 },
          archived: { buckets: [{ key: 'false', doc_count: 5 }, { key: 'true', doc_count: 1 }], sum_other_doc_count: 0 },
          resources: { buckets: [{ key: 'i-1', doc_count: 2 }, { key: 'AKIA1', doc_count: 1 }, { key: 'i-2', doc_count: 1 }, { key: 'logs', doc_count: 1 }], sum_other_doc_count: 0 },
          resourceTypes: { buckets: [{ key: 'Instance', doc_count: 3 }, { key: 'AccessKey', doc_count: 1 }, { key: 'S3Bucket', doc_count: 1 }], sum_other_doc_count: 0 },
        },
      });
    });

    test('remote parties count a finding once per party value, and a sub-aggregation sees all of its bucket’s findings’ parties', async () => {
      const result = await store().aggregate({
        query: all,
        aggs: {
          ips: { terms: { field: 'remoteIp' }, aggs: { country: { terms: { field: 'remoteCountry', size: 1 } } } },
          firstIp: { terms: { field: 'remoteIp', size: 1 } },
          countries: { terms: { field: 'remoteCountry' } },
          orgs: { terms: { field: 'remoteOrg' } },
        },
      });
      assert.deepEqual(result, {
        total: 6,
        aggregations: {
          ips: {
            buckets: [
              { key: '198.51.100.1', doc_count: 2, country: { buckets: [{ key: 'Netherlands', doc_count: 2 }], sum_other_doc_count: 1 } },
              { key: '203.0.113.5', doc_count: 2, country: { buckets: [{ key: 'Germany', doc_count: 2 }], sum_other_doc_count: 1 } },
              { key: '192.0.2.1', doc_count: 1, country: { buckets: [], sum_other_doc_count: 0 } },
            ],
            sum_other_doc_count: 0,
          },
          firstIp: { buckets: [{ key: '198.51.100.1', doc_count: 2 }], sum_other_doc_count: 3 },
          countries: { buckets: [{ key: 'Germany', doc_count: 2 }, { key: 'Netherlands', doc_count: 2 }], sum_other_doc_count: 0 },
          orgs: { buckets: [{ key: 'Org A', doc_count: 2 }, { key: 'Org B', doc_count: 1 }], sum_other_doc_count: 0 },
        },
      });
    });

    test('stats sum exactly and round once, whatever order the rows are read in; integers sum exactly', async () => {
      const result = await store().aggregate({
        query: all,
        aggs: { sev: { stats: { field: 'severity' } }, updated: { stats: { field: 'updatedAt' } }, band: { stats: { field: 'band' } }, count: { stats: { field: 'count' } } },
      });
      assert.deepEqual(result, {
        total: 6,
        aggregations: {
          // One by one, 0.1 + 0.2 + 0.3 + 4.2 + 7.1 + 9.3 is 21.200000000000003.
          sev: { count: 6, min: 0.1, max: 9.3, avg: 3.533333333333333, sum: 21.2 },
          updated: { count: 6, min: H('2026-11-18T12:00:00Z'), max: H('2026-11-20T03:00:00Z'), avg: 1795115099999.8333, sum: 10770690599999 },
          band: { count: 6, min: 1, max: 4, avg: 2, sum: 12 },
          count: { count: 6, min: 1, max: 1, avg: 1, sum: 6 },
        },
      });
    });

    test('date histograms fill the window with empty buckets, each with empty sub-aggregations', async () => {
      const request: AggregationRequest = {
        query: all,
        from: H('2026-11-20T00:00:00Z'),
        to: H('2026-11-20T04:00:00Z'),
        aggs: {
          hourly: { date_histogram: { field: 'updatedAt', interval: '1h' }, aggs: { sev: { stats: { field: 'severity' } }, types: { terms: { field: 'type', size: 1 } } } },
          sev: { stats: { field: 'severity' } },
          ips: { terms: { field: 'remoteIp' } },
        },
      };
      const hour = (h: number): { key: number; key_as_string: string } => {
        const key = H('2026-11-20T00:00:00Z') + h * 3_600_000;
        return { key, key_as_string: new Date(key).toISOString() };
      };
      const recon = (n: number, other = 0): unknown => ({ buckets: [{ key: 'Recon:EC2/Portscan', doc_count: n }], sum_other_doc_count: other });
      assert.deepEqual(await store().aggregate(request), {
        total: 4,
        aggregations: {
          hourly: {
            buckets: [
              { ...hour(0), doc_count: 2, sev: { count: 2, min: 0.1, max: 0.2, avg: 0.15000000000000002, sum: 0.30000000000000004 }, types: recon(2) },
              { ...hour(1), doc_count: 0, sev: EMPTY_STATS, types: { buckets: [] } },
              { ...hour(2), doc_count: 1, sev: { count: 1, min: 0.3, max: 0.3, avg: 0.3, sum: 0.3 }, types: recon(1) },
              { ...hour(3), doc_count: 1, sev: { count: 1, min: 4.2, max: 4.2, avg: 4.2, sum: 4.2 }, types: { buckets: [{ key: EMOJI, doc_count: 1 }], sum_other_doc_count: 0 } },
            ],
          },
          // One by one, 0.1 + 0.2 + 0.3 + 4.2 is 4.800000000000001.
          sev: { count: 4, min: 0.1, max: 4.2, avg: 1.2, sum: 4.8 },
          ips: { buckets: [{ key: '198.51.100.1', doc_count: 2 }, { key: '203.0.113.5', doc_count: 2 }], sum_other_doc_count: 0 },
        },
      });
      const daily = await store().aggregate({ query: all, aggs: { daily: { date_histogram: { field: 'updatedAt', interval: '1d' } } } });
      assert.deepEqual(daily.aggregations['daily'], {
        buckets: [
          { key: H('2026-11-18T00:00:00Z'), key_as_string: '2026-11-18T00:00:00.000Z', doc_count: 1 },
          { key: H('2026-11-19T00:00:00Z'), key_as_string: '2026-11-19T00:00:00.000Z', doc_count: 1 },
          { key: H('2026-11-20T00:00:00Z'), key_as_string: '2026-11-20T00:00:00.000Z', doc_count: 4 },
        ],
      }, 'without a window, from the first bucket with a finding to the last');
    });

    test('ranges include their start and exclude their end, and are named by their bounds unless given a key', async () => {
      const result = await store().aggregate({
        query: all,
        aggs: { levels: { range: { field: 'severity', ranges: [{ to: 0.3 }, { from: 0.3, to: 7.1, key: 'mid' }, { from: 7.1 }, {}] }, aggs: { t: { terms: { field: 'type', size: 1 } } } } },
      });
      assert.deepEqual(result.aggregations['levels'], {
        buckets: [
          { key: '*-0.3', to: 0.3, doc_count: 2, t: { buckets: [{ key: 'Recon:EC2/Portscan', doc_count: 2 }], sum_other_doc_count: 0 } },
          { key: 'mid', from: 0.3, to: 7.1, doc_count: 2, t: { buckets: [{ key: 'Recon:EC2/Portscan', doc_count: 1 }], sum_other_doc_count: 1 } },
          { key: '7.1-*', from: 7.1, doc_count: 2, t: { buckets: [{ key: 'Zed', doc_count: 1 }], sum_other_doc_count: 1 } },
          { key: '*-*', doc_count: 6, t: { buckets: [{ key: 'Recon:EC2/Portscan', doc_count: 3 }], sum_other_doc_count: 3 } },
        ],
      });
    });

    test('a query, a scope of accounts and an empty selection restrict every aggregation', async () => {
      const scoped = andScope(bindQuery(parseQuery('band:Low or band:High')), oneOf('accountId', [A]));
      assert.deepEqual(await store().aggregate({ query: scoped, aggs: { types: { terms: { field: 'type' } }, sev: { stats: { field: 'severity' } } } }), {
        total: 3,
        aggregations: {
          types: { buckets: [{ key: 'Recon:EC2/Portscan', doc_count: 2 }, { key: FULLWIDTH, doc_count: 1 }], sum_other_doc_count: 0 },
          sev: { count: 3, min: 0.1, max: 7.1, avg: 2.4666666666666663, sum: 7.3999999999999995 },
        },
      });
      const nothing = await store().aggregate({
        query: parseQuery('accountId:999999999999'),
        aggs: {
          types: { terms: { field: 'type' } },
          sev: { stats: { field: 'severity' } },
          daily: { date_histogram: { field: 'updatedAt', interval: '1d' } },
          levels: { range: { field: 'severity', ranges: [{ to: 5 }, { from: 5 }] } },
        },
      });
      assert.deepEqual(nothing, {
        total: 0,
        aggregations: {
          types: { buckets: [], sum_other_doc_count: 0 },
          sev: EMPTY_STATS,
          daily: { buckets: [] },
          levels: { buckets: [{ key: '*-5', to: 5, doc_count: 0 }, { key: '5-*', from: 5, doc_count: 0 }] },
        },
      });
      const none = await store().aggregate({ query: andScope(bindQuery(all), oneOf('accountId', [])), aggs: { b: { terms: { field: 'band' } } } });
      assert.deepEqual(none, { total: 0, aggregations: { b: { buckets: [], sum_other_doc_count: 0 } } }, 'an empty scope selects nothing');
    });

    test('refuses what it cannot compute with INVALID_AGGREGATION', async () => {
      const refused: AggregationRequest['aggs'][] = [
        {},
        { t: { terms: { field: 'type', size: 0 } } },
        { t: { terms: { field: 'type', size: 1001 } } },
        { t: { terms: { field: 'id' } } },
        { t: { terms: { field: 'service.action.actionType.nope' } } },
        { t: { terms: { field: 'updatedAt' } } },
        { h: { date_histogram: { field: 'updatedAt', interval: '1x' } } },
        { h: { date_histogram: { field: 'type', interval: '1h' } } },
        { h: { date_histogram: { field: 'updatedAt', interval: '1s' } } },
        { s: { stats: { field: 'type' } } },
        { r: { range: { field: 'region', ranges: [{ to: 1 }] } } },
        { r: { range: { field: 'severity', ranges: [] } } },
        { t: { terms: { field: 'type' }, aggs: { u: { terms: { field: 'region' }, aggs: { v: { terms: { field: 'band' } } } } } } },
      ];
      for (const aggs of refused) {
        await assert.rejects(store().aggregate({ query: all, aggs }), (error: unknown) => (error as { code?: string }).code === 'INVALID_AGGREGATION', JSON.stringify(aggs));
      }
    });
  });

  storeTest(open, 'aggregates terms, date histograms, stats and ranges, nested one level', async (store) => {
    await store.upsert([
      f({ id: 'x1', type: 'A', severity: 2, ip: '198.51.100.1' }),
      f({ id: 'x2', type: 'A', severity: 8, ip: '198.51.100.1', updatedAt: '2026-11-01T05:00:00.000Z' }),
      f({ id: 'x3', type: 'B', severity: 9.5, ip: '203.0.113.9', updatedAt: '2026-11-01T05:30:00.000Z' }),
    ], T0);
    const result = await store.aggregate({
      query: parseQuery(''),
      from: Date.parse('2026-11-01T00:00:00Z'),
      to: Date.parse('2026-11-01T06:00:00Z'),
      aggs: {
        types: { terms: { field: 'type' }, aggs: { bands: { terms: { field: 'band' } } } },
        hourly: { date_histogram: { field: 'updatedAt', interval: '1h' } },
        sev: { stats: { field: 'severity' } },
        ips: { terms: { field: 'remoteIp', size: 1 } },
        levels: { range: { field: 'severity', ranges: [{ to: 7, key: 'low' }, { from: 7 }] } },
      },
    });
    assert.equal(result.total, 3);
    const types = result.aggregations.types as unknown as { buckets: Array<{ key: string; doc_count: number; bands: { buckets: Array<{ key: string }> } }> };
    assert.deepEqual(types.buckets.map((b) => [b.key, b.doc_count]), [['A', 2], ['B', 1]]);
    assert.deepEqual(types.buckets[0]!.bands.buckets.map((b) => b.key).sort(), ['High', 'Low']);
    const hourly = result.aggregations.hourly as unknown as { buckets: Array<{ doc_count: number }> };
    assert.deepEqual(hourly.buckets.map((b) => b.doc_count), [1, 0, 0, 0, 0, 2]);
    assert.deepEqual(result.aggregations.sev, { count: 3, min: 2, max: 9.5, avg: 6.5, sum: 19.5 });
    assert.deepEqual(result.aggregations.ips, { buckets: [{ key: '198.51.100.1', doc_count: 2 }], sum_other_doc_count: 1 });
    const levels = result.aggregations.levels as unknown as { buckets: Array<{ key: string; doc_count: number }> };
    assert.deepEqual(levels.buckets.map((b) => [b.key, b.doc_count]), [['low', 1], ['7-*', 2]]);
  });
  storeTest(open, 'aggregations over remote parties follow each finding to its latest version and band', async (store) => {
    await store.upsert([f({ id: 'r1', ip: '198.51.100.9', severity: 2 })], T0);
    // Same remote party, later time, higher band: only the time and band change.
    await store.upsert([f({ id: 'r1', ip: '198.51.100.9', severity: 8, count: 5, updatedAt: '2026-11-10T00:00:00.000Z' })], T0 + 1);
    const inWindow = (from: string, to: string): Promise<unknown> => store
      .aggregate({ query: parseQuery('band:High'), from: Date.parse(from), to: Date.parse(to), aggs: { ips: { terms: { field: 'remoteIp' } } } })
      .then((r) => r.aggregations['ips']);
    assert.deepEqual(await inWindow('2026-11-09T00:00:00Z', '2026-11-11T00:00:00Z'), { buckets: [{ key: '198.51.100.9', doc_count: 1 }], sum_other_doc_count: 0 });
    assert.deepEqual(await inWindow('2026-10-31T00:00:00Z', '2026-11-02T00:00:00Z'), { buckets: [], sum_other_doc_count: 0 });
  });
  storeTest(open, 'aggregates the most affected resources by their identifier, whatever the resource type', async (store) => {
    const affected = (id: string, resource: Record<string, unknown>): Finding => {
      const r = normalizeFinding({
        accountId: '111122223333', region: 'us-east-1', id, type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 5,
        createdAt: '2026-11-01T00:00:00Z', updatedAt: '2026-11-01T00:00:00Z', resource, service: { count: 1 },
      });
      if (!r.ok) throw new Error(r.error.message);
      return r.finding;
    };
    await store.upsert([
      affected('a', { resourceType: 'Instance', instanceDetails: { instanceId: 'i-1' } }),
      affected('b', { resourceType: 'Instance', instanceDetails: { instanceId: 'i-1' } }),
      // An S3 finding also names the caller's access key: the bucket is the affected resource.
      affected('c', { resourceType: 'S3Bucket', s3BucketDetails: [{ name: 'logs' }], accessKeyDetails: { accessKeyId: 'AKIA1' } }),
      affected('d', { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: 'AKIA1' } }),
      affected('e', { resourceType: 'EKSCluster', eksClusterDetails: { name: 'prod' } }),
      affected('f', { resourceType: 'Unknown' }),
    ], Date.parse('2026-11-02T00:00:00Z'));
    const result = await store.aggregate({ query: parseQuery(''), aggs: { top: { terms: { field: 'resourceId', size: 10 } } } });
    const top = result.aggregations['top'] as unknown as { buckets: Array<{ key: string; doc_count: number }> };
    assert.deepEqual(top.buckets.map((b) => [b.key, b.doc_count]), [['i-1', 2], ['AKIA1', 1], ['logs', 1], ['prod', 1]]);
    const bucket = await store.search({ query: parseQuery('resourceId:logs'), size: 10, sort: { field: 'updatedAt', order: 'desc' } });
    assert.deepEqual(bucket.findings.map((r) => r.key.id), ['c'], 'a bucket is also a filter');
  });
}

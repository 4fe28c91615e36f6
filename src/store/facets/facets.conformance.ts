// The facets' conformance, run on every backend: what the in-memory facets answer (aggregations, search totals) equals
// the backend's own SQL to the digit, over findings loaded at start and findings written after, with text whose UTF-16
// and code-point orders differ and sums in the backend's own summation.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { generateFindingVersions } from '../../demo/generate.js';
import type { Finding } from '../../findings/finding.js';
import { normalizeFinding } from '../../findings/normalize.js';
import { parseQuery } from '../../query/parser.js';
import type { Aggregation, AggregationRequest } from '../aggregation.js';
import type { FacetableStore } from './faceted-store.js';
import type { FacetSource } from './facet-source.js';
import { FindingFacets } from './finding-facets.js';

export const NOW = Date.parse('2026-11-20T12:00:00Z');
export const DAY = 86_400_000;
export const all = parseQuery('');

export function normalized(doc: Record<string, unknown>): Finding {
  const r = normalizeFinding(doc);
  if (!r.ok) throw new Error(r.error.message);
  return r.finding;
}

/** Findings whose text sorts differently by UTF-16 and by code point, with ties, empty and missing values. */
export function oddFindings(): Finding[] {
  const base = { accountId: '999900001111', region: 'eu-west-1', severity: 5, createdAt: '2026-11-19T00:00:00Z', updatedAt: '2026-11-19T10:00:00Z' };
  const names = ['\u{1F600}emoji', '\uFF21fullwidth', 'plain', '', 'Zed', 'zed'];
  return names.map((name, i) => normalized({
    ...base,
    id: `odd${i}`,
    type: `Odd:EC2/${name}`,
    severity: i + 0.1,
    resource: { resourceType: name === '' ? undefined : name, instanceDetails: { instanceId: name || 'i-empty' } },
    service: {
      count: 1,
      archived: i % 2 === 0,
      action: {
        actionType: 'NETWORK_CONNECTION',
        networkConnectionAction: { remoteIpDetails: { ipAddressV4: `198.51.100.${i % 3}`, country: { countryName: name }, organization: { asnOrg: i % 2 ? 'Org' : name } } },
      },
    },
  }));
}

export const REQUESTS: Record<string, Readonly<Record<string, Aggregation>>> = {
  overview: {
    bands: { terms: { field: 'band', size: 4 } },
    types: { terms: { field: 'type', size: 10 } },
    accounts: { terms: { field: 'accountId', size: 10 } },
    regions: { terms: { field: 'region', size: 17 } },
    resourceTypes: { terms: { field: 'resource.resourceType', size: 10 } },
    hourlyByBand: { terms: { field: 'band', size: 4 }, aggs: { hourly: { date_histogram: { field: 'updatedAt', interval: '1h' } } } },
    severity: { stats: { field: 'severity' } },
    remoteIps: { terms: { field: 'remoteIp', size: 10 }, aggs: { country: { terms: { field: 'remoteCountry', size: 1 } }, org: { terms: { field: 'remoteOrg', size: 1 } } } },
  },
  fields: {
    actionTypes: { terms: { field: 'actionType', size: 10 } },
    resources: { terms: { field: 'resourceId', size: 10 }, aggs: { type: { terms: { field: 'resourceType', size: 1 } } } },
    archived: { terms: { field: 'archived', size: 2 } },
    sample: { terms: { field: 'service.additionalInfo.sample', size: 2 } },
    countries: { terms: { field: 'remoteCountry', size: 1000 } },
    orgs: { terms: { field: 'remoteOrg', size: 3 } },
    severities: { terms: { field: 'severity', size: 20 } },
  },
  numbers: {
    band: { stats: { field: 'band' } },
    updated: { stats: { field: 'updatedAt' } },
    ranges: { range: { field: 'severity', ranges: [{ to: 4 }, { from: 4, to: 7, key: 'mid' }, { from: 7 }, {}] }, aggs: { t: { terms: { field: 'type', size: 3 } } } },
    daily: { date_histogram: { field: 'updatedAt', interval: '1d' }, aggs: { s: { stats: { field: 'severity' } }, b: { terms: { field: 'band', size: 4 } } } },
    bandRange: { range: { field: 'band', ranges: [{ from: 3 }] } },
  },
};

export const WINDOWS: Array<{ from?: number; to?: number }> = [{}, { from: NOW - 7 * DAY, to: NOW }, { from: NOW - DAY }, { to: NOW - 20 * DAY }, { from: NOW + DAY, to: NOW + 2 * DAY }];

/** Queries on facet fields whose counts the facets take, with ties, wildcards, text ranges and remote parties. */
export const COUNT_QUERIES = [
  '', 'band >= High', 'band:Critical or band:Low', 'not band:Low', 'severity >= 7', 'severity < 4.5 and not archived:true',
  'archived:true', 'archived:FALSE', 'type:Recon*', 'type:*Tor*', 'type:*', 'type:*plain', 'type:Odd*plain', 'type:*EC2*Zed', 'type:*ed', 'type:"Odd:EC2/plain"', 'type > "Recon" and type <= "Trojan"',
  'accountId:999900001111 and region:eu-west-1', 'resourceType:Instance and actionType:NETWORK_CONNECTION', 'not resourceType:*',
  'resourceId:i-empty or resourceType:Zed', 'remoteCountry:*', 'not remoteOrg:*', 'remoteIp:198.51.100.1', 'remoteIp:198.51.100.*',
  'remoteCountry:"\u{1F600}emoji" or remoteOrg:Org', 'remoteIp > "198.51.100.1"', 'sample:true', 'type:(Recon* or Odd*) and not severity >= 5',
  'type > "\uFF21" and type < "\u{1F600}"', 'remoteCountry >= "\u{1F600}"',
];

/** A backend's own store (its reads all SQL) and the facet source on it; `close` disposes of both. */
export interface OpenedFacets {
  readonly store: FacetableStore;
  readonly source: FacetSource;
  close(): Promise<void>;
}

/**
 * Registers the facets' conformance for one backend: 3,000 generated findings, two thirds stored before the facets
 * load and the rest (and findings with odd text) after, reaching them as the backend's writes do.
 */
export function describeFacets(name: string, open: () => Promise<OpenedFacets>): void {
  describe(`facets conformance: ${name}`, () => {
    let opened: OpenedFacets;
    let facets: FindingFacets;
    const store = (): FacetableStore => opened.store;

    before(async () => {
      opened = await open();
      const findings = [...generateFindingVersions({ seed: 7, findings: 3000, accounts: 40, types: 60, days: 30, updatedShare: 0.3, now: NOW })].map(normalized);
      await opened.store.upsert(findings.slice(0, 2000), NOW);
      facets = new FindingFacets(opened.source);
      await facets.loading;
      assert.equal(facets.isReady, true);
      for (const batch of [findings.slice(2000, 2500), findings.slice(2500), oddFindings()]) {
        const { slots } = await opened.store.upsertSlots(batch, NOW);
        await facets.written(slots);
      }
    });

    after(async () => {
      await facets?.stop();
      await opened?.close();
    });

    for (const [title, aggs] of Object.entries(REQUESTS)) {
      test(`the ${title} aggregations equal the backend's SQL over every time window`, async () => {
        for (const window of WINDOWS) {
          const request: AggregationRequest = { query: all, aggs, ...window };
          const fromMemory = facets.aggregate(request);
          assert.ok(fromMemory !== undefined, 'the facets take this request');
          assert.deepEqual(fromMemory, await store().aggregate(request), `window ${JSON.stringify(window)}`);
        }
      });
    }

    test('search totals counted from memory equal the backend\'s count', async () => {
      for (const q of COUNT_QUERIES) {
        for (const window of WINDOWS) {
          const query = parseQuery(q);
          const sql = await store().search({ query, size: 1, sort: { field: 'updatedAt', order: 'desc' }, ...window });
          assert.equal(facets.count(query, window.from, window.to, Number.POSITIVE_INFINITY), sql.total, `${q} ${JSON.stringify(window)}`);
        }
      }
    });

    test('archiving and unarchiving reach the facets as the backend writes them', async () => {
      const key = { accountId: '999900001111', region: 'eu-west-1', id: 'odd1' };
      const request: AggregationRequest = { query: parseQuery('archived:true'), aggs: REQUESTS['fields']! };
      const archived = async (): Promise<number> => {
        const fromMemory = facets.aggregate(request);
        assert.deepEqual(fromMemory, await store().aggregate(request));
        return fromMemory!.total;
      };
      const before = await archived();
      for (const [state, expected] of [[true, before + 1], [false, before]] as const) {
        const slot = await store().setArchivedSlot(key, state, 'tester', NOW);
        assert.ok(slot !== undefined);
        await facets.written([slot]);
        assert.equal(await archived(), expected);
      }
    });
  });
}

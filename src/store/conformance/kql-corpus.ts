// Five findings that between them hold every kind of value KQL compares (missing fields, arrays, odd keys,
// GLOB and FTS5 metacharacters, times at day edges), and a way to ask a store which of them a query selects.
import assert from 'node:assert/strict';
import type { FindingKey } from '../../findings/finding.js';
import type { QueryNode } from '../../query/ast.js';
import { bindQuery } from '../../query/bind.js';
import { parseQuery } from '../../query/parser.js';
import { QueryError } from '../../query/query-error.js';
import type { FindingStore } from '../finding-store.js';
import { stored } from './fixtures.js';

/** The instant relative times (`now-1d`) resolve against in the corpus's queries. */
export const NOW = Date.parse('2024-05-02T13:00:00Z');
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';

function base(id: string, type: string, severity: number, updatedAt: string): { updatedAt: string } & Record<string, unknown> {
  return { schemaVersion: '2.0', accountId: ACCOUNT, region: REGION, id, type, severity, updatedAt };
}

const F1 = {
  ...base('f1', 'Recon:EC2/PortProbeUnprotectedPort', 5, '2024-05-01T10:00:00Z'),
  arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/d1/finding/f1`,
  title: 'Unprotected port on EC2 instance i-0abc is being probed',
  createdAt: '2024-05-01T08:00:00Z',
  resource: { resourceType: 'Instance', instanceDetails: { tags: [{ key: 'Name', value: 'web-1' }, { key: 'env', value: 'prod' }] } },
  service: {
    count: 3,
    action: {
      actionType: 'PORT_PROBE',
      portProbeAction: {
        portProbeDetails: [
          { localPortDetails: { port: 22 }, remoteIpDetails: { ipAddressV4: '198.51.100.7', country: { countryName: 'US' }, organization: { asnOrg: 'Example Org' } } },
          { localPortDetails: { port: 3389 }, remoteIpDetails: { ipAddressV4: '203.0.113.9', country: { countryName: 'DE' } } },
        ],
      },
    },
  },
  'a-b': { c: 'dash', 'c-d': ['x1', 'x2'] },
};

/** f2 is stored as four versions, the first received at FIRST_SEEN_F2; only the last one is current. */
const FIRST_SEEN_F2 = Date.parse('2024-05-02T12:00:05Z');
const f2 = (updatedAt: string): Record<string, unknown> => ({
  ...base('f2', 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', 8, updatedAt),
  description: 'Credentials for an instance used from outside AWS',
  resource: { resourceType: 'AccessKey', accessKeyDetails: { userName: 'alice' } },
  service: {
    archived: true,
    action: { actionType: 'AWS_API_CALL', awsApiCallAction: { remoteIpDetails: { ipAddressV4: '192.0.2.1', country: { countryName: 'FR' }, organization: { asnOrg: 'Other Org' } } } },
    additionalInfo: { sample: true },
    eventLastSeen: '2024-05-02T11:59:00.000Z',
  },
  labels: ['x', 'y'],
  nothing: null,
});

const F3 = {
  ...base('f3', 'Recon:EC2/Portscan', 2, '2023-12-31T23:59:59.999Z'),
  title: 'EC2 instance is performing outbound port scans',
  createdAt: '2023-12-31T23:00:00Z',
  resource: { resourceType: 'Instance' },
  service: {
    action: {
      actionType: 'NETWORK_CONNECTION',
      networkConnectionAction: { remoteIpDetails: { ipAddressV4: '198.51.100.70' } },
      portProbeAction: { portProbeDetails: [{ localPortDetails: { port: '22' } }] },
    },
    eventLastSeen: '2023-12-31T23:59:00.000Z',
  },
};

const F4 = {
  ...base('f4', 'Weird[1]?*Type', 9.5, '2024-05-02T12:30:00Z'),
  title: 'Odd "quoted" NEAR(x) AND OR NOT ^ : - {}',
  flag: true,
  off: false,
  score: 1.5,
  'a[0]': { b: 'bracket' },
  'a-b': { c: 'DASH' },
};

const F5 = {
  ...base('f5', 'Policy:S3/BucketBlockPublicAccessDisabled', 2, '2024-04-01T00:00:00Z'),
  arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/d1/finding/f5`,
  empty: [],
  nulls: [null],
  nested: { empty: {} },
};

export const ALL_IDS = ['f1', 'f2', 'f3', 'f4', 'f5'];

/** Every id of the corpus but these. */
export function except(...ids: string[]): string[] {
  return ALL_IDS.filter((id) => !ids.includes(id));
}

/** Stores the corpus: each finding received when it was updated, f2 in four versions. */
export async function seedKqlCorpus(store: FindingStore): Promise<void> {
  for (const d of [F1, F3, F4, F5]) await store.upsert([stored(d)], Date.parse(d.updatedAt));
  const f2Versions = ['2024-05-02T09:00:00Z', '2024-05-02T10:00:00Z', '2024-05-02T11:00:00Z', '2024-05-02T12:00:00Z'];
  for (const [i, updatedAt] of f2Versions.entries()) await store.upsert([stored(f2(updatedAt))], FIRST_SEEN_F2 + i * 1000);
}

const KEYS: FindingKey[] = ALL_IDS.map((id) => ({ accountId: ACCOUNT, region: REGION, id }));

/**
 * The ids (sorted) of the corpus findings a query selects, relative times resolved at NOW. Every answer is also
 * checked against the page's total and against `matching`, which promises search's semantics.
 */
export function selector(store: () => FindingStore): (query: string | QueryNode) => Promise<string[]> {
  return async (query) => {
    const bound = bindQuery(typeof query === 'string' ? parseQuery(query) : query, { now: NOW });
    const page = await store().search({ query: bound, size: 100, sort: { field: 'updatedAt', order: 'desc' } });
    const ids = page.findings.map((r) => r.key.id).sort();
    const matched = (await store().matching(bound, KEYS)).map((r) => r.key.id).sort();
    assert.deepEqual([page.total, matched], [ids.length, ids], `total and matching agree with the page for ${typeof query === 'string' ? query : JSON.stringify(query)}`);
    return ids;
  };
}

/** Asserts that a store refuses a query (unbound: the store binds it) with INVALID_QUERY and a message naming `includes`. */
export async function assertRejected(store: FindingStore, query: string | QueryNode, includes: string): Promise<void> {
  const node = typeof query === 'string' ? parseQuery(query) : query;
  await assert.rejects(store.search({ query: node, size: 10, sort: { field: 'updatedAt', order: 'desc' } }), (error: unknown) => {
    assert.ok(error instanceof QueryError, `expected a QueryError, got ${String(error)}`);
    assert.equal(error.code, 'INVALID_QUERY');
    assert.ok(error.message.includes(includes), `"${error.message}" should mention ${includes}`);
    return true;
  });
}

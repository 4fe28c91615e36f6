// The compiled scope selects exactly the findings the policy evaluator allows, on a real SQLite store and on the
// in-memory facets, for random policies; and what cannot be enforced exactly is refused, never approximated.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Finding } from '../../findings/finding.js';
import { normalizeFinding } from '../../findings/normalize.js';
import { severityBand } from '../../findings/severity.js';
import type { BoundNode } from '../../query/bound.js';
import { facetCount } from '../../store/facets/facet-filter.js';
import { SqliteFacetSource } from '../../store/sqlite/facet-source.js';
import { SQLITE_SEMANTICS } from '../../store/sqlite/sqlite-semantics.js';
import { FindingFacets } from '../../store/facets/finding-facets.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { evaluate } from '../policy/evaluate.js';
import type { Policy, RequestContext } from '../policy/document.js';
import { validatePolicy } from '../policy/validate.js';
import { cachedFindingScope, compileFindingScope, requestKeysOf, ScopeError } from './compile-scope.js';
import { findingArn, findingContext, type FindingFacts } from './finding-keys.js';
import { scopeMatches } from './scope-matches.js';

const NOW = Date.parse('2026-12-01T10:00:00Z');
const ACCOUNTS = ['111111111111', '111122223333', '222222222222', '333333333333', '444455556666', '999999999999'];
const REGIONS = ['us-east-1', 'us-east-2', 'eu-west-1', 'cn-north-1', 'us-gov-west-1', 'ap-south-1'];
const TYPES = ['Recon:EC2/PortProbeUnprotectedPort', 'recon:ec2/portprobeunprotectedport', 'UnauthorizedAccess:IAMUser/TorIPCaller', 'Policy:S3/BucketBlockPublicAccessDisabled', 'CryptoCurrency:EC2/BitcoinTool.B!DNS', 'Straße:EC2/Ünïcode'];
const SEVERITIES = [1, 2.5, 3.9, 4, 5.5, 6.9, 7, 8, 8.9, 9, 10];
/** Catalog tags: two accounts are prod (one spells the key differently), one dev, the rest untagged. */
const TAGS = new Map<string, Record<string, string>>([
  ['111111111111', { env: 'prod', bu: 'payments' }],
  ['111122223333', { Env: 'prod' }],
  ['222222222222', { env: 'dev', bu: 'search' }],
]);
const REQUEST: RequestContext = { 'aws:SourceIp': '203.0.113.7', 'aws:CurrentTime': '2026-12-01T10:00:00Z', 'aws:username': 'alice', 'aws:SecureTransport': 'true' };

interface Row extends FindingFacts {
  readonly key: string;
}

function findings(): Row[] {
  const rows: Row[] = [];
  let n = 0;
  for (const accountId of ACCOUNTS) {
    for (const region of REGIONS) {
      for (let i = 0; i < 4; i++) {
        const type = TYPES[n % TYPES.length]!;
        const severity = SEVERITIES[(n * 7 + i) % SEVERITIES.length]!;
        const id = ['a1b2', 'a1x2', 'ab', 'b1', 'prod-42', 'c:d'][(n * 5 + Math.floor(n / 6)) % 6]! + String(n);
        rows.push({ key: `${accountId}/${region}/${id}`, accountId, region, id, type, severity, band: severityBand(severity) });
        n++;
      }
    }
  }
  assert.equal(new Set(rows.map((r) => r.key)).size, rows.length, 'every finding has its own key');
  return rows;
}

function toFinding(r: Row): Finding {
  const result = normalizeFinding({
    schemaVersion: '2.0', accountId: r.accountId, region: r.region, id: r.id, type: r.type, severity: r.severity,
    arn: `arn:aws:guardduty:${r.region}:${r.accountId}:detector/d/finding/${r.id}`, title: r.type,
    createdAt: '2026-11-30T00:00:00Z', updatedAt: '2026-11-30T00:00:00Z', service: { count: 1 }, resource: { resourceType: 'Instance' },
  });
  if (!result.ok) throw new Error(result.error.message);
  return result.finding;
}

/** What the evaluator decides for one finding: the caller and the finding in one account, as in Yagura. */
function allowedByEvaluator(policies: readonly Policy[], action: string, r: Row, session?: readonly Policy[]): boolean {
  return (
    evaluate(
      { identity: policies, ...(session && { session }) },
      { principal: `arn:aws:iam::${r.accountId}:user/alice`, action, resource: findingArn(r), context: { ...REQUEST, ...findingContext(r, TAGS.get(r.accountId)) } },
    ).decision === 'allowed'
  );
}

// Random policies over everything a finding policy can say.
const glob = (values: readonly string[]): fc.Arbitrary<string> => fc.oneof(fc.constantFrom(...values), fc.constantFrom('*', '?*', '1111*', 'us-*', 'eu-west-?', 'cn-*', '*-1', 'a?b*', '*2', 'c:*'));
const resource = fc.oneof(
  fc.constant('*'),
  fc.tuple(fc.constantFrom('aws', 'aws*', 'aws-cn', 'aws-us-gov', '*'), glob(REGIONS), glob(ACCOUNTS), fc.constantFrom('*', 'a1*', 'a?b*', 'ab0', 'c:d*', '*2'))
    .map(([p, r, a, id]) => `arn:${p}:guardduty:${r}:${a}:detector/*/finding/${id}`),
  fc.constantFrom('arn:aws:guardduty:*:*:*', 'arn:aws:guardduty:us-east-1:*:*', 'arn:*:guardduty:*:111111111111:*', 'arn:aws:s3:::bucket/*', 'arn:aws:guardduty:*:*:detector/*/finding/${aws:username}*', 'arn:*:*:*:*:*'),
);
const qualifier = fc.constantFrom('', '', 'ForAnyValue:', 'ForAllValues:');
const ifExists = fc.constantFrom('', '', 'IfExists');
const stringOp = fc.constantFrom('StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike');
const condition = fc.oneof(
  fc.tuple(qualifier, stringOp, ifExists, fc.constantFrom('aws:ResourceAccount', 'aws:RequestedRegion', 'yagura:FindingType'), fc.array(glob([...ACCOUNTS, ...REGIONS, ...TYPES, 'RECON:EC2/PORTPROBEUNPROTECTEDPORT', 'strasse:ec2/ünïcode']), { minLength: 1, maxLength: 3 }))
    .map(([q, op, ie, key, values]) => ({ [`${q}${op}${ie}`]: { [key]: values } })),
  fc.tuple(stringOp, fc.array(fc.constantFrom('Low', 'Medium', 'high', 'Critical', 'H*', '*i*'), { minLength: 1, maxLength: 2 })).map(([op, v]) => ({ [op]: { 'yagura:SeverityBand': v } })),
  fc.tuple(fc.constantFrom('NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'), fc.constantFrom('4', '7', '8.9', '10', '3.9'))
    .map(([op, v]) => ({ [op]: { 'yagura:FindingSeverity': v } })),
  fc.tuple(qualifier, fc.constantFrom('StringEquals', 'StringNotEquals', 'StringLike', 'StringEqualsIgnoreCase'), ifExists, fc.constantFrom('aws:ResourceTag/env', 'aws:ResourceTag/bu'), fc.constantFrom('prod', 'dev', 'PROD', 'p*', 'payments'))
    .map(([q, op, ie, key, v]) => ({ [`${q}${op}${ie}`]: { [key]: v } })),
  fc.tuple(fc.constantFrom('aws:ResourceTag/env', 'aws:ResourceAccount', 'aws:PrincipalTag/team'), fc.boolean()).map(([key, v]) => ({ Null: { [key]: String(v) } })),
  fc.constantFrom({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }, { Bool: { 'aws:SecureTransport': 'false' } }, { StringEquals: { 'aws:ResourceAccount': '${aws:username}' } }),
);
const ACTIONS = ['yagura:GetFinding', 'yagura:*', 'yagura:Get*', '*', 'yagura:?etFinding', 'yagura:SearchFindings', 'YAGURA:getfinding'];
const statement = fc
  .record(
    {
      Effect: fc.constantFrom('Allow', 'Allow', 'Allow', 'Deny'),
      action: fc.tuple(fc.constantFrom('Action', 'Action', 'Action', 'NotAction'), fc.constantFrom(...ACTIONS)),
      resource: fc.tuple(fc.constantFrom('Resource', 'Resource', 'Resource', 'NotResource'), fc.array(resource, { minLength: 1, maxLength: 2 })),
      Condition: fc.array(condition, { minLength: 1, maxLength: 2 }).map((cs) => Object.assign({}, ...cs) as Record<string, unknown>),
    },
    { requiredKeys: ['Effect', 'action', 'resource'] },
  )
  .map(({ action, resource: r, ...rest }) => ({ ...rest, [action[0]]: action[1], [r[0]]: r[1] }));
const policies = fc.array(fc.array(statement, { minLength: 1, maxLength: 3 }).map((Statement) => ({ Version: '2012-10-17', Statement })), { minLength: 1, maxLength: 2 });

describe('the finding scope compiled from policies', () => {
  let dir: string;
  let store: SqliteStore;
  let facets: FindingFacets;
  const rows = findings();

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'yagura-scope-'));
    store = new SqliteStore({ file: path.join(dir, 'yagura.db') });
    await store.upsert(rows.map(toFinding), NOW);
    facets = new FindingFacets(new SqliteFacetSource(store.db));
    await facets.loading;
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const selected = async (scope: BoundNode): Promise<string[]> => {
    const page = await store.search({ query: { kind: 'bound', root: scope }, size: 10_000, sort: { field: 'updatedAt', order: 'desc' } });
    return page.findings.map((f) => `${f.key.accountId}/${f.key.region}/${f.key.id}`).sort();
  };

  const scopeOf = (statements: unknown[], action = 'yagura:SearchFindings'): BoundNode => {
    const result = validatePolicy({ Version: '2012-10-17', Statement: statements }, 'identity');
    if (!result.ok) throw new Error(result.problems.join('; '));
    return compileFindingScope({ policies: [result.policy], action, context: REQUEST, accountTags: TAGS });
  };
  const keysWhere = (test: (r: Row) => boolean): string[] => rows.filter(test).map((r) => r.key).sort();
  const FINDINGS = 'arn:*:guardduty:*:*:detector/*/finding/*';

  test('an account and a region in the Resource ARN restrict findings to them', async () => {
    const scope = scopeOf([{ Effect: 'Allow', Action: 'yagura:*', Resource: 'arn:aws:guardduty:eu-west-1:111111111111:detector/*/finding/*' }]);
    assert.deepEqual(await selected(scope), keysWhere((r) => r.accountId === '111111111111' && r.region === 'eu-west-1'));
  });

  test('StringEqualsIgnoreCase on the finding type matches every spelling, StringEquals one', async () => {
    const type = 'RECON:EC2/PORTPROBEUNPROTECTEDPORT';
    const folded = await selected(scopeOf([{ Effect: 'Allow', Action: '*', Resource: FINDINGS, Condition: { StringEqualsIgnoreCase: { 'yagura:FindingType': type } } }]));
    assert.deepEqual(folded, keysWhere((r) => r.type.toLowerCase() === type.toLowerCase()));
    assert.ok(new Set(folded.map((k) => rows.find((r) => r.key === k)!.type)).size === 2, 'both spellings are in the data');
    assert.deepEqual(await selected(scopeOf([{ Effect: 'Allow', Action: '*', Resource: FINDINGS, Condition: { StringEquals: { 'yagura:FindingType': type } } }])), []);
  });

  test('a tag condition selects the accounts whose catalog tags match, keys compared without case', async () => {
    const prod = await selected(scopeOf([{ Effect: 'Allow', Action: '*', Resource: FINDINGS, Condition: { StringEquals: { 'aws:ResourceTag/env': 'prod' } } }]));
    assert.deepEqual(prod, keysWhere((r) => r.accountId === '111111111111' || r.accountId === '111122223333'));
    const notProd = await selected(scopeOf([{ Effect: 'Allow', Action: '*', Resource: FINDINGS, Condition: { StringNotEquals: { 'aws:ResourceTag/env': 'prod' } } }]));
    assert.deepEqual(notProd, keysWhere((r) => r.accountId !== '111111111111' && r.accountId !== '111122223333'), 'untagged accounts are not prod');
  });

  test('a Deny wins over an Allow, and NotAction and NotResource exclude', async () => {
    const scope = scopeOf([
      { Effect: 'Allow', Action: 'yagura:*', Resource: '*' },
      { Effect: 'Deny', Action: 'yagura:SearchFindings', Resource: 'arn:*:guardduty:*:222222222222:detector/*/finding/*' },
      { Effect: 'Deny', NotAction: 'yagura:SearchFindings', Resource: '*' },
      { Effect: 'Deny', Action: '*', NotResource: 'arn:*:guardduty:*:*:detector/*/finding/*', Condition: { NumericLessThan: { 'yagura:FindingSeverity': '4' } } },
    ]);
    assert.deepEqual(await selected(scope), keysWhere((r) => r.accountId !== '222222222222'));
    assert.deepEqual(await selected(scopeOf([{ Effect: 'Allow', NotAction: 'yagura:SearchFindings', Resource: '*' }])), []);
  });

  test('the partition follows the region: aws-cn for China, aws-us-gov for GovCloud', async () => {
    const china = await selected(scopeOf([{ Effect: 'Allow', Action: '*', Resource: 'arn:aws-cn:guardduty:*:*:detector/*/finding/*' }]));
    assert.deepEqual(china, keysWhere((r) => r.region.startsWith('cn-')));
    const commercial = await selected(scopeOf([{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:guardduty:*:*:*' }]));
    assert.deepEqual(commercial, keysWhere((r) => !r.region.startsWith('cn-') && !r.region.startsWith('us-gov-')));
  });

  test('request keys and policy variables are decided once for the request', async () => {
    const fromOffice = scopeOf([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }]);
    assert.deepEqual(fromOffice, { kind: 'all' });
    const elsewhere = scopeOf([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '198.51.100.0/24' } } }]);
    assert.deepEqual(await selected(elsewhere), []);
  });

  test('a remembered scope is reused only while the request keys the policies read are the same', () => {
    const result = validatePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: 'arn:*:guardduty:*:${aws:username}:*', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }] }, 'identity');
    if (!result.ok) throw new Error(result.problems.join('; '));
    const policies = [result.policy];
    assert.deepEqual(requestKeysOf(policies), ['aws:sourceip', 'aws:username']);
    const ask = (context: RequestContext): BoundNode => cachedFindingScope({ policies, action: 'yagura:SearchFindings', context, accountTags: TAGS });
    const office = ask({ 'aws:SourceIp': '203.0.113.9', 'aws:username': '111111111111', 'aws:CurrentTime': '2026-12-01T10:00:00Z' });
    assert.deepEqual(office, compileFindingScope({ policies, action: 'yagura:SearchFindings', context: { 'aws:SourceIp': '203.0.113.9', 'aws:username': '111111111111' }, accountTags: TAGS }));
    assert.equal(ask({ 'aws:SourceIp': '203.0.113.9', 'aws:username': '111111111111', 'aws:CurrentTime': '2026-12-01T11:00:00Z' }), office, 'a key the policies do not read does not matter');
    assert.notDeepEqual(ask({ 'aws:SourceIp': '198.51.100.1', 'aws:username': '111111111111' }), office, 'another address is decided again');
    assert.notDeepEqual(ask({ 'aws:SourceIp': '203.0.113.9', 'aws:username': '222222222222' }), office, 'another user name is decided again');
  });

  test('refuses what the store query cannot express exactly, naming the element', () => {
    assert.throws(() => scopeOf([{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:guardduty:*:*:detector/abc/finding/*' }]), /Statement\[0\]\.Resource: .*names a detector/);
    assert.throws(() => scopeOf([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'yagura:FindingType': '${aws:ResourceAccount}' } } }]), /depends on the finding/);
    assert.throws(() => scopeOf([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'aws:ResourceAccount': '2026-01-01' } } }]), ScopeError);
    assert.throws(() => scopeOf([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'yagura:FindingSeverity': '7' } } }]), /use a Numeric operator/);
  });

  test('selects exactly the findings the evaluator allows yagura:GetFinding on, for random policies', async () => {
    let compared = 0;
    let refused = 0;
    let partial = 0;
    let counted = 0;
    await fc.assert(
      fc.asyncProperty(policies, async (documents) => {
        const parsed = documents.map((d) => validatePolicy(d, 'identity'));
        const valid = parsed.flatMap((p) => (p.ok ? [p.policy] : []));
        if (valid.length !== parsed.length) throw new Error(`generated an invalid policy: ${JSON.stringify(parsed.find((p) => !p.ok))}`);
        let scope: BoundNode;
        try {
          scope = compileFindingScope({ policies: valid, action: 'yagura:GetFinding', context: REQUEST, accountTags: TAGS });
        } catch (error) {
          if (!(error instanceof ScopeError)) throw error;
          refused++;
          return;
        }
        compared++;
        const expected = rows.filter((r) => allowedByEvaluator(valid, 'yagura:GetFinding', r)).map((r) => r.key).sort();
        const got = await selected(scope);
        if (got.length > 0 && got.length < rows.length) partial++;
        if (process.env.SCOPE_DEBUG && JSON.stringify(got) !== JSON.stringify(expected)) console.log(JSON.stringify({ scope, got: got.length, expected: expected.length, onlyGot: got.filter((k) => !expected.includes(k)).slice(0, 5), onlyExpected: expected.filter((k) => !got.includes(k)).slice(0, 5) }));
        assert.deepEqual(got, expected, JSON.stringify(documents));
        // One finding at a time (an ingest request's items), the same scope decides the same.
        assert.deepEqual(rows.filter((r) => scopeMatches(scope, r)).map((r) => r.key).sort(), expected, JSON.stringify(documents));
        // The in-memory facets evaluate the same scope to the same count (a finding id is not a facet column: SQL).
        const fromFacets = facetCount(facets.columns, SQLITE_SEMANTICS, { kind: 'bound', root: scope }, undefined, undefined, Number.POSITIVE_INFINITY);
        if (fromFacets !== undefined) {
          counted++;
          assert.equal(fromFacets, expected.length, JSON.stringify(documents));
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 400), seed: Number(process.env.FUZZ_SEED ?? 20261207) },
    );
    if (process.env.SCOPE_DEBUG) console.log(`compared ${compared} (${partial} selecting some but not all, ${counted} counted by the facets), refused ${refused}`);
    // Most generated policies are enforceable; the comparison must really have happened.
    const share = Math.min(1, Number(process.env.FUZZ_RUNS ?? 400) / 400);
    assert.ok(compared >= 300 * share, `only ${compared} policies compared (${refused} refused)`);
    assert.ok(partial >= 80 * share, `only ${partial} policies selected some but not all findings`);
    assert.ok(counted >= 200 * share, `the facets counted only ${counted} scopes`);
  });
  test('with a session policy, selects exactly what the evaluator allows through both, for random policies', async () => {
    let compared = 0;
    let partial = 0;
    await fc.assert(
      fc.asyncProperty(policies, policies, async (identityDocs, sessionDocs) => {
        const valid = (docs: unknown[]): Policy[] => docs.map((d) => {
          const r = validatePolicy(d, 'identity');
          if (!r.ok) throw new Error(r.problems.join('; '));
          return r.policy;
        });
        const identity = valid(identityDocs);
        const session = valid(sessionDocs.slice(0, 1));
        let scope: BoundNode;
        try {
          scope = compileFindingScope({ policies: identity, sessionPolicies: session, action: 'yagura:GetFinding', context: REQUEST, accountTags: TAGS });
        } catch (error) {
          if (!(error instanceof ScopeError)) throw error;
          return;
        }
        compared++;
        const expected = rows.filter((r) => allowedByEvaluator(identity, 'yagura:GetFinding', r, session)).map((r) => r.key).sort();
        if (expected.length > 0 && expected.length < rows.length) partial++;
        assert.deepEqual(await selected(scope), expected, JSON.stringify({ identityDocs, sessionDocs }));
        assert.deepEqual(cachedFindingScope({ policies: identity, sessionPolicies: session, action: 'yagura:GetFinding', context: REQUEST, accountTags: TAGS }), scope);
      }),
      { numRuns: Math.ceil(Number(process.env.FUZZ_RUNS ?? 400) / 2), seed: Number(process.env.FUZZ_SEED ?? 20261207) + 1 },
    );
    const share = Math.min(1, Number(process.env.FUZZ_RUNS ?? 400) / 400);
    assert.ok(compared >= 100 * share, `only ${compared} policy pairs compared`);
    assert.ok(partial >= 10 * share, `only ${partial} pairs selected some but not all findings`);
  });
});

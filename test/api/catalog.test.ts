// The account catalog over HTTP: filtered listings (as Glue's GetTables), 403 without permission on the parent,
// the catalog's resource policy granting on its own, accounts seen in findings appearing in `unassigned`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findingDoc } from '../fixtures/findings.js';
import { harness, type Harness } from '../support/harness.js';

type Json = Record<string, any>;

const PAYMENTS = '111111111111';
const PAYMENTS_2 = '111111111112';
const DATA = '222222222222';

describe('account catalog API', () => {
  let h: Harness;
  const send = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
    h.app.inject({ method, url, headers, ...(payload !== undefined && { payload: payload as Json }) });
  const ok = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: unknown): Promise<Json> => {
    const res = await send(method, url, h.auth, payload);
    assert.ok(res.statusCode < 300, `${method} ${url}: ${res.body}`);
    return res.statusCode === 204 ? {} : (res.json() as Json);
  };
  /** A user with these identity statements (none: a user with no policy at all) and a key. */
  const userWith = async (name: string, statements: Json[]): Promise<Record<string, string>> => {
    const policies: string[] = [];
    if (statements.length > 0) {
      await ok('POST', '/api/v1/policies', { name: `${name}-policy`, document: { Version: '2012-10-17', Statement: statements } });
      policies.push(`${name}-policy`);
    }
    await ok('POST', '/api/v1/users', { name, policies });
    return { 'x-api-key': (await ok('POST', '/api/v1/keys', { name, user: name })).key as string };
  };

  before(async () => {
    h = await harness();
    await ok('PUT', '/api/v1/catalog/groups/payments', { tags: { bu: 'payments' } });
    await ok('PUT', '/api/v1/catalog/groups/data', {});
    await ok('PUT', `/api/v1/catalog/accounts/${PAYMENTS}`, { group: 'payments', name: 'pay-prod', tags: { env: 'prod' } });
    await ok('PUT', `/api/v1/catalog/accounts/${PAYMENTS_2}`, { group: 'payments', name: 'pay-dev', tags: { env: 'dev' } });
    await ok('PUT', `/api/v1/catalog/accounts/${DATA}`, { group: 'data' });
  });
  after(async () => h.close());

  test('an administrator lists every group and every account of a group, with six-part ARNs', async () => {
    const groups = await ok('GET', '/api/v1/catalog/groups');
    assert.deepEqual(groups.groups.map((g: Json) => [g.name, g.arn]), [
      ['data', 'arn:yagura:catalog:::group/data'],
      ['payments', 'arn:yagura:catalog:::group/payments'],
      ['unassigned', 'arn:yagura:catalog:::group/unassigned'],
    ]);
    const accounts = await ok('GET', '/api/v1/catalog/groups/payments/accounts');
    assert.deepEqual(accounts.accounts.map((a: Json) => [a.arn, a.name, a.tags]), [
      [`arn:yagura:catalog:::account/payments/${PAYMENTS}`, 'pay-prod', { env: 'prod' }],
      [`arn:yagura:catalog:::account/payments/${PAYMENTS_2}`, 'pay-dev', { env: 'dev' }],
    ]);
  });

  test('listings show only what the caller may read: one group by ArnLike, its prod accounts by tag', async () => {
    const team = await userWith('payments-team', [
      { Effect: 'Allow', Action: ['yagura:GetCatalogGroups', 'yagura:GetCatalogAccounts'], Resource: ['arn:yagura:catalog:::catalog', 'arn:yagura:catalog:::group/payments'] },
      { Effect: 'Allow', Action: 'yagura:GetCatalogGroup', Resource: '*', Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:yagura:iam:::user/*' }, StringEquals: { 'aws:ResourceTag/bu': 'payments' } } },
      { Effect: 'Allow', Action: 'yagura:GetCatalogAccount', Resource: '*', Condition: { ArnLike: { 'aws:ResourceArn': 'arn:yagura:catalog:::account/payments/*' }, StringEquals: { 'aws:ResourceTag/env': 'prod' } } },
    ]);
    const groups = await send('GET', '/api/v1/catalog/groups', team);
    assert.equal(groups.statusCode, 200, groups.body);
    assert.deepEqual(groups.json().groups.map((g: Json) => g.name), ['payments']);
    const accounts = await send('GET', '/api/v1/catalog/groups/payments/accounts', team);
    assert.deepEqual(accounts.json().accounts.map((a: Json) => a.accountId), [PAYMENTS]);
    assert.equal(accounts.json().nextCursor, null);
    // Another group: 403 whether it exists or not, so its existence does not leak.
    const other = await send('GET', '/api/v1/catalog/groups/data/accounts', team);
    const ghost = await send('GET', '/api/v1/catalog/groups/ghost/accounts', team);
    assert.deepEqual([other.statusCode, ghost.statusCode], [403, 403]);
    assert.equal(other.json().error.code, 'ACCESS_DENIED');
    assert.equal((await send('GET', `/api/v1/catalog/accounts/${DATA}`, team)).statusCode, 403);
    assert.equal((await send('GET', `/api/v1/catalog/accounts/${PAYMENTS}`, team)).statusCode, 200);
  });

  test('a caller allowed the parent but no item gets an empty listing, not an error', async () => {
    const lister = await userWith('lister', [{ Effect: 'Allow', Action: ['yagura:GetCatalogGroups', 'yagura:GetCatalogAccounts'], Resource: 'arn:yagura:catalog:::*' }]);
    const groups = await send('GET', '/api/v1/catalog/groups', lister);
    assert.deepEqual([groups.statusCode, groups.json()], [200, { groups: [], nextCursor: null }]);
    const accounts = await send('GET', '/api/v1/catalog/groups/payments/accounts', lister);
    assert.deepEqual([accounts.statusCode, accounts.json()], [200, { accounts: [], nextCursor: null }]);
    const ghost = await send('GET', '/api/v1/catalog/groups/ghost/accounts', lister);
    assert.deepEqual([ghost.statusCode, ghost.json().error.code], [404, 'CATALOG_GROUP_NOT_FOUND'], 'allowed on the catalog and the name: told it does not exist');
  });

  test('a caller allowed every group but not the catalog is refused the listings (403 on the parent)', async () => {
    const noParent = await userWith('no-parent', [{ Effect: 'Allow', Action: ['yagura:GetCatalogGroup', 'yagura:GetCatalogAccount', 'yagura:GetCatalogAccounts'], Resource: ['arn:yagura:catalog:::group/*', 'arn:yagura:catalog:::account/*'] }]);
    const groups = await send('GET', '/api/v1/catalog/groups', noParent);
    assert.equal(groups.statusCode, 403);
    assert.match(groups.json().error.message, /yagura:GetCatalogGroups on arn:yagura:catalog:::catalog/);
    assert.equal((await send('GET', '/api/v1/catalog/groups/payments/accounts', noParent)).statusCode, 403);
    assert.equal((await send('GET', '/api/v1/catalog/groups/payments', noParent)).statusCode, 200, 'reading one group needs only the group');
  });

  test('listings page by ?limit= and ?cursor= over the visible items only', async () => {
    const first = await ok('GET', '/api/v1/catalog/groups?limit=2');
    assert.deepEqual(first.groups.map((g: Json) => g.name), ['data', 'payments']);
    const second = await ok('GET', `/api/v1/catalog/groups?limit=2&cursor=${first.nextCursor}`);
    assert.deepEqual([second.groups.map((g: Json) => g.name), second.nextCursor], [['unassigned'], null]);
  });

  test("the catalog's resource policy alone grants a user with no identity policy, and 'Principal: *' is refused", async () => {
    const guest = await userWith('guest', []);
    assert.equal((await send('GET', '/api/v1/catalog/groups', guest)).statusCode, 403);
    const star = await send('PUT', '/api/v1/catalog/policy', h.auth, { document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'yagura:GetCatalogGroups', Resource: 'arn:yagura:catalog:::catalog' }] } });
    assert.equal(star.statusCode, 400);
    assert.equal(star.json().error.code, 'INVALID_POLICY');
    assert.match(star.json().error.message, /^Statement\[0\]\.Principal: "\*" is not allowed/);
    const awsStar = await send('PUT', '/api/v1/catalog/policy', h.auth, { document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'yagura:GetCatalogGroups', Resource: 'arn:yagura:catalog:::catalog' }] } });
    assert.match(awsStar.json().error.message, /Statement\[0\]\.Principal/);
    const big = await send('PUT', '/api/v1/catalog/policy', h.auth, {
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:yagura:iam:::user/guest' }, Action: Array.from({ length: 400 }, (_, i) => `yagura:GetCatalogGroup${i}x`), Resource: 'arn:yagura:catalog:::catalog' }] },
    });
    assert.deepEqual([big.statusCode, big.json().error.code], [400, 'INVALID_POLICY']);
    assert.match(big.json().error.message, /10240-byte limit/);
    assert.equal((await send('GET', '/api/v1/catalog/policy', h.auth)).statusCode, 404, 'nothing was saved');

    const document = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'GuestSeesData', Effect: 'Allow', Principal: { AWS: 'arn:yagura:iam:::user/guest' }, Action: ['yagura:GetCatalogGroups', 'yagura:GetCatalogGroup'], Resource: ['arn:yagura:catalog:::catalog', 'arn:yagura:catalog:::group/data'] },
      ],
    };
    await ok('PUT', '/api/v1/catalog/policy', { document });
    assert.deepEqual((await ok('GET', '/api/v1/catalog/policy')).document, document);
    const granted = await send('GET', '/api/v1/catalog/groups', guest);
    assert.deepEqual([granted.statusCode, granted.json().groups.map((g: Json) => g.name)], [200, ['data']]);
    await ok('DELETE', '/api/v1/catalog/policy');
    assert.equal((await send('GET', '/api/v1/catalog/groups', guest)).statusCode, 403, 'removing the policy removes the grant');
  });

  test('every catalog route refuses a caller with no permission at all', async () => {
    const nobody = await userWith('nobody', []);
    const calls: Array<[string, string, unknown?]> = [
      ['GET', '/api/v1/catalog'],
      ['GET', '/api/v1/catalog/groups'],
      ['GET', '/api/v1/catalog/groups/payments'],
      ['PUT', '/api/v1/catalog/groups/payments', {}],
      ['DELETE', '/api/v1/catalog/groups/data'],
      ['GET', '/api/v1/catalog/groups/payments/accounts'],
      ['GET', `/api/v1/catalog/accounts/${PAYMENTS}`],
      ['GET', '/api/v1/catalog/accounts/999999999999'],
      ['PUT', `/api/v1/catalog/accounts/${PAYMENTS}`, { group: 'data' }],
      ['GET', '/api/v1/catalog/policy'],
      ['PUT', '/api/v1/catalog/policy', { document: {} }],
      ['DELETE', '/api/v1/catalog/policy'],
    ];
    for (const [method, url, payload] of calls) {
      const res = await send(method as 'GET', url, nobody, payload);
      assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
    }
    assert.equal((await ok('GET', `/api/v1/catalog/accounts/${PAYMENTS}`)).group, 'payments', 'nothing moved');
  });

  test('moving an account needs the old and the new group, and keeps its name and tags', async () => {
    const mover = await userWith('mover', [{ Effect: 'Allow', Action: 'yagura:PutCatalogAccount', Resource: 'arn:yagura:catalog:::account/data/*' }]);
    const refused = await send('PUT', `/api/v1/catalog/accounts/${PAYMENTS_2}`, mover, { group: 'data' });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.json().error.message, /account\/payments\/111111111112/);
    const moved = await ok('PUT', `/api/v1/catalog/accounts/${PAYMENTS_2}`, { group: 'data' });
    assert.deepEqual([moved.arn, moved.name, moved.tags], [`arn:yagura:catalog:::account/data/${PAYMENTS_2}`, 'pay-dev', { env: 'dev' }]);
    await ok('PUT', `/api/v1/catalog/accounts/${PAYMENTS_2}`, { group: 'payments' });
  });

  test('bad input is refused with a code naming it, and nothing is saved', async () => {
    const cases: Array<[string, string, unknown, number, string, RegExp?]> = [
      ['PUT', `/api/v1/catalog/accounts/${PAYMENTS}`, { group: 'nowhere' }, 400, 'UNKNOWN_CATALOG_GROUP', /"nowhere"/],
      ['PUT', '/api/v1/catalog/accounts/12345', { group: 'data' }, 400, 'INVALID_ACCOUNT_ID'],
      ['PUT', '/api/v1/catalog/accounts/1111111111ab', { group: 'data' }, 400, 'INVALID_ACCOUNT_ID'],
      ['PUT', `/api/v1/catalog/accounts/${PAYMENTS}`, { group: 'Data' }, 400, 'INVALID_NAME'],
      ['PUT', `/api/v1/catalog/accounts/${PAYMENTS}`, { group: 'data', name: 'x\u0007' }, 400, 'INVALID_ACCOUNT_NAME'],
      ['PUT', `/api/v1/catalog/accounts/${PAYMENTS}`, { group: 'data', tags: { k: 'v'.repeat(257) } }, 400, 'INVALID_TAGS', /"k"/],
      ['PUT', `/api/v1/catalog/accounts/${PAYMENTS}`, { group: 'data', extra: 1 }, 400, 'INVALID_PARAMETER', /"extra"/],
      ['PUT', '/api/v1/catalog/groups/has%2Fslash', {}, 400, 'INVALID_NAME'],
      ['PUT', '/api/v1/catalog/groups/UPPER', {}, 400, 'INVALID_NAME'],
      ['PUT', '/api/v1/catalog/groups/many', { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, ''])) }, 400, 'INVALID_TAGS', /51 tags/],
      ['PUT', '/api/v1/catalog/groups/many', { tags: { ['k'.repeat(129)]: 'v' } }, 400, 'INVALID_TAGS'],
      ['DELETE', '/api/v1/catalog/groups/unassigned', undefined, 409, 'BUILT_IN'],
      ['DELETE', '/api/v1/catalog/groups/payments', undefined, 409, 'CATALOG_GROUP_NOT_EMPTY'],
      ['GET', '/api/v1/catalog/groups/ghost', undefined, 404, 'CATALOG_GROUP_NOT_FOUND'],
      ['GET', '/api/v1/catalog/accounts/999999999999', undefined, 404, 'CATALOG_ACCOUNT_NOT_FOUND'],
      ['PUT', '/api/v1/catalog/policy', { document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'yagura:GetCatalog', Resource: 'arn:yagura:catalog:::catalog' }] } }, 400, 'INVALID_POLICY', /Statement\[0\]\.Principal: .* not a Yagura user or role/],
      ['PUT', '/api/v1/catalog/policy', { document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:yagura:iam:::user/a' }, Action: 'yagura:GetCatalog', Resource: 'arn:aws:s3:::bucket' }] } }, 400, 'INVALID_POLICY', /Statement\[0\]\.Resource/],
    ];
    for (const [method, url, payload, status, code, message] of cases) {
      const res = await send(method as 'GET', url, h.auth, payload);
      assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
      assert.equal(res.json().error.code, code, `${method} ${url}`);
      if (message) assert.match(res.json().error.message, message);
    }
    const account = await ok('GET', `/api/v1/catalog/accounts/${PAYMENTS}`);
    assert.deepEqual([account.group, account.name, account.tags], ['payments', 'pay-prod', { env: 'prod' }]);
    assert.equal((await send('GET', '/api/v1/catalog/groups/many', h.auth)).statusCode, 404);
  });

  test('accounts seen in ingested findings appear in unassigned; catalogued ones stay where they are', async () => {
    const res = await send('POST', '/api/v1/events', h.auth, [findingDoc({ accountId: '333333333333', id: 'u1' }), findingDoc({ accountId: PAYMENTS, id: 'u2' })]);
    assert.equal(res.statusCode, 200, res.body);
    await h.embedded.catalog.settled();
    const unassigned = await ok('GET', '/api/v1/catalog/groups/unassigned/accounts');
    assert.deepEqual(unassigned.accounts.map((a: Json) => [a.accountId, a.name, a.tags]), [['333333333333', null, {}]]);
    assert.equal((await ok('GET', `/api/v1/catalog/accounts/${PAYMENTS}`)).group, 'payments');
  });
});

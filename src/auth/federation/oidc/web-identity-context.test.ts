// A role's trust policy decides AssumeRoleWithWebIdentity with the policy engine's own evaluate() and the condition
// keys a real, verified token brings: by sub, by group, by audience, by session tag.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OidcIssuer } from '../../../../test/support/oidc-issuer.js';
import { evaluate, type Decision } from '../../policy/evaluate.js';
import { policyOrThrow } from '../../policy/validate.js';
import { OidcProviders } from './oidc-providers.js';
import { oidcProviderSchema } from './provider-config.js';
import type { VerifiedWebIdentity } from './verified-web-identity.js';
import { verifyWebIdentityToken } from './verify-web-identity-token.js';
import { ASSUME_ROLE_WITH_WEB_IDENTITY, oidcProviderArn, webIdentityContext, webIdentityKeyPrefix } from './web-identity-context.js';

const ROLE = 'arn:yagura:iam:::role/FindingsReader';

describe('trust policies on web identities', () => {
  let issuer: OidcIssuer;
  let providers: OidcProviders;
  let prefix: string;

  before(async () => {
    issuer = await OidcIssuer.start({ path: '/realms/yagura', user: { sub: 'alice', claims: { groups: ['payments-sec', 'analysts'], amr: ['pwd', 'mfa'], email: 'alice@example.org' } } });
    providers = new OidcProviders([oidcProviderSchema.parse({ id: 'corp', issuer: issuer.issuer, clientId: issuer.clientId, allowInsecureHttp: true })]);
    prefix = webIdentityKeyPrefix(issuer.issuer);
  });
  after(() => issuer.stop());

  const identityOf = async (claims: Record<string, unknown> = {}): Promise<VerifiedWebIdentity> => verifyWebIdentityToken(await issuer.sign(claims), providers);

  /** The decision of a trust policy with one Allow statement for this issuer's principal under `condition`. */
  function decide(identity: VerifiedWebIdentity, condition: Record<string, Record<string, unknown>>, principal = oidcProviderArn(identity.issuer)): Decision {
    const trust = policyOrThrow(
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Federated: oidcProviderArn(issuer.issuer) }, Action: ASSUME_ROLE_WITH_WEB_IDENTITY, Condition: condition }],
      },
      'resource',
    );
    return evaluate({ identity: [], resource: trust }, { principal, action: ASSUME_ROLE_WITH_WEB_IDENTITY, resource: ROLE, context: webIdentityContext(identity) }).decision;
  }

  test('the context carries the keys AWS sets for OIDC federation, prefixed with the issuer host and path', async () => {
    const identity = await identityOf();
    assert.equal(prefix, `${new URL(issuer.issuer).host}/realms/yagura`);
    assert.deepEqual(webIdentityContext(identity), {
      [`${prefix}:sub`]: 'alice',
      [`${prefix}:aud`]: issuer.clientId,
      [`${prefix}:amr`]: ['pwd', 'mfa'],
      [`${prefix}:groups`]: ['payments-sec', 'analysts'],
      [`${prefix}:email`]: 'alice@example.org',
      'aws:FederatedProvider': `arn:yagura:iam:::oidc-provider/${prefix}`,
    });
  });

  test('a condition on sub allows that subject and denies another', async () => {
    const condition = { StringEquals: { [`${prefix}:sub`]: 'alice', [`${prefix}:aud`]: issuer.clientId } };
    assert.equal(decide(await identityOf(), condition), 'allowed');
    assert.equal(decide(await identityOf({ sub: 'mallory' }), condition), 'implicit_deny');
  });

  test('a condition on the groups key allows a member of the group and denies others', async () => {
    const condition = { 'ForAnyValue:StringEquals': { [`${prefix}:groups`]: ['payments-sec', 'soc'] } };
    assert.equal(decide(await identityOf(), condition), 'allowed');
    assert.equal(decide(await identityOf({ groups: ['marketing'] }), condition), 'implicit_deny');
    assert.equal(decide(await identityOf({ groups: undefined }), condition), 'implicit_deny');
  });

  test('a Deny on a group wins over an Allow on the subject', async () => {
    const trust = policyOrThrow(
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Federated: oidcProviderArn(issuer.issuer) }, Action: ASSUME_ROLE_WITH_WEB_IDENTITY, Condition: { StringLike: { [`${prefix}:sub`]: '*' } } },
          { Effect: 'Deny', Principal: '*', Action: 'sts:*', Condition: { 'ForAnyValue:StringEquals': { [`${prefix}:groups`]: 'contractors' } } },
        ],
      },
      'resource',
    );
    const request = async (groups: string[]): Promise<Decision> =>
      evaluate({ identity: [], resource: trust }, { principal: oidcProviderArn(issuer.issuer), action: ASSUME_ROLE_WITH_WEB_IDENTITY, resource: ROLE, context: webIdentityContext(await identityOf({ groups })) }).decision;
    assert.equal(await request(['analysts']), 'allowed');
    assert.equal(await request(['analysts', 'contractors']), 'explicit_deny');
  });

  test('the trust policy names the provider: another issuer\'s principal is not allowed', async () => {
    const condition = { StringEquals: { [`${prefix}:sub`]: 'alice' } };
    assert.equal(decide(await identityOf(), condition, 'arn:yagura:iam:::oidc-provider/elsewhere.example.com'), 'implicit_deny');
  });

  test('a condition on amr can require multi-factor sign-in', async () => {
    const condition = { 'ForAnyValue:StringEquals': { [`${prefix}:amr`]: 'mfa' } };
    assert.equal(decide(await identityOf(), condition), 'allowed');
    assert.equal(decide(await identityOf({ amr: ['pwd'] }), condition), 'implicit_deny');
  });

  test('a policy variable reads the subject: a role per user', async () => {
    const condition = { StringEquals: { 'yagura:RequestedRole': `FindingsReader-\${${prefix}:sub}` } };
    const identity = await identityOf();
    const trust = policyOrThrow({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: oidcProviderArn(issuer.issuer) }, Action: ASSUME_ROLE_WITH_WEB_IDENTITY, Condition: condition }] }, 'resource');
    const request = (role: string): Decision =>
      evaluate({ identity: [], resource: trust }, { principal: oidcProviderArn(issuer.issuer), action: ASSUME_ROLE_WITH_WEB_IDENTITY, resource: ROLE, context: { ...webIdentityContext(identity), 'yagura:RequestedRole': role } }).decision;
    assert.equal(request('FindingsReader-alice'), 'allowed');
    assert.equal(request('FindingsReader-bob'), 'implicit_deny');
  });

  test('session tags from the token are request tags the trust policy can test', async () => {
    const identity = await identityOf({ 'https://aws.amazon.com/tags': { principal_tags: { Team: ['payments'] } } });
    const context = webIdentityContext(identity);
    assert.equal(context['aws:RequestTag/Team'], 'payments');
    assert.deepEqual(context['aws:TagKeys'], ['Team']);
    assert.equal(decide(identity, { StringEquals: { 'aws:RequestTag/Team': 'payments' } }), 'allowed');
  });
});

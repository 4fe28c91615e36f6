// AssumeRoleWithWebIdentity's token verification against a real issuer over HTTP, with real signed (and forged) JWTs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OidcIssuer } from '../../../../test/support/oidc-issuer.js';
import { OidcProviders, type OidcProvidersOptions } from './oidc-providers.js';
import { oidcProviderSchema } from './provider-config.js';
import { verifyWebIdentityToken } from './verify-web-identity-token.js';
import { WebIdentityError, type WebIdentityErrorCode } from './web-identity-error.js';

function providersFor(issuers: readonly OidcIssuer[], options: OidcProvidersOptions = {}, extra: Record<string, unknown> = {}): OidcProviders {
  const configs = issuers.map((issuer, i) =>
    oidcProviderSchema.parse({ id: `idp${i}`, issuer: issuer.issuer, clientId: issuer.clientId, allowInsecureHttp: true, ...extra }),
  );
  return new OidcProviders(configs, options);
}

/** Asserts the promise fails with a WebIdentityError of `code` whose message does not quote the token. */
async function refused(promise: Promise<unknown>, code: WebIdentityErrorCode, token?: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof WebIdentityError, `expected a WebIdentityError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    if (token) for (const part of token.split('.').filter((p) => p.length > 8)) assert.ok(!error.message.includes(part), 'the message quotes the token');
    return true;
  });
}

describe('verifyWebIdentityToken', () => {
  let issuer: OidcIssuer;
  let other: OidcIssuer;
  let providers: OidcProviders;

  before(async () => {
    issuer = await OidcIssuer.start({ user: { sub: 'alice', claims: { email: 'alice@example.org', groups: ['payments-sec', 'analysts'] } } });
    other = await OidcIssuer.start();
    providers = providersFor([issuer]);
  });
  after(async () => {
    await issuer.stop();
    await other.stop();
  });

  test('a valid RS256 token is verified and says who, for whom, until when', async () => {
    const token = await issuer.sign();
    const identity = await verifyWebIdentityToken(token, providers);
    assert.equal(identity.providerId, 'idp0');
    assert.equal(identity.issuer, issuer.issuer);
    assert.equal(identity.subject, 'alice');
    assert.deepEqual(identity.audiences, [issuer.clientId]);
    assert.deepEqual(identity.groups, ['payments-sec', 'analysts']);
    assert.equal(identity.email, 'alice@example.org');
    assert.equal(identity.claims.sub, 'alice');
    assert.ok(identity.expiresAt.getTime() > Date.now());
    assert.ok(identity.issuedAt.getTime() <= Date.now());
  });

  test('a valid ES256 token is verified with the key its kid names', async () => {
    const identity = await verifyWebIdentityToken(await issuer.sign({}, { alg: 'ES256' }), providers);
    assert.equal(identity.subject, 'alice');
  });

  test('the provider is chosen by ProviderId (its id or its issuer host) as well as by iss', async () => {
    const token = await issuer.sign();
    assert.equal((await verifyWebIdentityToken(token, providers, { providerId: 'idp0' })).providerId, 'idp0');
    assert.equal((await verifyWebIdentityToken(token, providers, { providerId: new URL(issuer.issuer).host })).providerId, 'idp0');
    await refused(verifyWebIdentityToken(token, providers, { providerId: 'nobody' }), 'ValidationError');
  });

  test('an expired token is refused with ExpiredTokenException', async () => {
    const t = Math.floor(Date.now() / 1000);
    const token = await issuer.sign({ iat: t - 600, exp: t - 120 });
    await refused(verifyWebIdentityToken(token, providers), 'ExpiredTokenException', token);
  });

  test('a token expired by less than the 60-second tolerance is still accepted', async () => {
    const t = Math.floor(Date.now() / 1000);
    assert.equal((await verifyWebIdentityToken(await issuer.sign({ iat: t - 600, exp: t - 30 }), providers)).subject, 'alice');
  });

  test('a token whose nbf is in the future is refused', async () => {
    const token = await issuer.sign({ nbf: Math.floor(Date.now() / 1000) + 600 });
    await refused(verifyWebIdentityToken(token, providers), 'InvalidIdentityToken', token, /nbf/);
  });

  test('a token issued in the future beyond the tolerance is refused', async () => {
    const t = Math.floor(Date.now() / 1000);
    const token = await issuer.sign({ iat: t + 600, exp: t + 900 });
    await refused(verifyWebIdentityToken(token, providers), 'InvalidIdentityToken', token, /iat/);
  });

  test('the clock can be given: a token is judged at that time', async () => {
    const token = await issuer.sign();
    await refused(verifyWebIdentityToken(token, providers, { now: new Date(Date.now() + 3600_000) }), 'ExpiredTokenException');
  });

  test('a token for another audience is refused', async () => {
    const token = await issuer.sign({ aud: 'someone-else' });
    await refused(verifyWebIdentityToken(token, providers), 'InvalidIdentityToken', token, /audience/);
  });

  test('configured audiences replace the client id, and any one of several token audiences suffices', async () => {
    const sts = providersFor([issuer], {}, { audiences: ['sts.yagura', 'ci'] });
    await refused(verifyWebIdentityToken(await issuer.sign(), sts), 'InvalidIdentityToken');
    const identity = await verifyWebIdentityToken(await issuer.sign({ aud: ['unrelated', 'ci'] }), sts);
    assert.deepEqual(identity.audiences, ['ci']);
  });

  test('a token from an issuer that is not configured is refused', async () => {
    const token = await other.sign();
    await refused(verifyWebIdentityToken(token, providers), 'InvalidIdentityToken', token, /not a configured/);
    await refused(verifyWebIdentityToken(await issuer.sign({ iss: `${issuer.issuer}/` }), providers), 'InvalidIdentityToken');
  });

  test('a token naming the configured issuer but signed by another issuer is refused', async () => {
    const token = await other.sign({ iss: issuer.issuer, aud: issuer.clientId });
    await refused(verifyWebIdentityToken(token, providers), 'InvalidIdentityToken', token);
  });

  test('with a ProviderId, a token from another issuer is refused', async () => {
    const both = providersFor([issuer, other]);
    const token = await other.sign();
    await refused(verifyWebIdentityToken(token, both, { providerId: 'idp0' }), 'InvalidIdentityToken', token, /issuer/);
  });

  test('alg none is refused without fetching any key', async () => {
    const token = await issuer.sign({}, { hostile: 'none' });
    const fresh = providersFor([issuer]);
    const before = issuer.requests.jwks;
    await refused(verifyWebIdentityToken(token, fresh), 'InvalidIdentityToken', token, /public-key/);
    assert.equal(issuer.requests.jwks, before);
  });

  test('HS256 signed with the public key (PEM or JWK bytes) as the secret is refused', async () => {
    for (const hostile of ['hs256-public-pem', 'hs256-public-jwk'] as const) {
      const token = await issuer.sign({}, { hostile });
      await refused(verifyWebIdentityToken(token, providers), 'InvalidIdentityToken', token, /public-key/);
    }
  });

  test('a token signed by another key under a published kid fails its signature', async () => {
    const token = await issuer.sign({}, { hostile: 'kid-of-published-key' });
    await refused(verifyWebIdentityToken(token, providers), 'InvalidIdentityToken', token, /signature/);
  });

  test('a tampered token fails its signature', async () => {
    const token = await issuer.sign();
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify(issuer.claimsFor({ sub: 'admin' }))).toString('base64url')}.${signature}`;
    await refused(verifyWebIdentityToken(forged, providers), 'InvalidIdentityToken', forged, /signature/);
  });

  test('an unknown kid makes the key set be fetched again once, then the token is refused', async () => {
    const fresh = providersFor([issuer], { jwksCooldownSeconds: 0 });
    await verifyWebIdentityToken(await issuer.sign(), fresh);
    const before = issuer.requests.jwks;
    const token = await issuer.sign({}, { hostile: 'unpublished-key' });
    await refused(verifyWebIdentityToken(token, fresh), 'InvalidIdentityToken', token, /key id/);
    assert.equal(issuer.requests.jwks, before + 1);
  });

  test('within the cooldown, unknown kids do not make the key set be fetched again', async () => {
    const fresh = providersFor([issuer]);
    await verifyWebIdentityToken(await issuer.sign(), fresh);
    const before = issuer.requests.jwks;
    for (let i = 0; i < 5; i++) await refused(verifyWebIdentityToken(await issuer.sign({}, { hostile: 'unpublished-key' }), fresh), 'InvalidIdentityToken');
    assert.equal(issuer.requests.jwks, before);
  });

  test('malformed tokens are refused as InvalidIdentityToken, and an oversized one before parsing', async () => {
    for (const token of ['', 'not-a-jwt', 'a.b.c', `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.e30.`]) {
      await refused(verifyWebIdentityToken(token, providers), 'InvalidIdentityToken');
    }
    await refused(verifyWebIdentityToken('x'.repeat(20_001), providers), 'InvalidIdentityToken', undefined, /longer/);
  });

  test('a token without sub or exp is refused', async () => {
    await refused(verifyWebIdentityToken(await issuer.sign({ sub: undefined }), providers), 'InvalidIdentityToken', undefined, /sub/);
    await refused(verifyWebIdentityToken(await issuer.sign({ exp: undefined }), providers), 'InvalidIdentityToken', undefined, /exp/);
  });

  test('an email marked unverified is not reported', async () => {
    const identity = await verifyWebIdentityToken(await issuer.sign({ email_verified: false }), providers);
    assert.equal(identity.email, undefined);
  });

  test('groups come from the configured claim, a dotted path reaching into an object', async () => {
    const keycloak = providersFor([issuer], {}, { groupsClaim: 'realm_access.roles' });
    const identity = await verifyWebIdentityToken(await issuer.sign({ realm_access: { roles: ['auditor'] } }), keycloak);
    assert.deepEqual(identity.groups, ['auditor']);
    const namespaced = providersFor([issuer], {}, { groupsClaim: 'https://yagura.example/groups' });
    assert.deepEqual((await verifyWebIdentityToken(await issuer.sign({ 'https://yagura.example/groups': 'ops' }), namespaced)).groups, ['ops']);
    await refused(verifyWebIdentityToken(await issuer.sign({ groups: [{ name: 'x' }] }), providers), 'InvalidIdentityToken', undefined, /groups/);
  });

  test('session tags in AWS\'s tags claim are read, and malformed ones refuse the token', async () => {
    const tags = { 'https://aws.amazon.com/tags': { principal_tags: { Team: ['payments'], CostCenter: ['42'] }, transitive_tag_keys: ['Team'] } };
    const identity = await verifyWebIdentityToken(await issuer.sign(tags), providers);
    assert.deepEqual(identity.sessionTags, { Team: 'payments', CostCenter: '42' });
    const bad = { 'https://aws.amazon.com/tags': { principal_tags: { Team: ['a', 'b'] } } };
    await refused(verifyWebIdentityToken(await issuer.sign(bad), providers), 'InvalidIdentityToken', undefined, /session tags/);
  });
});

describe('key rotation', () => {
  test('a rotated key is picked up without a restart, and a token of a removed key is refused', async () => {
    const issuer = await OidcIssuer.start();
    try {
      const providers = providersFor([issuer], { jwksCooldownSeconds: 0 });
      const [oldKid] = issuer.publishedKids;
      const oldToken = await issuer.sign({}, { kid: oldKid! });
      await verifyWebIdentityToken(oldToken, providers);

      await issuer.rotate({ keepOld: false });
      const newToken = await issuer.sign();
      assert.notEqual(issuer.publishedKids[0], oldKid);
      assert.equal((await verifyWebIdentityToken(newToken, providers)).subject, 'alice');
      await refused(verifyWebIdentityToken(oldToken, providers), 'InvalidIdentityToken', oldToken, /key id/);
    } finally {
      await issuer.stop();
    }
  });

  test('while old and new keys are both published, tokens of either verify', async () => {
    const issuer = await OidcIssuer.start();
    try {
      const providers = providersFor([issuer], { jwksCooldownSeconds: 0 });
      const oldToken = await issuer.sign();
      await issuer.rotate({ keepOld: true });
      assert.equal((await verifyWebIdentityToken(await issuer.sign(), providers)).subject, 'alice');
      assert.equal((await verifyWebIdentityToken(oldToken, providers)).subject, 'alice');
    } finally {
      await issuer.stop();
    }
  });
});

describe('the issuer unreachable', () => {
  test('an issuer that is down answers IDPCommunicationError', async () => {
    const issuer = await OidcIssuer.start();
    const token = await issuer.sign();
    const providers = providersFor([issuer]);
    await issuer.stop();
    await refused(verifyWebIdentityToken(token, providers), 'IDPCommunicationError', token, /discovery document of OpenID Connect provider "idp0"/);
  });

  test('a key set that cannot be fetched answers IDPCommunicationError, and a later success recovers', async () => {
    const issuer = await OidcIssuer.start();
    try {
      const providers = providersFor([issuer]);
      issuer.unavailable.add('jwks');
      const token = await issuer.sign();
      await refused(verifyWebIdentityToken(token, providers), 'IDPCommunicationError', token, /signing keys/);
      issuer.unavailable.delete('jwks');
      assert.equal((await verifyWebIdentityToken(token, providers)).subject, 'alice');
    } finally {
      await issuer.stop();
    }
  });

  test('keys already fetched keep verifying while the issuer is down', async () => {
    const issuer = await OidcIssuer.start();
    const providers = providersFor([issuer]);
    const token = await issuer.sign();
    await verifyWebIdentityToken(token, providers);
    await issuer.stop();
    assert.equal((await verifyWebIdentityToken(token, providers)).subject, 'alice');
  });

  test('an issuer configured with another spelling than its discovery document is refused as a configuration problem', async () => {
    const issuer = await OidcIssuer.start();
    try {
      const config = oidcProviderSchema.parse({ id: 'slash', issuer: `${issuer.issuer}/`, clientId: issuer.clientId, allowInsecureHttp: true });
      const token = await issuer.sign({ iss: `${issuer.issuer}/` });
      await refused(verifyWebIdentityToken(token, new OidcProviders([config])), 'IDPCommunicationError', token, /spells its issuer differently/);
    } finally {
      await issuer.stop();
    }
  });
});

// The dashboard's sign-in with a real issuer: authorization code flow with PKCE, state and nonce, the code exchanged
// server-side with the client secret; forged callbacks, mismatched nonces and refusals are told apart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { OidcIssuer } from '../../../../test/support/oidc-issuer.js';
import { OidcProviders } from './oidc-providers.js';
import { oidcProviderSchema } from './provider-config.js';
import { beginSignIn, completeSignIn, type SignInStart } from './sign-in.js';
import { WebIdentityError, type WebIdentityErrorCode } from './web-identity-error.js';

const REDIRECT = 'https://yagura.example.org/api/v1/login/oidc/corp/callback';

/** What the browser does: follow the authorization URL to the provider, which redirects back with the callback URL. */
async function browse(start: SignInStart): Promise<string> {
  const response = await fetch(start.url, { redirect: 'manual' });
  assert.equal(response.status, 302, `the provider answered ${response.status}`);
  return response.headers.get('location')!;
}

async function refused(promise: Promise<unknown>, code: WebIdentityErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof WebIdentityError, `expected a WebIdentityError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
}

describe('sign-in with the authorization code flow', () => {
  let issuer: OidcIssuer;
  let providers: OidcProviders;

  before(async () => {
    issuer = await OidcIssuer.start({ redirectUris: [REDIRECT], user: { sub: 'alice', claims: { email: 'alice@example.org', groups: ['analysts'] } } });
    const corp = oidcProviderSchema.parse({ id: 'corp', displayName: 'Corp SSO', issuer: issuer.issuer, clientId: issuer.clientId, clientSecret: issuer.clientSecret, allowInsecureHttp: true, audiences: ['sts.yagura'] });
    providers = new OidcProviders([corp]);
  });
  after(() => issuer.stop());

  test('the authorization URL asks for a code with PKCE S256, state, nonce and the provider\'s scopes', async () => {
    const start = await beginSignIn(providers, 'corp', REDIRECT);
    const url = new URL(start.url);
    assert.equal(`${url.origin}${url.pathname}`, `${issuer.issuer}/authorize`);
    const p = url.searchParams;
    assert.equal(p.get('response_type'), 'code');
    assert.equal(p.get('client_id'), issuer.clientId);
    assert.equal(p.get('redirect_uri'), REDIRECT);
    assert.equal(p.get('scope'), 'openid profile email');
    assert.equal(p.get('code_challenge_method'), 'S256');
    assert.equal(p.get('state'), start.state);
    assert.equal(p.get('nonce'), start.nonce);
    assert.ok(p.get('code_challenge') && p.get('code_challenge') !== start.codeVerifier, 'the challenge is sent, never the verifier');
    assert.ok(!start.url.includes(issuer.clientSecret), 'the client secret stays on the server');
  });

  test('a full sign-in ends in the verified identity, for the client id as audience', async () => {
    const start = await beginSignIn(providers, 'corp', REDIRECT);
    const callback = await browse(start);
    const before = issuer.requests.token;
    const identity = await completeSignIn(providers, 'corp', callback, start);
    assert.equal(issuer.requests.token, before + 1);
    assert.equal(identity.providerId, 'corp');
    assert.equal(identity.subject, 'alice');
    assert.equal(identity.email, 'alice@example.org');
    assert.deepEqual(identity.groups, ['analysts']);
    assert.deepEqual(identity.audiences, [issuer.clientId]);
    assert.equal(identity.claims.nonce, start.nonce);
  });

  test('a callback whose state is not this sign-in\'s is refused before the code is exchanged', async () => {
    const start = await beginSignIn(providers, 'corp', REDIRECT);
    const callback = await browse(start);
    const before = issuer.requests.token;
    await refused(completeSignIn(providers, 'corp', callback, { ...start, state: 'another-sign-in' }), 'InvalidAuthorizationResponse', /state/);
    const forged = new URL(callback);
    forged.searchParams.delete('state');
    await refused(completeSignIn(providers, 'corp', forged, start), 'InvalidAuthorizationResponse', /state/);
    assert.equal(issuer.requests.token, before);
  });

  test('an ID token whose nonce is not this sign-in\'s is refused', async () => {
    const start = await beginSignIn(providers, 'corp', REDIRECT);
    const callback = await browse(start);
    await refused(completeSignIn(providers, 'corp', callback, { ...start, nonce: 'another-nonce' }), 'InvalidIdentityToken', /nonce/);
  });

  test('the ID token from the code exchange must verify with the provider\'s keys, as a web identity token does', async () => {
    issuer.idTokenSigning = { hostile: 'kid-of-published-key' };
    try {
      const start = await beginSignIn(providers, 'corp', REDIRECT);
      await refused(completeSignIn(providers, 'corp', await browse(start), start), 'InvalidIdentityToken', /signature/);
    } finally {
      issuer.idTokenSigning = {};
    }
  });

  test('an ID token with alg none or HS256 from the code exchange is refused', async () => {
    for (const hostile of ['none', 'hs256-public-pem'] as const) {
      issuer.idTokenSigning = { hostile };
      try {
        const start = await beginSignIn(providers, 'corp', REDIRECT);
        await refused(completeSignIn(providers, 'corp', await browse(start), start), 'InvalidIdentityToken');
      } finally {
        issuer.idTokenSigning = {};
      }
    }
  });

  test('a callback naming another issuer (a mix-up) is refused before the code is exchanged', async () => {
    const start = await beginSignIn(providers, 'corp', REDIRECT);
    const callback = new URL(await browse(start));
    const before = issuer.requests.token;
    callback.searchParams.set('iss', 'https://elsewhere.example.org');
    await refused(completeSignIn(providers, 'corp', callback, start), 'InvalidAuthorizationResponse', /iss/);
    callback.searchParams.delete('iss');
    await refused(completeSignIn(providers, 'corp', callback, start), 'InvalidAuthorizationResponse', /iss/);
    assert.equal(issuer.requests.token, before);
  });

  test('the code is exchanged only with this sign-in\'s PKCE verifier', async () => {
    const start = await beginSignIn(providers, 'corp', REDIRECT);
    const other = await beginSignIn(providers, 'corp', REDIRECT);
    const callback = await browse(start);
    await refused(completeSignIn(providers, 'corp', callback, { ...start, codeVerifier: other.codeVerifier }), 'IDPRejectedClaim', /invalid_grant/);
  });

  test('a code is exchanged once: replaying the callback is refused', async () => {
    const start = await beginSignIn(providers, 'corp', REDIRECT);
    const callback = await browse(start);
    await completeSignIn(providers, 'corp', callback, start);
    await refused(completeSignIn(providers, 'corp', callback, start), 'IDPRejectedClaim', /invalid_grant/);
  });

  test('a wrong client secret is refused by the provider', async () => {
    const wrong = new OidcProviders([oidcProviderSchema.parse({ id: 'corp', issuer: issuer.issuer, clientId: issuer.clientId, clientSecret: 'not-the-secret', allowInsecureHttp: true })]);
    const start = await beginSignIn(wrong, 'corp', REDIRECT);
    await refused(completeSignIn(wrong, 'corp', await browse(start), start), 'IDPRejectedClaim', /invalid_client/);
  });

  test('a person who declines at the provider gets IDPRejectedClaim', async () => {
    issuer.consent = 'deny';
    try {
      const start = await beginSignIn(providers, 'corp', REDIRECT);
      await refused(completeSignIn(providers, 'corp', await browse(start), start), 'IDPRejectedClaim', /access_denied/);
    } finally {
      issuer.consent = 'approve';
    }
  });

  test('a callback without a code, or that is no URL, is refused', async () => {
    const start = await beginSignIn(providers, 'corp', REDIRECT);
    await refused(completeSignIn(providers, 'corp', `${REDIRECT}?state=${start.state}`, start), 'InvalidAuthorizationResponse', /code/);
    await refused(completeSignIn(providers, 'corp', 'not a url', start), 'InvalidAuthorizationResponse');
  });

  test('an unknown provider id is a ValidationError', async () => {
    await refused(beginSignIn(providers, 'nobody', REDIRECT), 'ValidationError');
  });

  test('a token endpoint that is unreachable answers IDPCommunicationError', async () => {
    const start = await beginSignIn(providers, 'corp', REDIRECT);
    const callback = await browse(start);
    issuer.unavailable.add('token');
    try {
      await refused(completeSignIn(providers, 'corp', callback, start), 'IDPCommunicationError');
    } finally {
      issuer.unavailable.delete('token');
    }
  });
});

// The dashboard's "Sign in with <provider>": the authorization code flow with PKCE, state and nonce (openid-client),
// the code exchanged server-side, and the ID token then verified as a web identity token is.
import { timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import { unreachable, type OidcProviders } from './oidc-providers.js';
import type { OidcProviderConfig } from './provider-config.js';
import type { VerifiedWebIdentity } from './verified-web-identity.js';
import { verifyIdToken } from './verify-web-identity-token.js';
import { WebIdentityError } from './web-identity-error.js';

/** What beginSignIn returns: send the browser to `url`; keep the rest server-side (or sealed) until the callback. */
export interface SignInStart {
  readonly url: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

export type SignInChecks = Omit<SignInStart, 'url'>;

function providerOf(providers: OidcProviders, providerId: string): OidcProviderConfig {
  const provider = providers.list().find((p) => p.id === providerId);
  if (!provider) throw new WebIdentityError('ValidationError', 'no OpenID Connect provider has that id');
  return provider;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** An OAuth error code from the provider, shown only when it has the registered shape (it comes from outside). */
function oauthCode(value: unknown): string {
  return typeof value === 'string' && /^[a-z_]{1,64}$/.test(value) ? value : 'an unregistered error';
}

/** openid-client's refusals as coded errors; none of their messages, causes or bodies are passed on. */
function translate(error: unknown, provider: OidcProviderConfig): WebIdentityError {
  if (error instanceof WebIdentityError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    return new WebIdentityError('IDPRejectedClaim', `provider "${provider.id}" refused the sign-in (${oauthCode(error.error)})`);
  }
  if (error instanceof client.ResponseBodyError) {
    return new WebIdentityError('IDPRejectedClaim', `provider "${provider.id}" refused the code exchange (${oauthCode(error.error)})`);
  }
  if (error instanceof client.ClientError) {
    const claim = (error.cause as { cause?: { claim?: unknown } } | undefined)?.cause?.claim;
    if (error.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && claim === 'nonce') return new WebIdentityError('InvalidIdentityToken', 'the ID token\'s nonce is not the one this sign-in sent');
    if (error.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' && claim === 'exp') return new WebIdentityError('ExpiredTokenException', 'the ID token has expired');
    if (error.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' || error.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') {
      return new WebIdentityError('InvalidIdentityToken', `the ID token's "${typeof claim === 'string' ? claim : 'unknown'}" claim is not valid for this sign-in`);
    }
    if (error.code === 'OAUTH_INVALID_RESPONSE') {
      // The callback was checked before the exchange, so this is the token endpoint's answer (e.g. an ID token
      // with alg none or HS256, which openid-client refuses before Yagura verifies the signature).
      return new WebIdentityError('InvalidIdentityToken', `provider "${provider.id}" answered the code exchange without a valid ID token`);
    }
  }
  return unreachable(provider, 'token endpoint answer', error);
}

/**
 * Starts a sign-in: PKCE (S256) verifier and challenge, `state` and `nonce`, and the provider's authorization URL
 * with the provider's scopes. `redirectUri` must be registered at the provider for this client.
 */
export async function beginSignIn(providers: OidcProviders, providerId: string, redirectUri: string): Promise<SignInStart> {
  const provider = providerOf(providers, providerId);
  const { client: config } = await providers.discover(provider);
  if (config.serverMetadata().authorization_endpoint === undefined) {
    throw new WebIdentityError('IDPCommunicationError', `the discovery document of OpenID Connect provider "${provider.id}" has no authorization_endpoint`);
  }
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: provider.scopes.join(' '),
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url: url.href, state, nonce, codeVerifier };
}

/**
 * Finishes a sign-in from the URL the provider redirected the browser to: the `state` must be this sign-in's, the
 * code is exchanged with the client secret and PKCE verifier, and the ID token must verify (signature by `kid`,
 * issuer, `aud` = the client id, times) and carry this sign-in's nonce.
 * Throws WebIdentityError: InvalidAuthorizationResponse, IDPRejectedClaim, InvalidIdentityToken,
 * ExpiredTokenException, IDPCommunicationError, ValidationError.
 */
export async function completeSignIn(providers: OidcProviders, providerId: string, callbackUrl: string | URL, checks: SignInChecks, options: { readonly now?: Date } = {}): Promise<VerifiedWebIdentity> {
  const provider = providerOf(providers, providerId);
  const url = URL.canParse(String(callbackUrl)) ? new URL(String(callbackUrl)) : undefined;
  if (!url) throw new WebIdentityError('InvalidAuthorizationResponse', 'the sign-in callback is not a URL');
  // Checked here too (openid-client checks it as well) so that a forged callback has its own code and sentence.
  const state = url.searchParams.get('state');
  if (state === null || !sameText(state, checks.state)) throw new WebIdentityError('InvalidAuthorizationResponse', 'the sign-in callback\'s state is not the one this sign-in sent');
  if (!url.searchParams.has('code') && !url.searchParams.has('error')) throw new WebIdentityError('InvalidAuthorizationResponse', 'the sign-in callback carries no authorization code');
  const { client: config } = await providers.discover(provider);
  // RFC 9207: a callback naming another issuer is a mix-up (a response meant for another provider).
  const iss = url.searchParams.get('iss');
  if (iss !== null ? iss !== provider.issuer : config.serverMetadata().authorization_response_iss_parameter_supported === true) {
    throw new WebIdentityError('InvalidAuthorizationResponse', 'the sign-in callback does not come from this provider (its iss parameter is missing or another issuer)');
  }
  let idToken: string | undefined;
  try {
    const tokens = await client.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
    idToken = tokens.id_token;
  } catch (error) {
    throw translate(error, provider);
  }
  if (idToken === undefined) throw new WebIdentityError('InvalidIdentityToken', `provider "${provider.id}" answered the code exchange without an ID token`);
  // openid-client checks the ID token's claims but, as OpenID Connect allows over TLS, not its signature: verify it
  // the same way AssumeRoleWithWebIdentity does, for the client id as audience.
  return verifyIdToken(idToken, provider, providers, { audiences: [provider.clientId], nonce: checks.nonce, ...(options.now && { now: options.now }) });
}

// Verifies a web identity token (an OIDC ID token) for AssumeRoleWithWebIdentity: the issuer's key its `kid` names,
// an asymmetric algorithm, the exact issuer, an accepted audience and its times, all with jose.
import { decodeJwt, errors, jwtVerify, type JWTPayload } from 'jose';
import { CLOCK_TOLERANCE_SECONDS, unreachable, type OidcProviders } from './oidc-providers.js';
import type { OidcProviderConfig } from './provider-config.js';
import { identityFromClaims, type VerifiedWebIdentity } from './verified-web-identity.js';
import { WebIdentityError } from './web-identity-error.js';

/** AWS STS's limit on `WebIdentityToken`; a larger token is refused before it is parsed. */
export const MAX_TOKEN_CHARACTERS = 20_000;

/**
 * Public-key algorithms only: `none` and the HMAC algorithms are refused before any key is looked up, so a token
 * "signed" with the provider's public key as an HMAC secret can never verify.
 */
export const ALLOWED_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

export interface VerifyOptions {
  /** AssumeRoleWithWebIdentity's `ProviderId`: the provider's id or its issuer's host and path. */
  readonly providerId?: string;
  readonly now?: Date;
}

function invalid(message: string): WebIdentityError {
  return new WebIdentityError('InvalidIdentityToken', message);
}

/** jose's refusals as STS's codes; anything else is a failure to read the provider's keys. */
function translate(error: unknown, provider: OidcProviderConfig): WebIdentityError {
  if (error instanceof WebIdentityError) return error;
  if (error instanceof errors.JWTExpired) return new WebIdentityError('ExpiredTokenException', 'the web identity token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    const claim = error.claim;
    if (claim === 'nbf') return invalid('the web identity token is not valid yet (its "nbf" is in the future)');
    if (claim === 'aud') return invalid(`the web identity token is not for an audience provider "${provider.id}" accepts`);
    if (claim === 'iss') return invalid(`the web identity token's issuer is not provider "${provider.id}"'s`);
    return invalid(`the web identity token's "${claim}" claim is missing or not valid`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return invalid('the web identity token is not signed with a public-key algorithm (RS*, PS*, ES*, EdDSA)');
  if (error instanceof errors.JWKSNoMatchingKey) return invalid(`no signing key of provider "${provider.id}" has the token's key id`);
  if (error instanceof errors.JWKSMultipleMatchingKeys) return invalid(`several signing keys of provider "${provider.id}" match the token; it must name one by its key id`);
  if (error instanceof errors.JWSSignatureVerificationFailed) return invalid('the web identity token\'s signature does not verify');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) return invalid('the web identity token is not a well-formed signed JWT');
  return unreachable(provider, 'signing keys', error);
}

function unverifiedClaims(token: string): JWTPayload {
  try {
    return decodeJwt(token);
  } catch {
    throw invalid('the web identity token is not a JWT');
  }
}

function choose(providers: OidcProviders, claims: JWTPayload, providerId: string | undefined): OidcProviderConfig {
  if (providerId !== undefined) {
    const named = providers.byId(providerId);
    if (!named) throw new WebIdentityError('ValidationError', 'ProviderId names no configured OpenID Connect provider');
    // Refused before any key is fetched; an `iss` that does match is still verified with the signature.
    if (claims.iss !== named.issuer) throw invalid(`the web identity token's issuer is not provider "${named.id}"'s`);
    return named;
  }
  // The unverified `iss` only chooses whose keys to try; jwtVerify then requires it to be exactly that issuer.
  const found = typeof claims.iss === 'string' ? providers.byIssuer(claims.iss) : undefined;
  if (!found) throw invalid('the web identity token\'s issuer is not a configured OpenID Connect provider');
  return found;
}

export interface IdTokenChecks {
  /** Accepted `aud` values; the provider's configured audiences when absent. */
  readonly audiences?: readonly string[];
  /** The `nonce` the token must carry (the dashboard's code flow). */
  readonly nonce?: string;
  readonly now?: Date;
}

/** Verifies a token from `provider`: signature, algorithm, `iss`, `aud`, `exp`, `nbf`, `iat`, and `nonce` if asked. */
export async function verifyIdToken(token: string, provider: OidcProviderConfig, providers: OidcProviders, checks: IdTokenChecks = {}): Promise<VerifiedWebIdentity> {
  const audiences = checks.audiences ?? provider.audiences;
  const now = checks.now ?? new Date();
  let claims: JWTPayload;
  try {
    const { keys } = await providers.discover(provider);
    ({ payload: claims } = await jwtVerify(token, keys, {
      issuer: provider.issuer,
      audience: [...audiences],
      algorithms: [...ALLOWED_ALGORITHMS],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: now,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    }));
  } catch (error) {
    throw translate(error, provider);
  }
  // jose checks `iat` against the clock only with maxTokenAge; a token issued in the future is refused here.
  if (claims.iat! * 1000 > now.getTime() + CLOCK_TOLERANCE_SECONDS * 1000) throw invalid('the web identity token was issued in the future (its "iat" is ahead of the clock)');
  if (checks.nonce !== undefined && claims.nonce !== checks.nonce) throw invalid('the ID token\'s nonce is not the one this sign-in sent');
  return identityFromClaims(provider, claims, audiences);
}

/**
 * Verifies an AssumeRoleWithWebIdentity token against the configured providers. Throws WebIdentityError:
 * InvalidIdentityToken, ExpiredTokenException, IDPCommunicationError, or ValidationError for an unknown ProviderId.
 */
export async function verifyWebIdentityToken(token: string, providers: OidcProviders, options: VerifyOptions = {}): Promise<VerifiedWebIdentity> {
  if (typeof token !== 'string' || token === '') throw invalid('the web identity token is empty');
  if (token.length > MAX_TOKEN_CHARACTERS) throw invalid(`the web identity token is longer than ${MAX_TOKEN_CHARACTERS} characters`);
  const provider = choose(providers, unverifiedClaims(token), options.providerId);
  return verifyIdToken(token, provider, providers, { ...(options.now && { now: options.now }) });
}

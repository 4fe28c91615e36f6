// Who a verified token says the person is: the fields Yagura decides with, read from the token's claims.
import type { JWTPayload } from 'jose';
import type { OidcProviderConfig } from './provider-config.js';
import { sessionTagsOf } from './session-tags.js';
import { WebIdentityError } from './web-identity-error.js';

export interface VerifiedWebIdentity {
  /** The configured provider's id. */
  readonly providerId: string;
  /** The token's `iss`, equal to the provider's configured issuer. */
  readonly issuer: string;
  readonly subject: string;
  /** The token's `aud` values that the provider's configured audiences accept (usually one). */
  readonly audiences: readonly string[];
  /** From the provider's groups claim; empty when the token has none. */
  readonly groups: readonly string[];
  /** Present when the token has an `email` whose `email_verified` is not false. */
  readonly email?: string;
  /** Session tags from the `https://aws.amazon.com/tags` claim, key to value. */
  readonly sessionTags: Readonly<Record<string, string>>;
  /** Every claim of the token, as verified. */
  readonly claims: Readonly<JWTPayload>;
  readonly expiresAt: Date;
  readonly issuedAt: Date;
}

const MAX_GROUPS = 1000;
const MAX_GROUP_LENGTH = 1024;

function invalid(message: string): WebIdentityError {
  return new WebIdentityError('InvalidIdentityToken', message);
}

/** The claim named exactly `name`, else (for `a.b`) the path through nested objects. */
function claimAt(claims: JWTPayload, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let node: unknown = claims;
  for (const part of name.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function groupsOf(claims: JWTPayload, claimName: string): readonly string[] {
  const value = claimAt(claims, claimName);
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((g) => typeof g === 'string' && g.length <= MAX_GROUP_LENGTH)) throw invalid(`the token's "${claimName}" claim must be a string or a list of strings of up to ${MAX_GROUP_LENGTH} characters`);
  // Refused rather than cut short: a group left out could be the one a Deny statement names.
  if (list.length > MAX_GROUPS) throw invalid(`the token's "${claimName}" claim lists more than ${MAX_GROUPS} groups`);
  return Object.freeze([...new Set(list as string[])]);
}

/** Builds the identity from claims already verified (signature, iss, aud, exp, nbf, iat). */
export function identityFromClaims(provider: OidcProviderConfig, claims: JWTPayload, acceptedAudiences: readonly string[]): VerifiedWebIdentity {
  const { sub, exp, iat } = claims;
  if (typeof sub !== 'string' || sub === '' || sub.length > 255) throw invalid('the token\'s "sub" claim must be a string of 1 to 255 characters');
  const aud = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
  const email = typeof claims.email === 'string' && claims.email_verified !== false ? claims.email : undefined;
  return Object.freeze({
    providerId: provider.id,
    issuer: provider.issuer,
    subject: sub,
    audiences: Object.freeze(aud.filter((a) => acceptedAudiences.includes(a))),
    groups: groupsOf(claims, provider.groupsClaim),
    ...(email !== undefined && { email }),
    sessionTags: sessionTagsOf(claims),
    claims: Object.freeze({ ...claims }),
    expiresAt: new Date(exp! * 1000),
    issuedAt: new Date(iat! * 1000),
  });
}

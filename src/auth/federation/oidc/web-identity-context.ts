// The IAM condition keys a verified web identity brings to a role's trust policy, named as AWS names them for
// OIDC federation (`<issuer host and path>:sub`, `:aud`, `:amr`), plus `:groups` and `:email`.
import type { ContextValue, RequestContext } from '../../policy/document.js';
import { hostAndPath } from './provider-config.js';
import type { VerifiedWebIdentity } from './verified-web-identity.js';

/** The trust policy action, as AWS names it. */
export const ASSUME_ROLE_WITH_WEB_IDENTITY = 'sts:AssumeRoleWithWebIdentity';

/**
 * The principal a trust policy names in `"Principal": {"Federated": …}` for tokens of this issuer, shaped like
 * IAM's `arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH` in Yagura's partition (Yagura has no accounts).
 */
export function oidcProviderArn(issuer: string): string {
  return `arn:yagura:iam:::oidc-provider/${hostAndPath(issuer)}`;
}

/** The prefix of the provider's condition keys: the issuer without scheme or trailing slash, as IAM writes it. */
export function webIdentityKeyPrefix(issuer: string): string {
  return hostAndPath(issuer);
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value as string[];
  return undefined;
}

/**
 * The request context for evaluating a trust policy against this identity (merge it with the request's own keys):
 * - `<prefix>:sub`, `<prefix>:aud` (the accepted audiences), `<prefix>:amr` (multi-valued) when the token has it;
 * - `<prefix>:groups`, multi-valued (test it with `ForAnyValue:`/`ForAllValues:`), when the token lists groups;
 * - `<prefix>:email` when the token has an email not marked unverified;
 * - `aws:FederatedProvider`: the provider's principal ARN (see oidcProviderArn), as AWS sets it for IAM OIDC providers;
 * - `aws:RequestTag/<key>` and `aws:TagKeys` for session tags in the token, as AWS sets them when tags are passed.
 */
export function webIdentityContext(identity: VerifiedWebIdentity): RequestContext {
  const prefix = webIdentityKeyPrefix(identity.issuer);
  const context: Record<string, ContextValue> = {
    [`${prefix}:sub`]: identity.subject,
    [`${prefix}:aud`]: identity.audiences.length === 1 ? identity.audiences[0]! : identity.audiences,
    'aws:FederatedProvider': oidcProviderArn(identity.issuer),
  };
  const amr = stringList(identity.claims.amr);
  if (amr) context[`${prefix}:amr`] = amr;
  if (identity.groups.length > 0) context[`${prefix}:groups`] = identity.groups;
  if (identity.email !== undefined) context[`${prefix}:email`] = identity.email;
  const tagKeys = Object.keys(identity.sessionTags);
  for (const key of tagKeys) context[`aws:RequestTag/${key}`] = identity.sessionTags[key]!;
  if (tagKeys.length > 0) context['aws:TagKeys'] = tagKeys;
  return Object.freeze(context);
}

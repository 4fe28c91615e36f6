// Session tags a provider passes in the token, in the claim and shape AWS STS reads for AssumeRoleWithWebIdentity.
import type { JWTPayload } from 'jose';
import { WebIdentityError } from './web-identity-error.js';

/** `{"https://aws.amazon.com/tags": {"principal_tags": {"Project": ["Blue"]}, "transitive_tag_keys": […]}}` */
export const SESSION_TAGS_CLAIM = 'https://aws.amazon.com/tags';

/** AWS's session tag limits: 50 tags, keys of 1 to 128 and values of 0 to 256 of these characters. */
const MAX_TAGS = 50;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

function invalid(why: string): WebIdentityError {
  return new WebIdentityError('InvalidIdentityToken', `the token's session tags (${SESSION_TAGS_CLAIM}) are not valid: ${why}`);
}

/** The token's principal tags, key to value; none when the claim is absent. Malformed tags refuse the token. */
export function sessionTagsOf(claims: JWTPayload): Readonly<Record<string, string>> {
  const claim = claims[SESSION_TAGS_CLAIM];
  if (claim === undefined) return {};
  const tags = (claim as { principal_tags?: unknown } | null)?.principal_tags;
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) throw invalid('principal_tags must be an object of tag keys');
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw invalid(`there are more than ${MAX_TAGS} tags`);
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const [key, value] of entries) {
    const one = Array.isArray(value) && value.length === 1 ? value[0] : value;
    if (!TAG_KEY.test(key)) throw invalid('a tag key is 1 to 128 letters, digits, spaces or _ . : / = + - @');
    if (typeof one !== 'string' || !TAG_VALUE.test(one)) throw invalid('a tag value is one string of up to 256 letters, digits, spaces or _ . : / = + - @');
    // Tag keys are case-insensitive in AWS: two spellings of one key would be ambiguous.
    if (seen.has(key.toLowerCase())) throw invalid('two tags have the same key in different case');
    seen.add(key.toLowerCase());
    out[key] = one;
  }
  return Object.freeze(out);
}

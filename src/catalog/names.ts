// Names, ARNs and tags of the account catalog: the catalog, its account groups and their AWS accounts, spelled
// like AWS Glue's catalog, databases and tables so that ArnLike patterns read the same.
import { CatalogError } from './catalog-error.js';

export type CatalogTags = Readonly<Record<string, string>>;

export const CATALOG_ARN = 'arn:yagura:catalog:::catalog';

/** The group every account seen in findings lands in until someone moves it; it cannot be deleted. */
export const UNASSIGNED_GROUP = 'unassigned';

/**
 * Lower-case letters, digits, `_ . -`, starting with a letter or digit, 1 to 64 characters. Glue folds database
 * names to lower case; here a name is refused instead, so that one group has exactly one ARN for ArnLike to match.
 */
export const GROUP_NAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** As IAM allows tags: up to 50, keys 1 to 128 characters, values up to 256. */
export const TAG_LIMITS = { maxTags: 50, maxKeyLength: 128, maxValueLength: 256 } as const;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const MAX_ACCOUNT_NAME_LENGTH = 200;

export function groupArn(group: string): string {
  return `arn:yagura:catalog:::group/${group}`;
}

export function accountArn(group: string, accountId: string): string {
  return `arn:yagura:catalog:::account/${group}/${accountId}`;
}

export function checkGroupName(name: string): void {
  if (!GROUP_NAME_PATTERN.test(name)) {
    throw new CatalogError('INVALID_NAME', 'an account group name is 1 to 64 characters among a-z 0-9 _ . - and starts with a letter or digit');
  }
}

export function checkAccountId(accountId: string): void {
  if (!ACCOUNT_ID_PATTERN.test(accountId)) throw new CatalogError('INVALID_ACCOUNT_ID', 'an AWS account ID is 12 digits');
}

export function checkAccountName(name: string): void {
  // Names end up in alert messages and tables: no control characters, bounded.
  if (name.length === 0 || name.length > MAX_ACCOUNT_NAME_LENGTH || /\p{Cc}/u.test(name)) {
    throw new CatalogError('INVALID_ACCOUNT_NAME', `an account name is 1 to ${MAX_ACCOUNT_NAME_LENGTH} characters without control characters`);
  }
}

export function checkTags(tags: CatalogTags): void {
  const entries = Object.entries(tags);
  if (entries.length > TAG_LIMITS.maxTags) throw new CatalogError('INVALID_TAGS', `${entries.length} tags is over the limit of ${TAG_LIMITS.maxTags}`);
  for (const [key, value] of entries) {
    if (!TAG_KEY.test(key)) throw new CatalogError('INVALID_TAGS', `tag key ${JSON.stringify(key.slice(0, 40))} is not 1 to ${TAG_LIMITS.maxKeyLength} letters, digits, spaces or _ . : / = + - @`);
    if (typeof value !== 'string' || value.length > TAG_LIMITS.maxValueLength || !TAG_VALUE.test(value)) {
      throw new CatalogError('INVALID_TAGS', `the value of tag "${key}" is not up to ${TAG_LIMITS.maxValueLength} letters, digits, spaces or _ . : / = + - @`);
    }
  }
}

/**
 * A tag written as one string (the configuration's `accounts.*.tags`, an alert route's `accountTags`):
 * `env=prod` is key `env` with value `prod`; `prod` is key `prod` with the empty value.
 */
export function parseTagString(tag: string): readonly [key: string, value: string] {
  const at = tag.indexOf('=');
  return at < 0 ? [tag, ''] : [tag.slice(0, at), tag.slice(at + 1)];
}

/** Tags from their string form; a later string with the same key wins. */
export function tagsFromStrings(tags: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) {
    const [k, v] = parseTagString(t);
    out[k] = v;
  }
  return out;
}

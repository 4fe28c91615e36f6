// Where the account catalog is kept. Every change bumps `generation`, which in-memory views compare.
import type { CatalogTags } from './names.js';
import type { AccountInput, CatalogAccount, CatalogGroup, CatalogListOptions, CatalogPage, CatalogPolicyRecord } from './records.js';

/**
 * Errors are CatalogError values: INVALID_NAME, INVALID_ACCOUNT_ID, INVALID_TAGS, INVALID_ACCOUNT_NAME,
 * UNKNOWN_CATALOG_GROUP, CATALOG_GROUP_NOT_FOUND, CATALOG_GROUP_NOT_EMPTY, BUILT_IN. A refused change saves nothing.
 * The group `unassigned` always exists.
 */
export interface CatalogStore {
  readonly generation: number;

  /** Creates the group or replaces its tags. */
  putGroup(name: string, tags: CatalogTags, now: number): Promise<CatalogGroup>;
  getGroup(name: string): Promise<CatalogGroup | undefined>;
  /** By name. */
  listGroups(options: CatalogListOptions): Promise<CatalogPage<CatalogGroup>>;
  /** Only an empty group that is not `unassigned`. */
  deleteGroup(name: string): Promise<void>;

  /** Creates the account or changes it; the group must exist (UNKNOWN_CATALOG_GROUP). */
  putAccount(input: AccountInput, now: number): Promise<CatalogAccount>;
  getAccount(accountId: string): Promise<CatalogAccount | undefined>;
  /** The group's accounts by ID; CATALOG_GROUP_NOT_FOUND for an unknown group. */
  listAccounts(group: string, options: CatalogListOptions): Promise<CatalogPage<CatalogAccount>>;
  /** Every account (the in-memory view loads them once). */
  allAccounts(): Promise<CatalogAccount[]>;
  /** Adds the accounts not in the catalog yet to `unassigned`; answers those it added. Ignores invalid IDs. */
  addUnassigned(accountIds: readonly string[], now: number): Promise<string[]>;
  /** Adds every account the findings hold and the catalog does not to `unassigned`; answers how many. */
  adoptFindingAccounts(now: number): Promise<number>;

  getPolicy(): Promise<CatalogPolicyRecord | undefined>;
  /** The document must have been validated (catalog-policy.ts). */
  putPolicy(document: unknown, now: number): Promise<CatalogPolicyRecord>;
  /** CATALOG_POLICY_NOT_FOUND when there is none. */
  deletePolicy(): Promise<void>;
}

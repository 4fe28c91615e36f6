// What the account catalog keeps: account groups, the AWS accounts they hold, and the catalog's resource policy.
import type { CatalogTags } from './names.js';

export interface CatalogGroup {
  readonly name: string;
  readonly tags: CatalogTags;
  /** The built-in `unassigned` group. */
  readonly builtIn: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface CatalogAccount {
  readonly accountId: string;
  readonly group: string;
  readonly name: string | null;
  readonly tags: CatalogTags;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface AccountInput {
  readonly accountId: string;
  readonly group: string;
  /** Undefined keeps the stored name (moving an account keeps it); null removes it. */
  readonly name?: string | null;
  /** Undefined keeps the stored tags. */
  readonly tags?: CatalogTags;
}

export interface CatalogPolicyRecord {
  /** The document as validated and saved (JSON). */
  readonly document: unknown;
  readonly updatedAt: number;
}

export interface CatalogListOptions {
  readonly limit: number;
  /** Position after which to continue (the last name or account ID of the previous page). */
  readonly after?: string;
}

export interface CatalogPage<T> {
  readonly items: readonly T[];
  /** Pass as `after` for the next page; absent on the last. */
  readonly next?: string;
}

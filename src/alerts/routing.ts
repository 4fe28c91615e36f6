// Routing: which of a rule's destinations receive an alert about an account (by ID, name or catalog tag).
import { parseTagString, tagsFromStrings } from '../catalog/names.js';
import type { Route } from './rule.js';

/** An account as the configuration's `accounts` section writes it (tags as `key=value` or `key` strings). */
export interface AccountInfo {
  readonly name?: string;
  readonly tags: readonly string[];
}

/** Accounts with their names and tags, kept in memory; `generation` changes whenever they do. */
export interface AccountDirectory {
  readonly generation: number;
  allAccounts(): ReadonlyMap<string, { readonly name: string | null; readonly tags: Readonly<Record<string, string>> }>;
}

function isDirectory(source: AccountDirectory | Readonly<Record<string, AccountInfo>>): source is AccountDirectory {
  return typeof (source as AccountDirectory).allAccounts === 'function';
}

/** A fixed directory from the configuration's form (tests, and tools without a catalog). */
function fixedDirectory(accounts: Readonly<Record<string, AccountInfo>>): AccountDirectory {
  const map = new Map(Object.entries(accounts).map(([id, a]) => [id, { name: a.name ?? null, tags: tagsFromStrings(a.tags) }]));
  return { generation: 0, allAccounts: () => map };
}

/** Account names and tags for alerts, read from the account catalog's in-memory view at each use. */
export class AccountCatalog {
  private readonly directory: AccountDirectory;

  constructor(source: AccountDirectory | Readonly<Record<string, AccountInfo>> = {}) {
    this.directory = isDirectory(source) ? source : fixedDirectory(source);
  }

  nameOf(accountId: string): string | undefined {
    return this.directory.allAccounts().get(accountId)?.name ?? undefined;
  }

  tagsOf(accountId: string): Readonly<Record<string, string>> {
    return this.directory.allAccounts().get(accountId)?.tags ?? {};
  }

  /** A route's tag `env=prod` matches catalog tag `env` with value `prod`; a bare `pci` matches tag `pci` valued "". */
  hasTag(accountId: string, tag: string): boolean {
    const [key, value] = parseTagString(tag);
    const tags = this.tagsOf(accountId);
    return Object.hasOwn(tags, key) && tags[key] === value;
  }
}

/** True when a route takes findings of this account: no matcher means every account; otherwise any one matches. */
export function routeMatches(route: Route, accountId: string, catalog: AccountCatalog): boolean {
  const byId = route.accounts ?? [];
  const byName = route.accountNames ?? [];
  const byTag = route.accountTags ?? [];
  if (byId.length === 0 && byName.length === 0 && byTag.length === 0) return true;
  if (byId.includes(accountId)) return true;
  const name = catalog.nameOf(accountId);
  if (name !== undefined && byName.includes(name)) return true;
  return byTag.some((t) => catalog.hasTag(accountId, t));
}

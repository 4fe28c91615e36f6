// Routing: which of a rule's destinations receive an alert about an account (by ID, name or tag).
import type { Route } from './rule.js';

export interface AccountInfo {
  readonly name?: string;
  readonly tags: readonly string[];
}

/** Account names and tags from Yagura's configuration (until an account catalog exists). */
export class AccountCatalog {
  constructor(private readonly accounts: Readonly<Record<string, AccountInfo>> = {}) {}

  nameOf(accountId: string): string | undefined {
    return this.accounts[accountId]?.name;
  }

  tagsOf(accountId: string): readonly string[] {
    return this.accounts[accountId]?.tags ?? [];
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
  return catalog.tagsOf(accountId).some((t) => byTag.includes(t));
}

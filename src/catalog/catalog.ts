// The account catalog as the server uses it: the store behind it, plus an in-memory view of every account and of
// the resource policy, refreshed on each change (`generation`), so routing, scopes and checks never wait on I/O.
import type { Policy } from '../auth/policy/document.js';
import type { CatalogStore } from './catalog-store.js';
import { validateCatalogPolicy } from './catalog-policy.js';
import { ACCOUNT_ID_PATTERN, checkGroupName, tagsFromStrings, UNASSIGNED_GROUP, type CatalogTags } from './names.js';
import type { AccountInput, CatalogAccount, CatalogGroup, CatalogPolicyRecord } from './records.js';

/** An account as the configuration's `accounts` section describes it. */
export interface ConfiguredAccount {
  readonly name?: string;
  readonly tags: readonly string[];
  readonly group?: string;
}

export interface CatalogOptions {
  readonly now?: () => number;
  /** Told when adding accounts seen in findings failed (they are tried again with the next findings). */
  readonly onError?: (error: unknown) => void;
}

export class Catalog {
  private accounts = new Map<string, CatalogAccount>();
  private policy: Policy | undefined;
  private gen = 0;
  private tagsView: { gen: number; map: ReadonlyMap<string, CatalogTags> } | undefined;
  /** Accounts seen in findings, not yet in the catalog, waiting to be added. */
  private readonly pending = new Set<string>();
  private flushing: Promise<void> | undefined;
  private readonly now: () => number;

  private constructor(
    readonly store: CatalogStore,
    private readonly options: CatalogOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Loads the catalog, first adding the accounts the findings already hold to `unassigned`. */
  static async open(store: CatalogStore, options: CatalogOptions = {}): Promise<Catalog> {
    const catalog = new Catalog(store, options);
    await store.adoptFindingAccounts(catalog.now());
    await catalog.reload();
    return catalog;
  }

  /** Bumped by every change to groups, accounts or the policy. */
  get generation(): number {
    return this.gen;
  }

  private async reload(): Promise<void> {
    const accounts = await this.store.allAccounts();
    const policy = await this.store.getPolicy();
    this.accounts = new Map(accounts.map((a) => [a.accountId, a]));
    this.policy = policy === undefined ? undefined : validateCatalogPolicy(policy.document);
    this.gen++;
  }

  /** The catalog's resource policy, combined with the caller's identity policies in every catalog check. */
  resourcePolicy(): Policy | undefined {
    return this.policy;
  }

  account(accountId: string): CatalogAccount | undefined {
    return this.accounts.get(accountId);
  }

  /** Every account's tags (for `aws:ResourceTag/…` in finding scopes); the same map until the catalog changes. */
  accountTags(): ReadonlyMap<string, CatalogTags> {
    if (this.tagsView?.gen !== this.gen) {
      this.tagsView = { gen: this.gen, map: new Map([...this.accounts].map(([id, a]) => [id, a.tags])) };
    }
    return this.tagsView.map;
  }

  /** Every account with its name and tags, as of `generation`. */
  allAccounts(): ReadonlyMap<string, CatalogAccount> {
    return this.accounts;
  }

  async putGroup(name: string, tags: CatalogTags): Promise<CatalogGroup> {
    const group = await this.store.putGroup(name, tags, this.now());
    this.gen++;
    return group;
  }

  async deleteGroup(name: string): Promise<void> {
    await this.store.deleteGroup(name);
    this.gen++;
  }

  async putAccount(input: AccountInput): Promise<CatalogAccount> {
    const account = await this.store.putAccount(input, this.now());
    this.accounts.set(account.accountId, account);
    this.pending.delete(account.accountId);
    this.gen++;
    return account;
  }

  async putPolicy(document: unknown): Promise<CatalogPolicyRecord> {
    const policy = validateCatalogPolicy(document);
    const saved = await this.store.putPolicy(document, this.now());
    this.policy = policy;
    this.gen++;
    return saved;
  }

  async deletePolicy(): Promise<void> {
    await this.store.deletePolicy();
    this.policy = undefined;
    this.gen++;
  }

  /**
   * Accounts seen in stored findings. Known ones cost a map lookup; new ones are added to `unassigned` after the
   * current task, so the ingest path never waits on the catalog.
   */
  noticeAccounts(accountIds: Iterable<string>): void {
    for (const id of accountIds) if (!this.accounts.has(id) && ACCOUNT_ID_PATTERN.test(id)) this.pending.add(id);
    if (this.pending.size > 0 && this.flushing === undefined) this.flushing = new Promise((resolve) => setImmediate(resolve)).then(() => this.flush());
  }

  private async flush(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const ids = [...this.pending];
        this.pending.clear();
        try {
          await this.store.addUnassigned(ids, this.now());
        } catch (error) {
          this.options.onError?.(error);
          return;
        }
        await this.reload();
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** Waits until accounts noticed so far are in the catalog (tests). */
  async settled(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
  }

  /**
   * Writes the configuration's accounts the catalog does not hold yet, or holds only as seen in findings (in
   * `unassigned`, without name or tags); after that the catalog is the source of truth. A configured group that
   * does not exist is created.
   */
  async seed(configured: Readonly<Record<string, ConfiguredAccount>>): Promise<number> {
    let written = 0;
    for (const [accountId, c] of Object.entries(configured)) {
      const held = this.accounts.get(accountId);
      const discovered = held !== undefined && held.group === UNASSIGNED_GROUP && held.name === null && Object.keys(held.tags).length === 0;
      if (held !== undefined && !discovered) continue;
      const group = c.group ?? UNASSIGNED_GROUP;
      checkGroupName(group);
      if ((await this.store.getGroup(group)) === undefined) await this.store.putGroup(group, {}, this.now());
      await this.putAccount({ accountId, group, name: c.name ?? null, tags: tagsFromStrings(c.tags) });
      written++;
    }
    return written;
  }
}

// The account catalog in the embedded store's database (tables in catalog-schema.ts), next to the findings it
// learns accounts from.
import type Database from 'better-sqlite3';
import { CatalogError } from '../../catalog/catalog-error.js';
import type { CatalogStore } from '../../catalog/catalog-store.js';
import { ACCOUNT_ID_PATTERN, checkAccountId, checkAccountName, checkGroupName, checkTags, UNASSIGNED_GROUP, type CatalogTags } from '../../catalog/names.js';
import type { AccountInput, CatalogAccount, CatalogGroup, CatalogListOptions, CatalogPage, CatalogPolicyRecord } from '../../catalog/records.js';

interface GroupRow {
  name: string;
  tags: string;
  built_in: number;
  created_at: number;
  updated_at: number;
}

interface AccountRow {
  account_id: string;
  group_name: string;
  name: string | null;
  tags: string;
  created_at: number;
  updated_at: number;
}

function groupOf(row: GroupRow): CatalogGroup {
  return { name: row.name, tags: JSON.parse(row.tags) as CatalogTags, builtIn: row.built_in === 1, createdAt: row.created_at, updatedAt: row.updated_at };
}

function accountOf(row: AccountRow): CatalogAccount {
  return { accountId: row.account_id, group: row.group_name, name: row.name, tags: JSON.parse(row.tags) as CatalogTags, createdAt: row.created_at, updatedAt: row.updated_at };
}

function page<T>(rows: T[], limit: number, position: (row: T) => string): CatalogPage<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, next: position(items[items.length - 1]!) };
}

export class SqliteCatalogStore implements CatalogStore {
  private gen = 0;

  constructor(private readonly db: Database.Database) {}

  get generation(): number {
    return this.gen;
  }

  private change<T>(work: () => T): T {
    const result = this.db.transaction(work)();
    this.gen++;
    return result;
  }

  private groupRow(name: string): GroupRow | undefined {
    return this.db.prepare('SELECT * FROM catalog_groups WHERE name = ?').get(name) as GroupRow | undefined;
  }

  async putGroup(name: string, tags: CatalogTags, now: number): Promise<CatalogGroup> {
    checkGroupName(name);
    checkTags(tags);
    return this.change(() => {
      this.db
        .prepare('INSERT INTO catalog_groups (name, tags, built_in, created_at, updated_at) VALUES (?, ?, 0, ?, ?) ON CONFLICT (name) DO UPDATE SET tags = excluded.tags, updated_at = excluded.updated_at')
        .run(name, JSON.stringify(tags), now, now);
      return groupOf(this.groupRow(name)!);
    });
  }

  async getGroup(name: string): Promise<CatalogGroup | undefined> {
    const row = this.groupRow(name);
    return row && groupOf(row);
  }

  async listGroups(options: CatalogListOptions): Promise<CatalogPage<CatalogGroup>> {
    const rows = this.db.prepare('SELECT * FROM catalog_groups WHERE name > ? ORDER BY name LIMIT ?').all(options.after ?? '', options.limit + 1) as GroupRow[];
    return page(rows.map(groupOf), options.limit, (g) => g.name);
  }

  async deleteGroup(name: string): Promise<void> {
    this.change(() => {
      const row = this.groupRow(name);
      if (row === undefined) throw new CatalogError('CATALOG_GROUP_NOT_FOUND', `there is no account group named "${name}"`);
      if (row.built_in === 1) throw new CatalogError('BUILT_IN', `the group "${name}" is built in and cannot be deleted`);
      const held = this.db.prepare('SELECT count(*) FROM catalog_accounts WHERE group_name = ?').pluck().get(name) as number;
      if (held > 0) throw new CatalogError('CATALOG_GROUP_NOT_EMPTY', `the group "${name}" holds ${held} account(s); move them to another group first`);
      this.db.prepare('DELETE FROM catalog_groups WHERE name = ?').run(name);
    });
  }

  async putAccount(input: AccountInput, now: number): Promise<CatalogAccount> {
    checkAccountId(input.accountId);
    checkGroupName(input.group);
    if (input.name !== undefined && input.name !== null) checkAccountName(input.name);
    if (input.tags !== undefined) checkTags(input.tags);
    return this.change(() => {
      if (this.groupRow(input.group) === undefined) throw new CatalogError('UNKNOWN_CATALOG_GROUP', `there is no account group named "${input.group}"; create it with PUT /api/v1/catalog/groups/${input.group}`);
      const held = this.db.prepare('SELECT * FROM catalog_accounts WHERE account_id = ?').get(input.accountId) as AccountRow | undefined;
      // Moving an account keeps its name and tags unless new ones are given.
      const name = input.name === undefined ? (held?.name ?? null) : input.name;
      const tags = input.tags === undefined ? (held?.tags ?? '{}') : JSON.stringify(input.tags);
      this.db
        .prepare(
          `INSERT INTO catalog_accounts (account_id, group_name, name, tags, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (account_id) DO UPDATE SET group_name = excluded.group_name, name = excluded.name, tags = excluded.tags, updated_at = excluded.updated_at`,
        )
        .run(input.accountId, input.group, name, tags, now, now);
      return accountOf(this.db.prepare('SELECT * FROM catalog_accounts WHERE account_id = ?').get(input.accountId) as AccountRow);
    });
  }

  async getAccount(accountId: string): Promise<CatalogAccount | undefined> {
    const row = this.db.prepare('SELECT * FROM catalog_accounts WHERE account_id = ?').get(accountId) as AccountRow | undefined;
    return row && accountOf(row);
  }

  async listAccounts(group: string, options: CatalogListOptions): Promise<CatalogPage<CatalogAccount>> {
    if (this.groupRow(group) === undefined) throw new CatalogError('CATALOG_GROUP_NOT_FOUND', `there is no account group named "${group}"`);
    const rows = this.db
      .prepare('SELECT * FROM catalog_accounts WHERE group_name = ? AND account_id > ? ORDER BY account_id LIMIT ?')
      .all(group, options.after ?? '', options.limit + 1) as AccountRow[];
    return page(rows.map(accountOf), options.limit, (a) => a.accountId);
  }

  async allAccounts(): Promise<CatalogAccount[]> {
    return (this.db.prepare('SELECT * FROM catalog_accounts ORDER BY account_id').all() as AccountRow[]).map(accountOf);
  }

  async addUnassigned(accountIds: readonly string[], now: number): Promise<string[]> {
    const valid = accountIds.filter((id) => ACCOUNT_ID_PATTERN.test(id));
    if (valid.length === 0) return [];
    return this.change(() => {
      const insert = this.db.prepare(`INSERT OR IGNORE INTO catalog_accounts (account_id, group_name, name, tags, created_at, updated_at) VALUES (?, '${UNASSIGNED_GROUP}', NULL, '{}', ?, ?)`);
      return valid.filter((id) => insert.run(id, now, now).changes > 0);
    });
  }

  async adoptFindingAccounts(now: number): Promise<number> {
    return this.change(
      () =>
        this.db
          .prepare(
            `INSERT OR IGNORE INTO catalog_accounts (account_id, group_name, name, tags, created_at, updated_at)
             SELECT DISTINCT account_id, '${UNASSIGNED_GROUP}', NULL, '{}', ?, ? FROM findings
             WHERE length(account_id) = 12 AND account_id NOT GLOB '*[^0-9]*'`,
          )
          .run(now, now).changes,
    );
  }

  async getPolicy(): Promise<CatalogPolicyRecord | undefined> {
    const row = this.db.prepare('SELECT document, updated_at FROM catalog_policy WHERE id = 1').get() as { document: string; updated_at: number } | undefined;
    return row && { document: JSON.parse(row.document) as unknown, updatedAt: row.updated_at };
  }

  async putPolicy(document: unknown, now: number): Promise<CatalogPolicyRecord> {
    const text = JSON.stringify(document);
    this.change(() => this.db.prepare('INSERT INTO catalog_policy (id, document, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at').run(text, now));
    return { document: JSON.parse(text) as unknown, updatedAt: now };
  }

  async deletePolicy(): Promise<void> {
    this.change(() => {
      if (this.db.prepare('DELETE FROM catalog_policy WHERE id = 1').run().changes === 0) throw new CatalogError('CATALOG_POLICY_NOT_FOUND', 'the catalog has no resource policy');
    });
  }
}

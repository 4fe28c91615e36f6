// The account catalog in PostgreSQL (tables in state-schema.ts), in the database of the findings it learns accounts from.
import { CatalogError } from '../../catalog/catalog-error.js';
import type { CatalogStore } from '../../catalog/catalog-store.js';
import { ACCOUNT_ID_PATTERN, checkAccountId, checkAccountName, checkGroupName, checkTags, UNASSIGNED_GROUP, type CatalogTags } from '../../catalog/names.js';
import type { AccountInput, CatalogAccount, CatalogGroup, CatalogListOptions, CatalogPage, CatalogPolicyRecord } from '../../catalog/records.js';
import { isForeignKeyViolation, type PgDatabase, type Sql } from './database.js';
import type { StateChanges } from './state-changes.js';

interface GroupRow {
  name: string;
  tags: string;
  built_in: boolean;
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

const GROUP_COLUMNS = 'name, tags, built_in, created_at, updated_at';
const ACCOUNT_COLUMNS = 'account_id, group_name, name, tags, created_at, updated_at';

function groupOf(row: GroupRow): CatalogGroup {
  return { name: row.name, tags: JSON.parse(row.tags) as CatalogTags, builtIn: row.built_in, createdAt: row.created_at, updatedAt: row.updated_at };
}

function accountOf(row: AccountRow): CatalogAccount {
  return { accountId: row.account_id, group: row.group_name, name: row.name, tags: JSON.parse(row.tags) as CatalogTags, createdAt: row.created_at, updatedAt: row.updated_at };
}

function page<T>(rows: T[], limit: number, position: (row: T) => string): CatalogPage<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, next: position(items[items.length - 1]!) };
}

function unknownGroup(name: string): CatalogError {
  return new CatalogError('UNKNOWN_CATALOG_GROUP', `there is no account group named "${name}"; create it with PUT /api/v1/catalog/groups/${name}`);
}

export class PostgresCatalogStore implements CatalogStore {
  private gen = 0;

  constructor(
    private readonly db: PgDatabase,
    private readonly changes?: StateChanges,
  ) {}

  get generation(): number {
    return this.gen;
  }

  /** Another instance changed the catalog: in-memory views must reload. */
  invalidate(): void {
    this.gen++;
  }

  private async change<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    const result = await this.db.transaction(async (tx) => {
      const value = await work(tx);
      await this.changes?.announce(tx, 'catalog');
      return value;
    });
    this.gen++;
    return result;
  }

  private async groupRow(sql: Sql, name: string, lock = false): Promise<GroupRow | undefined> {
    const [row] = await sql.rows<GroupRow>(`SELECT ${GROUP_COLUMNS} FROM catalog_groups WHERE name = $1${lock ? ' FOR UPDATE' : ''}`, [name]);
    return row;
  }

  async putGroup(name: string, tags: CatalogTags, now: number): Promise<CatalogGroup> {
    checkGroupName(name);
    checkTags(tags);
    return this.change(async (tx) => {
      const [row] = await tx.rows<GroupRow>(
        `INSERT INTO catalog_groups (name, tags, built_in, created_at, updated_at) VALUES ($1, $2, false, $3, $3)
         ON CONFLICT (name) DO UPDATE SET tags = excluded.tags, updated_at = excluded.updated_at RETURNING ${GROUP_COLUMNS}`,
        [name, JSON.stringify(tags), now],
      );
      return groupOf(row!);
    });
  }

  async getGroup(name: string): Promise<CatalogGroup | undefined> {
    const row = await this.groupRow(this.db, name);
    return row && groupOf(row);
  }

  async listGroups(options: CatalogListOptions): Promise<CatalogPage<CatalogGroup>> {
    const rows = await this.db.rows<GroupRow>(`SELECT ${GROUP_COLUMNS} FROM catalog_groups WHERE name > $1 ORDER BY name LIMIT $2`, [options.after ?? '', options.limit + 1]);
    return page(rows.map(groupOf), options.limit, (g) => g.name);
  }

  async deleteGroup(name: string): Promise<void> {
    await this.change(async (tx) => {
      const row = await this.groupRow(tx, name, true);
      if (row === undefined) throw new CatalogError('CATALOG_GROUP_NOT_FOUND', `there is no account group named "${name}"`);
      if (row.built_in) throw new CatalogError('BUILT_IN', `the group "${name}" is built in and cannot be deleted`);
      const [held] = await tx.rows<{ n: number }>('SELECT count(*)::bigint AS n FROM catalog_accounts WHERE group_name = $1', [name]);
      const notEmpty = (n: number): CatalogError => new CatalogError('CATALOG_GROUP_NOT_EMPTY', `the group "${name}" holds ${n} account(s); move them to another group first`);
      if (held!.n > 0) throw notEmpty(held!.n);
      try {
        await tx.run('DELETE FROM catalog_groups WHERE name = $1', [name]);
      } catch (error) {
        // An account moved into it by another instance since the count.
        if (isForeignKeyViolation(error)) throw notEmpty(1);
        throw error;
      }
    });
  }

  async putAccount(input: AccountInput, now: number): Promise<CatalogAccount> {
    checkAccountId(input.accountId);
    checkGroupName(input.group);
    if (input.name !== undefined && input.name !== null) checkAccountName(input.name);
    if (input.tags !== undefined) checkTags(input.tags);
    return this.change(async (tx) => {
      // Locked for share: the group cannot be deleted before the account is in it.
      const [group] = await tx.rows<{ name: string }>('SELECT name FROM catalog_groups WHERE name = $1 FOR SHARE', [input.group]);
      if (group === undefined) throw unknownGroup(input.group);
      // Moving an account keeps its name and tags unless new ones are given (coalesce with the stored row's).
      const [row] = await tx.rows<AccountRow>(
        `INSERT INTO catalog_accounts AS a (account_id, group_name, name, tags, created_at, updated_at) VALUES ($1, $2, $3, coalesce($4, '{}'), $5, $5)
         ON CONFLICT (account_id) DO UPDATE SET group_name = excluded.group_name,
           name = CASE WHEN $6 THEN a.name ELSE excluded.name END,
           tags = coalesce($4, a.tags), updated_at = excluded.updated_at
         RETURNING ${ACCOUNT_COLUMNS}`,
        [input.accountId, input.group, input.name ?? null, input.tags === undefined ? null : JSON.stringify(input.tags), now, input.name === undefined],
      );
      return accountOf(row!);
    });
  }

  async getAccount(accountId: string): Promise<CatalogAccount | undefined> {
    const [row] = await this.db.rows<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM catalog_accounts WHERE account_id = $1`, [accountId]);
    return row && accountOf(row);
  }

  async listAccounts(group: string, options: CatalogListOptions): Promise<CatalogPage<CatalogAccount>> {
    return this.db.transaction(async (tx) => {
      if ((await this.groupRow(tx, group)) === undefined) throw new CatalogError('CATALOG_GROUP_NOT_FOUND', `there is no account group named "${group}"`);
      const rows = await tx.rows<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM catalog_accounts WHERE group_name = $1 AND account_id > $2 ORDER BY account_id LIMIT $3`, [
        group,
        options.after ?? '',
        options.limit + 1,
      ]);
      return page(rows.map(accountOf), options.limit, (a) => a.accountId);
    });
  }

  async allAccounts(): Promise<CatalogAccount[]> {
    return (await this.db.rows<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM catalog_accounts ORDER BY account_id`)).map(accountOf);
  }

  async addUnassigned(accountIds: readonly string[], now: number): Promise<string[]> {
    const valid = [...new Set(accountIds.filter((id) => ACCOUNT_ID_PATTERN.test(id)))];
    if (valid.length === 0) return [];
    const added = await this.change((tx) =>
      tx.rows<{ account_id: string }>(
        `INSERT INTO catalog_accounts (account_id, group_name, name, tags, created_at, updated_at)
         SELECT id, '${UNASSIGNED_GROUP}', NULL, '{}', $2, $2 FROM unnest($1::text[]) AS id
         ON CONFLICT (account_id) DO NOTHING RETURNING account_id`,
        [valid, now],
      ),
    );
    const inserted = new Set(added.map((r) => r.account_id));
    return valid.filter((id) => inserted.has(id));
  }

  async adoptFindingAccounts(now: number): Promise<number> {
    return this.change((tx) =>
      tx.run(
        `INSERT INTO catalog_accounts (account_id, group_name, name, tags, created_at, updated_at)
         SELECT DISTINCT account_id, '${UNASSIGNED_GROUP}', NULL::text, '{}', $1::bigint, $1::bigint FROM findings
         WHERE account_id ~ '^[0-9]{12}$'
         ON CONFLICT (account_id) DO NOTHING`,
        [now],
      ),
    );
  }

  async getPolicy(): Promise<CatalogPolicyRecord | undefined> {
    const [row] = await this.db.rows<{ document: string; updated_at: number }>('SELECT document, updated_at FROM catalog_policy WHERE id = 1');
    return row && { document: JSON.parse(row.document) as unknown, updatedAt: row.updated_at };
  }

  async putPolicy(document: unknown, now: number): Promise<CatalogPolicyRecord> {
    const text = JSON.stringify(document);
    await this.change((tx) =>
      tx.run('INSERT INTO catalog_policy (id, document, updated_at) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at', [text, now]),
    );
    return { document: JSON.parse(text) as unknown, updatedAt: now };
  }

  async deletePolicy(): Promise<void> {
    await this.change(async (tx) => {
      if ((await tx.run('DELETE FROM catalog_policy WHERE id = 1')) === 0) throw new CatalogError('CATALOG_POLICY_NOT_FOUND', 'the catalog has no resource policy');
    });
  }
}

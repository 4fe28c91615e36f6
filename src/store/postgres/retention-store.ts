// Retention's state in PostgreSQL: the API's policy and legal holds. Versioned as its own migration part, apart from
// the rest of the server's state.
import type { RetentionPolicy } from '../../retention/retention-policy.js';
import {
  holdFromRow,
  type HoldRow,
  type LegalHold,
  type NewLegalHold,
  type RetentionStore,
  type StoredRetentionPolicy,
} from '../../retention/retention-store.js';
import type { PgDatabase } from './database.js';
import type { Migration } from './migrate.js';

/** The migration part retention's tables are versioned under. */
export const RETENTION_PART = 'retention';

export const RETENTION_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'retention policy, legal holds',
    statements: [
      `CREATE TABLE retention_policy (
        id          integer PRIMARY KEY CHECK (id = 1),
        document    text NOT NULL,                    -- JSON, as validated when saved
        updated_by  text NOT NULL,                    -- principal ARN
        updated_at  bigint NOT NULL
      )`,
      `CREATE TABLE legal_holds (
        id          text COLLATE "C" PRIMARY KEY,
        query       text,                             -- KQL, or NULL for a hold by account
        account_id  text COLLATE "C",
        reason      text NOT NULL,
        created_by  text NOT NULL,
        created_at  bigint NOT NULL,
        lifted_by   text,
        lifted_at   bigint,
        CHECK ((query IS NULL) <> (account_id IS NULL))
      )`,
      'CREATE INDEX legal_holds_active ON legal_holds (lifted_at, created_at)',
    ],
  },
];

const HOLD_COLUMNS = 'id, query, account_id, reason, created_by, created_at, lifted_by, lifted_at';

export class PostgresRetentionStore implements RetentionStore {
  constructor(private readonly db: PgDatabase) {}

  async getPolicy(): Promise<StoredRetentionPolicy | undefined> {
    const [row] = await this.db.rows<{ document: string; updated_by: string; updated_at: string }>(
      'SELECT document, updated_by, updated_at FROM retention_policy WHERE id = 1',
    );
    return row && { policy: JSON.parse(row.document) as RetentionPolicy, updatedBy: row.updated_by, updatedAt: Number(row.updated_at) };
  }

  async putPolicy(policy: RetentionPolicy, updatedBy: string, now: number): Promise<StoredRetentionPolicy> {
    await this.db.run(
      `INSERT INTO retention_policy (id, document, updated_by, updated_at) VALUES (1, $1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      [JSON.stringify(policy), updatedBy, now],
    );
    return { policy, updatedBy, updatedAt: now };
  }

  async createHold(hold: NewLegalHold): Promise<LegalHold> {
    await this.db.run('INSERT INTO legal_holds (id, query, account_id, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      hold.id,
      hold.target.query ?? null,
      hold.target.accountId ?? null,
      hold.reason,
      hold.createdBy,
      hold.createdAt,
    ]);
    return { ...hold.target, id: hold.id, reason: hold.reason, createdBy: hold.createdBy, createdAt: hold.createdAt };
  }

  async getHold(id: string): Promise<LegalHold | undefined> {
    const [row] = await this.db.rows<HoldRow>(`SELECT ${HOLD_COLUMNS} FROM legal_holds WHERE id = $1`, [id]);
    return row && holdFromRow(row);
  }

  async listHolds(options: { readonly includeLifted: boolean }): Promise<LegalHold[]> {
    const where = options.includeLifted ? '' : 'WHERE lifted_at IS NULL';
    const rows = await this.db.rows<HoldRow>(`SELECT ${HOLD_COLUMNS} FROM legal_holds ${where} ORDER BY created_at, id`);
    return rows.map(holdFromRow);
  }

  async countActiveHolds(): Promise<number> {
    const [row] = await this.db.rows<{ n: string }>('SELECT count(*) AS n FROM legal_holds WHERE lifted_at IS NULL');
    return Number(row?.n ?? 0);
  }

  async liftHold(id: string, liftedBy: string, now: number): Promise<LegalHold | undefined> {
    await this.db.run('UPDATE legal_holds SET lifted_by = $1, lifted_at = $2 WHERE id = $3 AND lifted_at IS NULL', [liftedBy, now, id]);
    return this.getHold(id);
  }
}

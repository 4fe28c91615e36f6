// Retention's state in the embedded store: the API's policy and legal holds.
import type Database from 'better-sqlite3';
import type { RetentionPolicy } from '../../retention/retention-policy.js';
import {
  holdFromRow,
  type HoldRow,
  type LegalHold,
  type NewLegalHold,
  type RetentionStore,
  type StoredRetentionPolicy,
} from '../../retention/retention-store.js';

const HOLD_COLUMNS = 'id, query, account_id, reason, created_by, created_at, lifted_by, lifted_at';

export class SqliteRetentionStore implements RetentionStore {
  constructor(private readonly db: Database.Database) {}

  async getPolicy(): Promise<StoredRetentionPolicy | undefined> {
    const row = this.db.prepare('SELECT document, updated_by, updated_at FROM retention_policy WHERE id = 1').get() as
      | { document: string; updated_by: string; updated_at: number }
      | undefined;
    return row && { policy: JSON.parse(row.document) as RetentionPolicy, updatedBy: row.updated_by, updatedAt: row.updated_at };
  }

  async putPolicy(policy: RetentionPolicy, updatedBy: string, now: number): Promise<StoredRetentionPolicy> {
    this.db
      .prepare(
        `INSERT INTO retention_policy (id, document, updated_by, updated_at) VALUES (1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      )
      .run(JSON.stringify(policy), updatedBy, now);
    return { policy, updatedBy, updatedAt: now };
  }

  async createHold(hold: NewLegalHold): Promise<LegalHold> {
    this.db
      .prepare('INSERT INTO legal_holds (id, query, account_id, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(hold.id, hold.target.query ?? null, hold.target.accountId ?? null, hold.reason, hold.createdBy, hold.createdAt);
    return { ...hold.target, id: hold.id, reason: hold.reason, createdBy: hold.createdBy, createdAt: hold.createdAt };
  }

  async getHold(id: string): Promise<LegalHold | undefined> {
    const row = this.db.prepare(`SELECT ${HOLD_COLUMNS} FROM legal_holds WHERE id = ?`).get(id) as HoldRow | undefined;
    return row && holdFromRow(row);
  }

  async listHolds(options: { readonly includeLifted: boolean }): Promise<LegalHold[]> {
    const where = options.includeLifted ? '' : 'WHERE lifted_at IS NULL';
    const rows = this.db.prepare(`SELECT ${HOLD_COLUMNS} FROM legal_holds ${where} ORDER BY created_at, id`).all() as HoldRow[];
    return rows.map(holdFromRow);
  }

  async countActiveHolds(): Promise<number> {
    return this.db.prepare('SELECT count(*) FROM legal_holds WHERE lifted_at IS NULL').pluck().get() as number;
  }

  async liftHold(id: string, liftedBy: string, now: number): Promise<LegalHold | undefined> {
    this.db.prepare('UPDATE legal_holds SET lifted_by = ?, lifted_at = ? WHERE id = ? AND lifted_at IS NULL').run(liftedBy, now, id);
    return this.getHold(id);
  }
}

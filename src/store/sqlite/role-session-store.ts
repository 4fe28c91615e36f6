// Role sessions (temporary credentials) in the embedded store.
import type Database from 'better-sqlite3';
import type { SealedRecords } from '../../auth/secrets/sealed-records.js';
import { rewriteSealedColumn } from './sealed-column.js';
import { ROLE_SESSION_COLUMNS, roleSessionOf, roleSessionValues, type RoleSessionRow } from '../../auth/sts/role-session-row.js';
import type { RoleSessionPage, RoleSessionRecord, RoleSessionStore } from '../../auth/sts/role-session-store.js';

export class SqliteRoleSessionStore implements RoleSessionStore, SealedRecords {
  readonly description = 'temporary credentials (STS role sessions)';
  private readonly byId: Database.Statement<[string], RoleSessionRow>;

  constructor(private readonly db: Database.Database) {
    this.byId = db.prepare('SELECT * FROM sts_sessions WHERE access_key_id = ?');
  }

  async insert(r: RoleSessionRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO sts_sessions (${ROLE_SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
      )
      .run(...roleSessionValues(r));
  }

  async byAccessKeyId(accessKeyId: string): Promise<RoleSessionRecord | undefined> {
    const row = this.byId.get(accessKeyId);
    return row && roleSessionOf(row);
  }

  async revoke(accessKeyId: string, now: number): Promise<boolean> {
    return this.db.prepare('UPDATE sts_sessions SET revoked_at = ? WHERE access_key_id = ? AND revoked_at IS NULL').run(now, accessKeyId).changes > 0;
  }

  async list(now: number, options: { readonly limit: number; readonly after?: string }): Promise<RoleSessionPage> {
    // Ordered by access key ID, which is random: a stable cursor, not an age order.
    const rows = this.db
      .prepare('SELECT * FROM sts_sessions WHERE expires_at > ? AND access_key_id > ? ORDER BY access_key_id LIMIT ?')
      .all(now, options.after ?? '', options.limit + 1) as RoleSessionRow[];
    const items = rows.slice(0, options.limit).map(roleSessionOf);
    return rows.length > options.limit ? { items, next: items[items.length - 1]!.accessKeyId } : { items };
  }

  async rewriteSealed(rewrite: (sealed: string, context: string) => string): Promise<number> {
    return rewriteSealedColumn(this.db, { table: 'sts_sessions', keyColumn: 'access_key_id', sealedColumn: 'sealed_secret', contextOf: (id) => `sts:${id}` }, rewrite);
  }

  async deleteExpired(before: number): Promise<number> {
    return this.db.prepare('DELETE FROM sts_sessions WHERE expires_at < ?').run(before).changes;
  }
}

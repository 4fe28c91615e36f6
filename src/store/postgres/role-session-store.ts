// Role sessions (temporary credentials) in PostgreSQL: issued on one instance, honoured and revocable on all.
import type { SealedRecords } from '../../auth/secrets/sealed-records.js';
import { ROLE_SESSION_COLUMNS, roleSessionOf, roleSessionValues, type RoleSessionRow } from '../../auth/sts/role-session-row.js';
import type { RoleSessionPage, RoleSessionRecord, RoleSessionStore } from '../../auth/sts/role-session-store.js';
import type { PgDatabase } from './database.js';
import { rewriteSealedColumn } from './sealed-column.js';

export class PostgresRoleSessionStore implements RoleSessionStore, SealedRecords {
  readonly description = 'temporary credentials (STS role sessions)';

  constructor(private readonly db: PgDatabase) {}

  async insert(r: RoleSessionRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO sts_sessions (${ROLE_SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL)`,
      roleSessionValues(r),
    );
  }

  async byAccessKeyId(accessKeyId: string): Promise<RoleSessionRecord | undefined> {
    const [row] = await this.db.rows<RoleSessionRow>(`SELECT ${ROLE_SESSION_COLUMNS} FROM sts_sessions WHERE access_key_id = $1`, [accessKeyId]);
    return row && roleSessionOf(row);
  }

  async revoke(accessKeyId: string, now: number): Promise<boolean> {
    return (await this.db.run('UPDATE sts_sessions SET revoked_at = $1 WHERE access_key_id = $2 AND revoked_at IS NULL', [now, accessKeyId])) > 0;
  }

  async list(now: number, options: { readonly limit: number; readonly after?: string | undefined }): Promise<RoleSessionPage> {
    // Ordered by access key ID, which is random: a stable cursor, not an age order.
    const rows = await this.db.rows<RoleSessionRow>(`SELECT ${ROLE_SESSION_COLUMNS} FROM sts_sessions WHERE expires_at > $1 AND access_key_id > $2 ORDER BY access_key_id LIMIT $3`, [
      now,
      options.after ?? '',
      options.limit + 1,
    ]);
    const items = rows.slice(0, options.limit).map(roleSessionOf);
    return rows.length > options.limit ? { items, next: items[items.length - 1]!.accessKeyId } : { items };
  }

  async rewriteSealed(rewrite: (sealed: string, context: string) => string): Promise<number> {
    return this.db.transaction((tx) =>
      rewriteSealedColumn(tx, { table: 'sts_sessions', keyColumn: 'access_key_id', sealedColumn: 'sealed_secret', contextOf: (id) => `sts:${id}` }, rewrite),
    );
  }

  async deleteExpired(before: number): Promise<number> {
    return this.db.run('DELETE FROM sts_sessions WHERE expires_at < $1', [before]);
  }
}

// Role sessions (temporary credentials) in PostgreSQL: issued on one instance, honoured and revocable on all.
import type { SealedRecords } from '../../auth/secrets/sealed-records.js';
import type { RoleSessionPage, RoleSessionRecord, RoleSessionStore } from '../../auth/sts/role-session-store.js';
import type { PgDatabase } from './database.js';
import { rewriteSealedColumn } from './sealed-column.js';

interface Row {
  access_key_id: string;
  sealed_secret: string;
  token_hash: string;
  role_name: string;
  session_name: string;
  source: string;
  subject: string;
  session_policy: string | null;
  tags: string;
  context: string;
  source_ip: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
}

const COLUMNS =
  'access_key_id, sealed_secret, token_hash, role_name, session_name, source, subject, session_policy, tags, context, source_ip, created_at, expires_at, revoked_at';

function recordOf(row: Row): RoleSessionRecord {
  return {
    accessKeyId: row.access_key_id,
    sealedSecret: row.sealed_secret,
    tokenHash: row.token_hash,
    roleName: row.role_name,
    sessionName: row.session_name,
    source: row.source,
    subject: row.subject,
    sessionPolicy: row.session_policy === null ? null : (JSON.parse(row.session_policy) as unknown),
    tags: JSON.parse(row.tags) as RoleSessionRecord['tags'],
    context: JSON.parse(row.context) as RoleSessionRecord['context'],
    sourceIp: row.source_ip,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export class PostgresRoleSessionStore implements RoleSessionStore, SealedRecords {
  readonly description = 'temporary credentials (STS role sessions)';

  constructor(private readonly db: PgDatabase) {}

  async insert(r: RoleSessionRecord): Promise<void> {
    await this.db.run(
      `INSERT INTO sts_sessions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL)`,
      [
        r.accessKeyId,
        r.sealedSecret,
        r.tokenHash,
        r.roleName,
        r.sessionName,
        r.source,
        r.subject,
        r.sessionPolicy === null ? null : JSON.stringify(r.sessionPolicy),
        JSON.stringify(r.tags),
        JSON.stringify(r.context),
        r.sourceIp,
        r.createdAt,
        r.expiresAt,
      ],
    );
  }

  async byAccessKeyId(accessKeyId: string): Promise<RoleSessionRecord | undefined> {
    const [row] = await this.db.rows<Row>(`SELECT ${COLUMNS} FROM sts_sessions WHERE access_key_id = $1`, [accessKeyId]);
    return row && recordOf(row);
  }

  async revoke(accessKeyId: string, now: number): Promise<boolean> {
    return (await this.db.run('UPDATE sts_sessions SET revoked_at = $1 WHERE access_key_id = $2 AND revoked_at IS NULL', [now, accessKeyId])) > 0;
  }

  async list(now: number, options: { readonly limit: number; readonly after?: string | undefined }): Promise<RoleSessionPage> {
    // Ordered by access key ID, which is random: a stable cursor, not an age order.
    const rows = await this.db.rows<Row>(`SELECT ${COLUMNS} FROM sts_sessions WHERE expires_at > $1 AND access_key_id > $2 ORDER BY access_key_id LIMIT $3`, [
      now,
      options.after ?? '',
      options.limit + 1,
    ]);
    const items = rows.slice(0, options.limit).map(recordOf);
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

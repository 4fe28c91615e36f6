// Role sessions (temporary credentials) in the embedded store.
import type Database from 'better-sqlite3';
import type { SealedRecords } from '../../auth/secrets/sealed-records.js';
import { rewriteSealedColumn } from './sealed-column.js';
import type { RoleSessionPage, RoleSessionRecord, RoleSessionStore } from '../../auth/sts/role-session-store.js';

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

export class SqliteRoleSessionStore implements RoleSessionStore, SealedRecords {
  readonly description = 'temporary credentials (STS role sessions)';
  private readonly byId: Database.Statement<[string], Row>;

  constructor(private readonly db: Database.Database) {
    this.byId = db.prepare('SELECT * FROM sts_sessions WHERE access_key_id = ?');
  }

  async insert(r: RoleSessionRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO sts_sessions (access_key_id, sealed_secret, token_hash, role_name, session_name, source, subject, session_policy,
           tags, context, source_ip, created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
      )
      .run(
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
      );
  }

  async byAccessKeyId(accessKeyId: string): Promise<RoleSessionRecord | undefined> {
    const row = this.byId.get(accessKeyId);
    return row && recordOf(row);
  }

  async revoke(accessKeyId: string, now: number): Promise<boolean> {
    return this.db.prepare('UPDATE sts_sessions SET revoked_at = ? WHERE access_key_id = ? AND revoked_at IS NULL').run(now, accessKeyId).changes > 0;
  }

  async list(now: number, options: { readonly limit: number; readonly after?: string }): Promise<RoleSessionPage> {
    // Ordered by access key ID, which is random: a stable cursor, not an age order.
    const rows = this.db
      .prepare('SELECT * FROM sts_sessions WHERE expires_at > ? AND access_key_id > ? ORDER BY access_key_id LIMIT ?')
      .all(now, options.after ?? '', options.limit + 1) as Row[];
    const items = rows.slice(0, options.limit).map(recordOf);
    return rows.length > options.limit ? { items, next: items[items.length - 1]!.accessKeyId } : { items };
  }

  async rewriteSealed(rewrite: (sealed: string, context: string) => string): Promise<number> {
    return rewriteSealedColumn(this.db, { table: 'sts_sessions', keyColumn: 'access_key_id', sealedColumn: 'sealed_secret', contextOf: (id) => `sts:${id}` }, rewrite);
  }

  async deleteExpired(before: number): Promise<number> {
    return this.db.prepare('DELETE FROM sts_sessions WHERE expires_at < ?').run(before).changes;
  }
}

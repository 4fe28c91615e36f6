// A role session as a table row: the same columns in every backend (sts_sessions), JSON in text columns.
import type { RoleSessionRecord } from './role-session-store.js';

export interface RoleSessionRow {
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

export const ROLE_SESSION_COLUMNS =
  'access_key_id, sealed_secret, token_hash, role_name, session_name, source, subject, session_policy, tags, context, source_ip, created_at, expires_at, revoked_at';

export function roleSessionOf(row: RoleSessionRow): RoleSessionRecord {
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

/** The values of a new session's row, in ROLE_SESSION_COLUMNS order without `revoked_at`. */
export function roleSessionValues(r: RoleSessionRecord): unknown[] {
  return [
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
  ];
}

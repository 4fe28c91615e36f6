// SQLite schema of federation: temporary credentials (STS role sessions), the directory role map edited through the
// API, dashboard sessions opened from temporary credentials, and the reason of an audit entry.
import type Database from 'better-sqlite3';

const TABLES = `
  CREATE TABLE IF NOT EXISTS sts_sessions (
    access_key_id  TEXT PRIMARY KEY,           -- ASIA…, public
    sealed_secret  TEXT NOT NULL,              -- the secret access key, AES-256-GCM under the master key
    token_hash     TEXT NOT NULL,              -- SHA-256 of the session token; the token is never stored
    role_name      TEXT NOT NULL COLLATE NOCASE,
    session_name   TEXT NOT NULL,
    source         TEXT NOT NULL,              -- ldap | oidc:<provider>
    subject        TEXT NOT NULL,              -- the LDAP DN, or the token's iss and sub
    session_policy TEXT,                       -- JSON, narrows the role's policies
    tags           TEXT NOT NULL,              -- JSON object: aws:PrincipalTag/…
    context        TEXT NOT NULL,              -- JSON object: condition keys of the credentials
    source_ip      TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    revoked_at     INTEGER
  );
  CREATE INDEX IF NOT EXISTS sts_sessions_expires ON sts_sessions (expires_at);
  CREATE TABLE IF NOT EXISTS api_key_signing (
    key_id         TEXT PRIMARY KEY,           -- the API key (api_keys.id) these signing credentials belong to
    access_key_id  TEXT NOT NULL UNIQUE,       -- AKIA…, public
    sealed_secret  TEXT NOT NULL               -- the secret access key, AES-256-GCM under the master key
  );
  CREATE TABLE IF NOT EXISTS directory_role_map (
    dn          TEXT PRIMARY KEY,              -- normalised DN of a user or a group
    role_name   TEXT NOT NULL COLLATE NOCASE,
    created_at  INTEGER NOT NULL
  );
`;

/** Adds a column unless it is there: a store whose later migrations are replayed (tests do) migrates cleanly. */
function addColumn(db: Database.Database, table: string, column: string, definition: string): void {
  const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[];
  if (!columns.includes(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
}

/** Migration that adds federation. */
export function FEDERATION_MIGRATION(db: Database.Database): void {
  db.exec(TABLES);
  // The role session a dashboard session was opened from.
  addColumn(db, 'sessions', 'access_key_id', 'TEXT');
  // Why a sign-in or a signature was refused; never a secret.
  addColumn(db, 'audit_log', 'reason', 'TEXT');
}

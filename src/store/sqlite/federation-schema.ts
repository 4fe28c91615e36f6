// SQLite schema of federation: temporary credentials (STS role sessions), the directory role map edited through the
// API, dashboard sessions opened from temporary credentials, and the reason of an audit entry.

/** Migration that adds federation. */
export const FEDERATION_MIGRATION = `
  CREATE TABLE sts_sessions (
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
  CREATE INDEX sts_sessions_expires ON sts_sessions (expires_at);
  CREATE TABLE directory_role_map (
    dn          TEXT PRIMARY KEY,              -- normalised DN of a user or a group
    role_name   TEXT NOT NULL COLLATE NOCASE,
    created_at  INTEGER NOT NULL
  );
  ALTER TABLE sessions ADD COLUMN access_key_id TEXT;   -- the role session a dashboard session was opened from
  ALTER TABLE audit_log ADD COLUMN reason TEXT;         -- why a sign-in or a signature was refused; never a secret
`;

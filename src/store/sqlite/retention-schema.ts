// SQLite schema of retention: the policy set through the API and legal holds. Written
// to run again on a store whose later migrations are replayed (tests do).

/** Migration that adds retention. */
export const RETENTION_MIGRATION = `
  CREATE TABLE IF NOT EXISTS retention_policy (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    document    TEXT NOT NULL,                -- JSON, as validated when saved
    updated_by  TEXT NOT NULL,                -- principal ARN
    updated_at  INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS legal_holds (
    id          TEXT PRIMARY KEY,
    query       TEXT,                         -- KQL, or NULL for a hold by account
    account_id  TEXT,
    reason      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    lifted_by   TEXT,
    lifted_at   INTEGER,
    CHECK ((query IS NULL) <> (account_id IS NULL))
  );
  CREATE INDEX IF NOT EXISTS legal_holds_active ON legal_holds (lifted_at, created_at);
`;

// SQLite schema of the account catalog: groups, the AWS accounts they hold, the catalog's one resource policy.

/** Migration that adds the catalog, with its built-in `unassigned` group. */
export const CATALOG_MIGRATION = `
  CREATE TABLE catalog_groups (
    name        TEXT PRIMARY KEY,             -- lower case only (names.ts), so no collation is needed
    tags        TEXT NOT NULL,                -- JSON object
    built_in    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  CREATE TABLE catalog_accounts (
    account_id  TEXT PRIMARY KEY,
    group_name  TEXT NOT NULL REFERENCES catalog_groups (name),
    name        TEXT,
    tags        TEXT NOT NULL,                -- JSON object
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  CREATE INDEX catalog_accounts_group ON catalog_accounts (group_name, account_id);
  CREATE TABLE catalog_policy (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    document    TEXT NOT NULL,                -- JSON, as validated when saved
    updated_at  INTEGER NOT NULL
  );
  INSERT INTO catalog_groups VALUES ('unassigned', '{}', 1, CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));
`;

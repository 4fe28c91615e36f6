// SQLite schema of principals: users, groups, roles, managed policies, attachments; API keys gain owners.

const ADMIN_DOCUMENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

/** Migration that adds the principal tables; keys that exist already belong to the built-in Administrator role. */
export const PRINCIPALS_MIGRATION = `
  ALTER TABLE api_keys ADD COLUMN prefix TEXT NOT NULL DEFAULT 'ygr_';
  ALTER TABLE api_keys ADD COLUMN owner_kind TEXT NOT NULL DEFAULT 'role';      -- user | role
  ALTER TABLE api_keys ADD COLUMN owner_name TEXT NOT NULL DEFAULT 'Administrator' COLLATE NOCASE;
  ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
  ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
  ALTER TABLE api_keys ADD COLUMN revoked_at INTEGER;
  CREATE INDEX api_keys_owner ON api_keys (owner_kind, owner_name);

  -- A session opened with a password names its user; one opened with a key names the key (key_id).
  ALTER TABLE sessions ADD COLUMN user_name TEXT;

  -- Names compare without case, as IAM's do.
  CREATE TABLE iam_users (
    name           TEXT PRIMARY KEY COLLATE NOCASE,
    password_hash  TEXT,                       -- scrypt$N$r$p$salt$hash, or NULL: no password login
    tags           TEXT NOT NULL,              -- JSON object
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
  );
  CREATE TABLE iam_groups (
    name        TEXT PRIMARY KEY COLLATE NOCASE,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  CREATE TABLE iam_group_members (
    group_name  TEXT NOT NULL COLLATE NOCASE,
    user_name   TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (group_name, user_name)
  ) WITHOUT ROWID;
  CREATE INDEX iam_group_members_user ON iam_group_members (user_name);
  CREATE TABLE iam_roles (
    name          TEXT PRIMARY KEY COLLATE NOCASE,
    description   TEXT NOT NULL,
    tags          TEXT NOT NULL,               -- JSON object
    trust_policy  TEXT,                        -- JSON policy naming who may assume the role (federation)
    built_in      INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
  );
  CREATE TABLE iam_policies (
    name        TEXT PRIMARY KEY COLLATE NOCASE,
    document    TEXT NOT NULL,                 -- JSON, as validated when saved
    built_in    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );
  CREATE TABLE iam_attachments (
    principal_kind  TEXT NOT NULL,             -- user | group | role
    principal_name  TEXT NOT NULL COLLATE NOCASE,
    policy_name     TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (principal_kind, principal_name, policy_name)
  ) WITHOUT ROWID;
  CREATE INDEX iam_attachments_policy ON iam_attachments (policy_name);

  INSERT INTO iam_policies VALUES ('AdministratorAccess', '${ADMIN_DOCUMENT}', 1, CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));
  INSERT INTO iam_roles VALUES ('Administrator', 'Every permission; the bootstrap key''s role.', '{}', NULL, 1, CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));
  INSERT INTO iam_attachments VALUES ('role', 'Administrator', 'AdministratorAccess');
`;

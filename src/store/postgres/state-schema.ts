// The PostgreSQL schema of the server's state beside the findings: principals and keys, the account catalog, the
// audit log, alerting, sessions and temporary credentials, small named values. Versioned as the `state` part
// (migrate.ts), apart from the finding store's own list. Times are epoch milliseconds (bigint); text that is
// sorted or compared uses the "C" collation, so it orders by code point and folds only ASCII case, as SQLite does.
import type { Migration } from './migrate.js';
import { ERASURE_TABLES } from './erasure-store.js';

/** The migration part these tables are versioned under. */
export const STATE_PART = 'state';

const NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';
const ADMIN_DOCUMENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

/** A name that compares without ASCII case, as IAM's do: the spelling kept, its lower-cased key unique. */
const NAMED = `name text COLLATE "C" NOT NULL,
        key  text COLLATE "C" GENERATED ALWAYS AS (lower(name)) STORED PRIMARY KEY`;

const PRINCIPALS: readonly string[] = [
  `CREATE TABLE iam_users (
    ${NAMED},
    password_hash  text,                        -- scrypt$N$r$p$salt$hash, or NULL: no password login
    tags           text NOT NULL,               -- JSON object
    created_at     bigint NOT NULL,
    updated_at     bigint NOT NULL
  )`,
  `CREATE TABLE iam_groups (
    ${NAMED},
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
  )`,
  `CREATE TABLE iam_group_members (
    group_key  text COLLATE "C" NOT NULL REFERENCES iam_groups (key) ON DELETE CASCADE,
    user_key   text COLLATE "C" NOT NULL REFERENCES iam_users (key) ON DELETE CASCADE,
    PRIMARY KEY (group_key, user_key)
  )`,
  'CREATE INDEX iam_group_members_user ON iam_group_members (user_key)',
  `CREATE TABLE iam_roles (
    ${NAMED},
    description   text NOT NULL,
    tags          text NOT NULL,                -- JSON object
    trust_policy  text,                         -- JSON policy naming who may assume the role (federation)
    built_in      boolean NOT NULL,
    created_at    bigint NOT NULL,
    updated_at    bigint NOT NULL
  )`,
  `CREATE TABLE iam_policies (
    ${NAMED},
    document    text NOT NULL,                  -- JSON, as validated when saved (text: its key order is kept)
    built_in    boolean NOT NULL,
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
  )`,
  // A policy cannot be deleted while attached (the reference refuses it even against a concurrent attach).
  `CREATE TABLE iam_attachments (
    principal_kind  text NOT NULL,              -- user | group | role
    principal_key   text COLLATE "C" NOT NULL,
    policy_key      text COLLATE "C" NOT NULL REFERENCES iam_policies (key),
    PRIMARY KEY (principal_kind, principal_key, policy_key)
  )`,
  'CREATE INDEX iam_attachments_policy ON iam_attachments (policy_key)',
  `CREATE TABLE api_keys (
    seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,   -- listing order
    id            text COLLATE "C" PRIMARY KEY,
    prefix        text NOT NULL,                -- yk_xxxxxxxx, or ygr_ for keys of the older form
    name          text NOT NULL,
    hash          text COLLATE "C" NOT NULL UNIQUE,
    owner_kind    text NOT NULL,                -- user | role
    owner_key     text COLLATE "C" NOT NULL,
    owner_name    text NOT NULL,                -- the owner's spelling
    created_at    bigint NOT NULL,
    last_used_at  bigint,
    expires_at    bigint,
    revoked_at    bigint
  )`,
  'CREATE INDEX api_keys_owner ON api_keys (owner_kind, owner_key)',
  `INSERT INTO iam_policies (name, document, built_in, created_at, updated_at) VALUES ('AdministratorAccess', '${ADMIN_DOCUMENT}', true, ${NOW_MS}, ${NOW_MS})`,
  `INSERT INTO iam_roles (name, description, tags, trust_policy, built_in, created_at, updated_at)
    VALUES ('Administrator', 'Every permission; the bootstrap key''s role.', '{}', NULL, true, ${NOW_MS}, ${NOW_MS})`,
  `INSERT INTO iam_attachments VALUES ('role', 'administrator', 'administratoraccess')`,
];

const CATALOG: readonly string[] = [
  `CREATE TABLE catalog_groups (
    name        text COLLATE "C" PRIMARY KEY,   -- lower case only (catalog/names.ts)
    tags        text NOT NULL,                  -- JSON object
    built_in    boolean NOT NULL,
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
  )`,
  `CREATE TABLE catalog_accounts (
    account_id  text COLLATE "C" PRIMARY KEY,
    group_name  text COLLATE "C" NOT NULL REFERENCES catalog_groups (name),
    name        text,
    tags        text NOT NULL,                  -- JSON object
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
  )`,
  'CREATE INDEX catalog_accounts_group ON catalog_accounts (group_name, account_id)',
  `CREATE TABLE catalog_policy (
    id          integer PRIMARY KEY CHECK (id = 1),
    document    text NOT NULL,
    updated_at  bigint NOT NULL
  )`,
  `INSERT INTO catalog_groups VALUES ('unassigned', '{}', true, ${NOW_MS}, ${NOW_MS})`,
];

const AUDIT: readonly string[] = [
  `CREATE TABLE audit_log (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- orders entries of the same millisecond
    time         bigint NOT NULL,
    request_id   text COLLATE "C" NOT NULL,
    principal    text COLLATE "C",             -- ARN; NULL when the call was not authenticated
    key_prefix   text COLLATE "C",             -- the visible yk_ prefix, never a secret
    session_id   text COLLATE "C",             -- hash id of the session, never its token
    source_ip    text COLLATE "C" NOT NULL,
    method       text COLLATE "C" NOT NULL,
    route        text COLLATE "C" NOT NULL,    -- the route's pattern
    action       text COLLATE "C",
    resource     text COLLATE "C",
    decision     text COLLATE "C" NOT NULL,    -- allowed | denied | unauthenticated | error
    status       integer NOT NULL,
    error_code   text COLLATE "C",
    result_size  bigint,
    items        bigint,
    reason       text COLLATE "C"
  )`,
  'CREATE INDEX audit_log_time ON audit_log (time, seq)',
  'CREATE INDEX audit_log_principal_time ON audit_log (principal, time)',
  'CREATE INDEX audit_log_decision_time ON audit_log (decision, time)',
  // Append-only in the database too, whatever code runs on it: changes, deletions and truncation are refused.
  `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
    END
  $$`,
  'CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()',
  'CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()',
];

const ALERTS: readonly string[] = [
  `CREATE TABLE alert_destinations (
    id          text COLLATE "C" PRIMARY KEY,
    type        text NOT NULL,
    spec        text NOT NULL,                  -- JSON sealed with the master key, bound to the id
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
  )`,
  `CREATE TABLE alert_rules (
    id          text COLLATE "C" PRIMARY KEY,
    spec        text NOT NULL,                  -- JSON RuleSpec
    owner       text NOT NULL,                  -- the principal whose permissions the rule evaluates with
    status      text,                           -- JSON {"state": "suspended", "reason": …}; NULL while active
    created_at  bigint NOT NULL,
    updated_at  bigint NOT NULL
  )`,
  `CREATE TABLE alert_incidents (
    rule           text COLLATE "C" NOT NULL,
    group_key      text COLLATE "C" NOT NULL,
    opened_at      bigint NOT NULL,
    last_alert_at  bigint NOT NULL,
    band           text NOT NULL,
    count          bigint NOT NULL,
    updates        bigint NOT NULL,
    alerts         bigint NOT NULL,
    updated_at     bigint NOT NULL,
    PRIMARY KEY (rule, group_key)
  )`,
  'CREATE INDEX alert_incidents_updated ON alert_incidents (updated_at)',
  // The delivery outbox and log. A pending delivery is claimed by one instance's dispatcher until `claimed_until`,
  // so that with several instances each is sent by one of them; a claim that lapses (its holder died) is taken over.
  `CREATE TABLE alert_deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key  text NOT NULL,
    rule             text COLLATE "C" NOT NULL,
    destination      text COLLATE "C" NOT NULL,
    kind             text NOT NULL,
    finding          text,
    message          text NOT NULL,             -- JSON AlertMessage
    status           text NOT NULL,             -- pending | sent | dead
    attempts         integer NOT NULL,
    next_attempt_at  bigint NOT NULL,
    arrived_at       bigint NOT NULL,
    created_at       bigint NOT NULL,
    sent_at          bigint,
    last_error       text,
    latency_ms       bigint,
    claimed_by       text,
    claimed_until    bigint
  )`,
  `CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at, id) WHERE status = 'pending'`,
  'CREATE INDEX alert_deliveries_created ON alert_deliveries (created_at)',
  `CREATE TABLE alert_delivery_findings (
    delivery    bigint NOT NULL REFERENCES alert_deliveries (id) ON DELETE CASCADE,
    account_id  text COLLATE "C" NOT NULL,
    region      text COLLATE "C" NOT NULL,
    id          text COLLATE "C" NOT NULL,
    PRIMARY KEY (delivery, account_id, region, id)
  )`,
  `CREATE TABLE alert_digest_items (
    seq      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule     text COLLATE "C" NOT NULL,
    finding  text NOT NULL,                     -- JSON AlertFinding
    at       bigint NOT NULL
  )`,
  'CREATE INDEX alert_digest_items_rule ON alert_digest_items (rule, seq)',
];

const SESSIONS: readonly string[] = [
  `CREATE TABLE sessions (
    hash           text COLLATE "C" PRIMARY KEY,   -- SHA-256 of the cookie token; the token is never stored
    key_id         text NOT NULL,
    name           text NOT NULL,
    user_name      text,
    access_key_id  text,
    created_at     bigint NOT NULL,
    last_used_at   bigint NOT NULL,
    expires_at     bigint NOT NULL
  )`,
  'CREATE INDEX sessions_expiry ON sessions (expires_at)',
  `CREATE TABLE sts_sessions (
    access_key_id   text COLLATE "C" PRIMARY KEY,  -- ASIA…, public
    sealed_secret   text NOT NULL,                 -- the secret access key, sealed with the master key
    token_hash      text NOT NULL,                 -- SHA-256 of the session token; the token is never stored
    role_name       text NOT NULL,
    session_name    text NOT NULL,
    source          text NOT NULL,                 -- ldap | oidc:<provider> | key
    subject         text NOT NULL,
    session_policy  text,                          -- JSON
    tags            text NOT NULL,                 -- JSON object
    context         text NOT NULL,                 -- JSON object
    source_ip       text NOT NULL,
    created_at      bigint NOT NULL,
    expires_at      bigint NOT NULL,
    revoked_at      bigint
  )`,
  'CREATE INDEX sts_sessions_expires ON sts_sessions (expires_at)',
  `CREATE TABLE api_key_signing (
    key_id         text COLLATE "C" PRIMARY KEY,   -- the API key (api_keys.id) these credentials belong to
    access_key_id  text COLLATE "C" NOT NULL UNIQUE,  -- AKIA…, public
    sealed_secret  text NOT NULL                   -- the secret access key, sealed with the master key
  )`,
  `CREATE TABLE directory_role_map (
    dn          text COLLATE "C" PRIMARY KEY,      -- normalised DN of a user or a group
    role_name   text NOT NULL,
    created_at  bigint NOT NULL
  )`,
  // Small named values: the evaluation cursor, random secrets made on first use.
  `CREATE TABLE meta (
    key    text COLLATE "C" PRIMARY KEY,
    value  text NOT NULL
  )`,
];

export const STATE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'principals, catalog, audit log, alerting, sessions, temporary credentials, meta',
    statements: [...PRINCIPALS, ...CATALOG, ...AUDIT, ...ALERTS, ...SESSIONS],
  },
  { version: 2, name: 'erasure jobs, their key digests, account tombstones', statements: ERASURE_TABLES },
];

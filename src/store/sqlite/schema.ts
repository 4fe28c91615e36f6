// SQLite schema of the embedded store. Times are epoch milliseconds (INTEGER), booleans 0/1.
import type Database from 'better-sqlite3';

/** Ordered migrations; index + 1 is the schema version recorded in `PRAGMA user_version`. */
const MIGRATIONS: readonly string[] = [
  `
  -- One row per finding: the current version plus what Yagura derives about it.
  CREATE TABLE findings (
    rowid          INTEGER PRIMARY KEY,
    account_id     TEXT    NOT NULL,
    region         TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    arn            TEXT,
    type           TEXT    NOT NULL,
    severity       REAL    NOT NULL,
    band           INTEGER NOT NULL,          -- 1 Low, 2 Medium, 3 High, 4 Critical
    title          TEXT,
    resource_type  TEXT,
    action_type    TEXT,
    created_at     INTEGER,
    updated_at     INTEGER NOT NULL,
    count          INTEGER NOT NULL,
    archived       INTEGER NOT NULL,
    sample         INTEGER NOT NULL,
    first_seen     INTEGER NOT NULL,          -- derived: first stored by Yagura
    last_seen      INTEGER NOT NULL,          -- derived: last new version stored by Yagura
    versions       INTEGER NOT NULL,          -- derived: number of distinct versions stored
    hash           TEXT    NOT NULL,          -- content hash of the current version
    received_at    INTEGER NOT NULL,          -- when Yagura stored the current version
    doc            TEXT    NOT NULL,          -- the current GuardDuty document, JSON
    UNIQUE (account_id, region, id)
  );
  CREATE INDEX findings_id ON findings (id);
  CREATE INDEX findings_updated ON findings (updated_at);
  CREATE INDEX findings_band_updated ON findings (band, updated_at);
  CREATE INDEX findings_severity_updated ON findings (severity, updated_at);
  CREATE INDEX findings_type_updated ON findings (type, updated_at);
  CREATE INDEX findings_account_updated ON findings (account_id, updated_at);
  CREATE INDEX findings_region_updated ON findings (region, updated_at);
  CREATE INDEX findings_resource_updated ON findings (resource_type, updated_at);
  -- Covers every catalogue column aggregations group on, led by the time range every dashboard query has:
  -- an overview over 7 days reads a slice of this index instead of the (large) finding rows.
  CREATE INDEX findings_overview ON findings (updated_at, band, severity, type, account_id, region, resource_type,
    action_type, archived, sample, count);

  -- Superseded versions (the current one lives in findings.doc). History = these + current.
  CREATE TABLE finding_versions (
    finding     INTEGER NOT NULL REFERENCES findings (rowid) ON DELETE CASCADE,
    hash        TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    doc         TEXT    NOT NULL,
    PRIMARY KEY (finding, hash)
  ) WITHOUT ROWID;

  -- Remote parties of the current version (network peers, API callers, probers), for terms and filters.
  CREATE TABLE finding_remote_ips (
    finding  INTEGER NOT NULL REFERENCES findings (rowid) ON DELETE CASCADE,
    ip       TEXT    NOT NULL,
    country  TEXT,
    org      TEXT,
    PRIMARY KEY (finding, ip)
  ) WITHOUT ROWID;
  CREATE INDEX finding_remote_ips_ip ON finding_remote_ips (ip);

  -- Free text of the current version (title, description, type, resource and network names).
  CREATE VIRTUAL TABLE findings_text USING fts5 (text, content = '', contentless_delete = 1, tokenize = 'unicode61');

  -- Archive outbox: versions committed here whose archive objects are not yet known to be on disk.
  -- Rows are written in the same transaction as the versions and deleted once the objects are fsynced.
  CREATE TABLE archive_outbox (
    seq      INTEGER PRIMARY KEY,
    batch    TEXT    NOT NULL,              -- archive object name (one object per account/region/day)
    day      TEXT    NOT NULL,              -- YYYY/MM/DD (UTC) the batch was received
    finding  INTEGER NOT NULL,
    hash     TEXT    NOT NULL
  );
  CREATE INDEX archive_outbox_batch ON archive_outbox (batch);

  CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    hash        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX api_keys_hash ON api_keys (hash);

  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  `
  -- Dashboard sessions: only a hash of the cookie token is kept, with its absolute expiry and last use.
  CREATE TABLE sessions (
    hash          TEXT    PRIMARY KEY,
    key_id        TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX sessions_expiry ON sessions (expires_at);
  `,
  `
  -- Archive and unarchive actions taken in Yagura (findings.archived holds the resulting state).
  CREATE TABLE finding_archive_actions (
    account_id  TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    archived    INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    at          INTEGER NOT NULL
  );
  CREATE INDEX finding_archive_actions_key ON finding_archive_actions (account_id, region, id, at);
  `,
];

/** Brings a database up to the current schema inside one transaction. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`the data file has schema version ${current}, newer than this Yagura (${MIGRATIONS.length}); upgrade Yagura`);
  }
  db.transaction(() => {
    for (let v = current; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v]!);
    }
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
}

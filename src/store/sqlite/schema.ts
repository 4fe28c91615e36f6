// SQLite schema of the embedded store. Times are epoch milliseconds (INTEGER), booleans 0/1.
import type Database from 'better-sqlite3';
import { ALERT_OWNERS_MIGRATION, ALERTS_MIGRATION } from './alert-schema.js';
import { CATALOG_MIGRATION } from './catalog-schema.js';
import { AUDIT_MIGRATION } from './audit-schema.js';
import { CHANGE_LOG_MIGRATION } from './change-log.js';
import { PRINCIPALS_MIGRATION } from './principal-schema.js';
import { FEDERATION_MIGRATION } from './federation-schema.js';
import { SOURCE_STATE_MIGRATION } from './source-state-store.js';
import { RETENTION_MIGRATION } from './retention-schema.js';
import { backfillPathIndex, PATH_INDEX_MIGRATION } from './path-index.js';
import { sealPlaintextDestinations } from './destination-secrets.js';
import { ARCHIVE_INDEX_MIGRATION } from './archive-index.js';
import { ERASURE_MIGRATION } from './erasure-store.js';
import type { SecretBox } from '../../auth/secrets/secret-box.js';

/** What code migrations may need besides the database. */
export interface MigrationContext {
  /** Seals secrets a store from before secrets at rest holds in plain text. */
  readonly secrets?: SecretBox;
}

/** A migration: SQL, or code for what SQL alone cannot do (it runs in the same transaction). */
type Migration = string | ((db: Database.Database, context: MigrationContext) => void);

/** Ordered migrations; index + 1 is the schema version recorded in `PRAGMA user_version`. */
/** Rolling archive objects (see src/archive/archiver.ts); the outbox of an older store becomes sealed objects. */
const ROLLING_ARCHIVE_MIGRATION = `
  -- Rolling archive objects: one open object per account, region and day takes the versions stored into it, commit
  -- by commit, until it is sealed (by age or size, at shutdown, or at once for an import batch). Its name is fixed
  -- when it opens and its versions are fixed when it is sealed, so writing it again after a crash gives the same object.
  CREATE TABLE archive_objects (
    id          INTEGER PRIMARY KEY,
    account_id  TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    day         TEXT    NOT NULL,           -- YYYY/MM/DD (UTC) its versions were received
    name        TEXT    NOT NULL,
    opened_at   INTEGER NOT NULL,
    sealed_at   INTEGER,                    -- NULL while versions still join it
    lines       INTEGER NOT NULL DEFAULT 0,
    bytes       INTEGER NOT NULL DEFAULT 0, -- uncompressed
    UNIQUE (account_id, region, day, name)
  );
  CREATE UNIQUE INDEX archive_objects_open ON archive_objects (account_id, region, day) WHERE sealed_at IS NULL;
  -- Each outbox entry belongs to its object from the commit that wrote it (batch keeps the object's name).
  ALTER TABLE archive_outbox ADD COLUMN object INTEGER;
  -- Entries of a store written before rolling objects: one sealed object per batch and partition, as then.
  INSERT INTO archive_objects (account_id, region, day, name, opened_at, sealed_at, lines)
    SELECT f.account_id, f.region, o.day, o.batch, 0, 0, count(*)
    FROM archive_outbox o JOIN findings f ON f.rowid = o.finding GROUP BY f.account_id, f.region, o.day, o.batch;
  UPDATE archive_outbox SET object = (
    SELECT a.id FROM archive_objects a JOIN findings f ON f.rowid = archive_outbox.finding
    WHERE a.account_id = f.account_id AND a.region = f.region AND a.day = archive_outbox.day AND a.name = archive_outbox.batch);
  DROP INDEX archive_outbox_batch;
  CREATE INDEX archive_outbox_object ON archive_outbox (object);
  `;

/** The path/value index of searched document paths, filled for the findings a store already holds. */
const PATH_INDEX: Migration = (db) => {
  db.exec(PATH_INDEX_MIGRATION);
  backfillPathIndex(db);
};

/** Alert destination specs (URLs, webhook secrets, SMTP passwords) sealed with the master key instead of plain text. */
const SEALED_DESTINATIONS: Migration = (db, context) => sealPlaintextDestinations(db, context.secrets);

const MIGRATIONS: readonly Migration[] = [
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
    doc            TEXT    NOT NULL,          -- the current GuardDuty document, JSON (moved to finding_versions in v2)
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
  -- v2: documents leave the findings row, and every version's document is written once, append-only.
  -- A findings row is now ~200 bytes instead of ~5 KB, so any filter, sort or count its indexes do not cover
  -- reads a compact table (at 1M findings a scan of the v1 table read 7.6 GB). finding_versions becomes a
  -- rowid table in arrival order holding every version, the current one included: an update appends one
  -- row instead of copying the old document into a WITHOUT ROWID table (large rows there are slow).
  CREATE TABLE finding_versions_v2 (
    seq         INTEGER PRIMARY KEY,        -- arrival order of versions
    finding     INTEGER NOT NULL REFERENCES findings (rowid) ON DELETE CASCADE,
    hash        TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    doc         TEXT    NOT NULL            -- the GuardDuty document of this version, JSON
  );
  INSERT INTO finding_versions_v2 (finding, hash, updated_at, count, received_at, doc)
    SELECT finding, hash, updated_at, count, received_at, doc FROM finding_versions ORDER BY received_at;
  INSERT INTO finding_versions_v2 (finding, hash, updated_at, count, received_at, doc)
    SELECT rowid, hash, updated_at, count, received_at, doc FROM findings ORDER BY received_at;
  DROP TABLE finding_versions;
  ALTER TABLE finding_versions_v2 RENAME TO finding_versions;
  CREATE UNIQUE INDEX finding_versions_key ON finding_versions (finding, hash);

  -- The current version of each finding, by its seq in finding_versions.
  ALTER TABLE findings ADD COLUMN current INTEGER NOT NULL DEFAULT 0;
  UPDATE findings SET current = (SELECT v.seq FROM finding_versions v WHERE v.finding = findings.rowid AND v.hash = findings.hash);
  -- The affected resource's identifier by resource type (the overview's most affected resources).
  ALTER TABLE findings ADD COLUMN resource_id TEXT;
  UPDATE findings SET resource_id = CASE resource_type
    WHEN 'Instance' THEN json_extract(doc, '$.resource.instanceDetails.instanceId')
    WHEN 'AccessKey' THEN json_extract(doc, '$.resource.accessKeyDetails.accessKeyId')
    WHEN 'S3Bucket' THEN json_extract(doc, '$.resource.s3BucketDetails[0].name')
    WHEN 'EKSCluster' THEN json_extract(doc, '$.resource.eksClusterDetails.name')
    WHEN 'RDSDBInstance' THEN json_extract(doc, '$.resource.rdsDbInstanceDetails.dbInstanceIdentifier')
    WHEN 'Lambda' THEN json_extract(doc, '$.resource.lambdaDetails.functionName')
    WHEN 'ECSCluster' THEN json_extract(doc, '$.resource.ecsClusterDetails.name')
    WHEN 'Container' THEN json_extract(doc, '$.resource.containerDetails.name')
  END;
  UPDATE findings SET resource_id = NULL WHERE typeof(resource_id) <> 'text';
  CREATE INDEX findings_resource_id_updated ON findings (resource_id, updated_at);
  -- The overview's covering index gains the resource identifier.
  DROP INDEX findings_overview;
  CREATE INDEX findings_overview ON findings (updated_at, band, severity, type, account_id, region, resource_type,
    action_type, archived, sample, count, resource_id);
  ALTER TABLE findings DROP COLUMN doc;
  -- Hash of what the free-text and remote-party indexes hold: an update that changes neither (most
  -- updates only raise count and updatedAt) leaves those indexes alone instead of deleting and re-adding.
  ALTER TABLE findings ADD COLUMN facts_hash TEXT NOT NULL DEFAULT '';
  -- Remote parties carry the time and band of their finding, so terms on remote IPs over a time range are
  -- answered from this index alone instead of a findings lookup per party.
  ALTER TABLE finding_remote_ips ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE finding_remote_ips ADD COLUMN band INTEGER NOT NULL DEFAULT 0;
  UPDATE finding_remote_ips SET (updated_at, band) = (SELECT f.updated_at, f.band FROM findings f WHERE f.rowid = finding_remote_ips.finding);
  CREATE INDEX finding_remote_ips_time ON finding_remote_ips (updated_at, ip, band, country, org, finding);
  `,
  CHANGE_LOG_MIGRATION,
  ALERTS_MIGRATION,
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
  `
  -- Open findings by creation time (the dashboard's "open longest"): walked in order instead of sorting them all.
  CREATE INDEX findings_created ON findings (archived, COALESCE(created_at, 0));
  `,
  PRINCIPALS_MIGRATION,
  CATALOG_MIGRATION,
  AUDIT_MIGRATION,
  ALERT_OWNERS_MIGRATION,
  ROLLING_ARCHIVE_MIGRATION,
  PATH_INDEX,
  SEALED_DESTINATIONS,
  FEDERATION_MIGRATION,
  SOURCE_STATE_MIGRATION,
  ARCHIVE_INDEX_MIGRATION,
  ERASURE_MIGRATION,
  RETENTION_MIGRATION,
];

/** The schema version this Yagura writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The version that added principals (tests migrate a store from just before it). */
export const PRINCIPALS_SCHEMA_VERSION = MIGRATIONS.indexOf(PRINCIPALS_MIGRATION) + 1;

/** The version that added the account catalog (tests migrate a store from just before it). */
export const CATALOG_SCHEMA_VERSION = MIGRATIONS.indexOf(CATALOG_MIGRATION) + 1;
/** The version that gave alert rules owners (tests migrate a store from just before it). */
export const ALERT_OWNERS_SCHEMA_VERSION = MIGRATIONS.indexOf(ALERT_OWNERS_MIGRATION) + 1;
/** The version that made archive objects roll (tests migrate a store from just before it). */
export const ROLLING_ARCHIVE_SCHEMA_VERSION = MIGRATIONS.indexOf(ROLLING_ARCHIVE_MIGRATION) + 1;
/** The version that added the path/value index (tests migrate a store from just before it). */
export const PATH_INDEX_SCHEMA_VERSION = MIGRATIONS.indexOf(PATH_INDEX) + 1;

/** The version that sealed alert destination specs (tests migrate a store from just before it). */
export const SEALED_DESTINATIONS_SCHEMA_VERSION = MIGRATIONS.indexOf(SEALED_DESTINATIONS) + 1;
/** The version that added federation (tests migrate a store from just before it). */
export const FEDERATION_SCHEMA_VERSION = MIGRATIONS.indexOf(FEDERATION_MIGRATION) + 1;

/** Brings a database up to the current schema (tests may stop at an older `version`) inside one transaction. */
export function migrate(db: Database.Database, version: number = SCHEMA_VERSION, context: MigrationContext = {}): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`the data file has schema version ${current}, newer than this Yagura (${SCHEMA_VERSION}); upgrade Yagura`);
  }
  if (current >= version) return;
  db.transaction(() => {
    for (let v = current; v < version; v++) {
      const migration = MIGRATIONS[v]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db, context);
    }
    db.pragma(`user_version = ${version}`);
  })();
}

// SQLite schema of alerting: rules, destinations, incidents, the delivery outbox and digest collections.

/** Migration that adds alerting's tables. */
export const ALERTS_MIGRATION = `
  CREATE TABLE alert_destinations (
    id          TEXT PRIMARY KEY,
    type        TEXT    NOT NULL,
    spec        TEXT    NOT NULL,            -- JSON, secrets included (never returned by the API)
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );

  CREATE TABLE alert_rules (
    id          TEXT PRIMARY KEY,
    spec        TEXT    NOT NULL,            -- JSON RuleSpec
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  );

  -- What each rule remembers per group, for once-per-incident alerting.
  CREATE TABLE alert_incidents (
    rule           TEXT    NOT NULL,
    group_key      TEXT    NOT NULL,
    opened_at      INTEGER NOT NULL,
    last_alert_at  INTEGER NOT NULL,
    band           TEXT    NOT NULL,
    count          INTEGER NOT NULL,
    updates        INTEGER NOT NULL,
    alerts         INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (rule, group_key)
  ) WITHOUT ROWID;

  -- The delivery outbox and log: written with the incident, confirmed after the receiver's 2xx.
  CREATE TABLE alert_deliveries (
    id               INTEGER PRIMARY KEY,
    idempotency_key  TEXT    NOT NULL,
    rule             TEXT    NOT NULL,
    destination      TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    finding          TEXT,
    message          TEXT    NOT NULL,       -- JSON AlertMessage
    status           TEXT    NOT NULL,       -- pending | sent | dead
    attempts         INTEGER NOT NULL,
    next_attempt_at  INTEGER NOT NULL,
    arrived_at       INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    sent_at          INTEGER,
    last_error       TEXT,
    latency_ms       INTEGER
  );
  CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_attempt_at);

  -- Matches collected for digest rules until their next scheduled digest.
  CREATE TABLE alert_digest_items (
    seq      INTEGER PRIMARY KEY,
    rule     TEXT    NOT NULL,
    finding  TEXT    NOT NULL,               -- JSON AlertFinding
    at       INTEGER NOT NULL
  );
  CREATE INDEX alert_digest_items_rule ON alert_digest_items (rule, seq);
`;

/** The principal that owns rules stored before rules had owners (the built-in administrator role). */
export const LEGACY_RULE_OWNER = 'arn:yagura:iam:::role/Administrator';

/**
 * Migration that gives rules an owner and a status, and records which findings each delivery is about, so that
 * the delivery log can be restricted, in SQL, to deliveries whose findings a caller may read.
 */
export const ALERT_OWNERS_MIGRATION = `
  -- The principal whose permissions a rule evaluates with; rules from before owners belong to the administrator.
  ALTER TABLE alert_rules ADD COLUMN owner TEXT NOT NULL DEFAULT '${LEGACY_RULE_OWNER}';
  -- Why a rule fires on nothing (JSON {"state": "suspended", "reason": "…"}); NULL while it is active.
  ALTER TABLE alert_rules ADD COLUMN status TEXT;

  -- Every finding a delivery is about (one for an alert, each collected finding for a digest).
  CREATE TABLE alert_delivery_findings (
    delivery    INTEGER NOT NULL,
    account_id  TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    PRIMARY KEY (delivery, account_id, region, id)
  ) WITHOUT ROWID;
  INSERT OR IGNORE INTO alert_delivery_findings (delivery, account_id, region, id)
    SELECT d.id, substr(d.finding, 1, instr(d.finding, '/') - 1),
           substr(d.finding, instr(d.finding, '/') + 1, instr(substr(d.finding, instr(d.finding, '/') + 1), '/') - 1),
           substr(substr(d.finding, instr(d.finding, '/') + 1), instr(substr(d.finding, instr(d.finding, '/') + 1), '/') + 1)
    FROM alert_deliveries d WHERE d.finding IS NOT NULL;
  -- Digests from before this migration: the findings their message lists.
  INSERT OR IGNORE INTO alert_delivery_findings (delivery, account_id, region, id)
    SELECT d.id, json_extract(j.value, '$.accountId'), json_extract(j.value, '$.region'), json_extract(j.value, '$.id')
    FROM alert_deliveries d, json_each(d.message, '$.findings') j
    WHERE d.finding IS NULL AND json_extract(j.value, '$.accountId') IS NOT NULL;
`;

// SQLite schema of the audit log: one row per API call, append-only (triggers refuse UPDATE and DELETE).

/** Migration that adds the audit log. */
export const AUDIT_MIGRATION = `
  CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,         -- arrival order; orders entries of the same millisecond
    time         INTEGER NOT NULL,
    request_id   TEXT    NOT NULL,
    principal    TEXT,                        -- ARN; NULL when the call was not authenticated
    key_prefix   TEXT,                        -- the visible yk_ prefix (a legacy key's id), never a secret
    session_id   TEXT,                        -- hash id of the session, never its token
    source_ip    TEXT    NOT NULL,
    method       TEXT    NOT NULL,
    route        TEXT    NOT NULL,            -- the route's pattern
    action       TEXT,
    resource     TEXT,                        -- ARN, or the text of the finding scope applied
    decision     TEXT    NOT NULL,            -- allowed | denied | unauthenticated | error
    status       INTEGER NOT NULL,
    error_code   TEXT,
    result_size  INTEGER,                     -- response bytes
    items        INTEGER                      -- items in a list answer
  );
  CREATE INDEX audit_log_time ON audit_log (time, seq);
  CREATE INDEX audit_log_principal_time ON audit_log (principal, time);
  CREATE INDEX audit_log_decision_time ON audit_log (decision, time);
  -- Append-only in the database too, whatever code runs on it.
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`;

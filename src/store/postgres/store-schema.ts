// The PostgreSQL store's schema, version by version. Times are epoch milliseconds (bigint); text that is sorted
// or compared uses the "C" collation, so that it orders by code point exactly as the embedded store does.
import type { Migration } from './migrate.js';

export const STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'findings, versions, remote parties, archive outbox, change log',
    statements: [
      `CREATE TABLE findings (
        rid            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id     text COLLATE "C" NOT NULL,
        region         text COLLATE "C" NOT NULL,
        id             text COLLATE "C" NOT NULL,
        arn            text COLLATE "C",
        type           text COLLATE "C" NOT NULL,
        severity       double precision NOT NULL,
        severity_exact numeric NOT NULL,                 -- the same double, its exact decimal value: sums round once
        band           smallint NOT NULL,                -- 1 Low, 2 Medium, 3 High, 4 Critical
        title          text COLLATE "C",
        resource_type  text COLLATE "C",
        action_type    text COLLATE "C",
        resource_id    text COLLATE "C",
        created_at     bigint,
        updated_at     bigint NOT NULL,
        count          bigint NOT NULL,
        archived       boolean NOT NULL,
        sample         boolean NOT NULL,
        first_seen     bigint NOT NULL,                  -- derived: first stored by Yagura
        last_seen      bigint NOT NULL,                  -- derived: last new version stored by Yagura
        versions       integer NOT NULL,                 -- derived: distinct versions stored
        hash           text NOT NULL,                    -- content hash of the current version
        received_at    bigint NOT NULL,                  -- when Yagura stored the current version
        current        bigint,                           -- finding_versions.seq of the current version
        text_hash      text NOT NULL,                    -- hash of the free text finding_words holds
        UNIQUE (account_id, region, id)
      )`,
      'CREATE INDEX findings_updated ON findings (updated_at, account_id, region, id)',
      // The words bare KQL terms search, split as words.ts does, apart from the findings rows (which every filter,
      // sort and aggregation reads, and most updates rewrite while the text stays the same).
      `CREATE TABLE finding_words (
        finding  bigint PRIMARY KEY REFERENCES findings (rid) ON DELETE CASCADE,
        words    tsvector NOT NULL
      )`,
      'CREATE INDEX finding_words_words ON finding_words USING gin (words)',
      // Every distinct version, the current one included, as the JSON text that arrived (not jsonb: the text is
      // kept byte for byte, and JSON that jsonb refuses, such as an escaped lone surrogate, is still stored).
      `CREATE TABLE finding_versions (
        seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        finding      bigint NOT NULL REFERENCES findings (rid) ON DELETE CASCADE,
        hash         text NOT NULL,
        updated_at   bigint NOT NULL,
        count        bigint NOT NULL,
        received_at  bigint NOT NULL,
        doc          text NOT NULL,
        UNIQUE (finding, hash)
      )`,
      `CREATE TABLE finding_remote_ips (
        finding     bigint NOT NULL REFERENCES findings (rid) ON DELETE CASCADE,
        ip          text COLLATE "C" NOT NULL,
        country     text COLLATE "C",
        org         text COLLATE "C",
        updated_at  bigint NOT NULL,
        band        smallint NOT NULL,
        PRIMARY KEY (finding, ip)
      )`,
      'CREATE INDEX finding_remote_ips_ip ON finding_remote_ips (ip)',
      // Document paths a KQL field can name (document-values.ts), numbered once for all findings.
      `CREATE TABLE document_paths (
        id    integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        path  text COLLATE "C" NOT NULL UNIQUE
      )`,
      // The values of each current version under its paths, so that conditions on paths read indexes instead of
      // parsing documents. Text over 2 kB is kept apart from the indexed column (index entries must stay small).
      // Some 70 rows per finding: no foreign key (its check per row doubled the cost of storing them); the code
      // that deletes a finding deletes its values.
      `CREATE TABLE finding_values (
        finding    bigint NOT NULL,
        path       integer NOT NULL,
        kind       smallint NOT NULL,                    -- 0 object, 1 text, 2 number, 3 false, 4 true
        text       text COLLATE "C",
        long_text  text COLLATE "C",
        number     double precision,
        time       bigint                                -- epoch ms the text reads as, as SQLite's unixepoch reads it
      )`,
      'CREATE INDEX finding_values_finding ON finding_values (finding)',
      'CREATE INDEX finding_values_text ON finding_values (path, text)',
      'CREATE INDEX finding_values_number ON finding_values (path, number) WHERE number IS NOT NULL',
      'CREATE INDEX finding_values_time ON finding_values (path, time) WHERE time IS NOT NULL',
      'CREATE INDEX finding_values_long ON finding_values (path) WHERE long_text IS NOT NULL',
      `CREATE TABLE finding_archive_actions (
        account_id  text NOT NULL,
        region      text NOT NULL,
        id          text NOT NULL,
        archived    boolean NOT NULL,
        actor       text NOT NULL,
        at          bigint NOT NULL
      )`,
      'CREATE INDEX finding_archive_actions_key ON finding_archive_actions (account_id, region, id, at)',
      // Rolling archive objects: one open object per account, region and day until it is sealed; its name is fixed
      // when it opens and its lines when it is sealed, so writing it again after a crash gives the same object.
      `CREATE TABLE archive_objects (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id  text NOT NULL,
        region      text NOT NULL,
        day         text NOT NULL,                       -- YYYY/MM/DD (UTC) its versions were received
        name        text NOT NULL,
        opened_at   bigint NOT NULL,
        sealed_at   bigint,
        lines       bigint NOT NULL DEFAULT 0,
        bytes       bigint NOT NULL DEFAULT 0,           -- uncompressed
        UNIQUE (account_id, region, day, name)
      )`,
      'CREATE UNIQUE INDEX archive_objects_open ON archive_objects (account_id, region, day) WHERE sealed_at IS NULL',
      // Written in the transaction that stores the versions; deleted once their object is in the archive.
      `CREATE TABLE archive_outbox (
        seq      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        object   bigint NOT NULL REFERENCES archive_objects (id) ON DELETE CASCADE,
        finding  bigint NOT NULL,
        hash     text NOT NULL
      )`,
      'CREATE INDEX archive_outbox_object ON archive_outbox (object, seq)',
      // The change log, numbered in commit order: writers take the head row's lock, so numbers are handed out in
      // the order transactions commit, never reused, and the last one survives pruning.
      `CREATE TABLE finding_changes (
        seq         bigint PRIMARY KEY,
        finding     bigint NOT NULL,
        hash        text NOT NULL,
        outcome     text NOT NULL,                       -- created | updated
        band        smallint NOT NULL,
        prev_band   smallint,
        count       bigint NOT NULL,
        prev_count  bigint,
        at          bigint NOT NULL
      )`,
      `CREATE TABLE finding_change_head (
        one       boolean PRIMARY KEY DEFAULT true CHECK (one),
        last_seq  bigint NOT NULL
      )`,
      'INSERT INTO finding_change_head (one, last_seq) VALUES (true, 0)',
    ],
  },
  {
    version: 2,
    name: 'archive index and archive rewrites queued by erasures',
    statements: [
      // Archive objects written and confirmed (the outbox forgets them once confirmed).
      `CREATE TABLE archive_written (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id  text NOT NULL,
        region      text NOT NULL,
        day         text NOT NULL,
        name        text NOT NULL,
        UNIQUE (account_id, region, day, name)
      )`,
      // Which written object holds lines of which finding: the first 16 bytes of the key's SHA-256 (findings/key-digest.ts).
      `CREATE TABLE archive_index (
        key     bytea  NOT NULL,
        object  bigint NOT NULL,
        PRIMARY KEY (key, object)
      )`,
      'CREATE INDEX archive_index_object ON archive_index (object)',
      // Objects to rewrite without the lines of these keys, queued by an erasure in the transaction that removes them.
      `CREATE TABLE archive_purges (
        account_id  text NOT NULL,
        region      text NOT NULL,
        day         text NOT NULL,
        name        text NOT NULL,
        key         bytea NOT NULL,
        PRIMARY KEY (account_id, region, day, name, key)
      )`,
    ],
  },
];

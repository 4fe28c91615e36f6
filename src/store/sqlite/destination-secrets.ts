// Alert destinations at rest: each destination's whole spec is sealed with the master key, bound to its id.
//
// The whole spec rather than its secret fields: Slack and Teams URLs are themselves the credential, webhook URLs
// often carry tokens in their query, and a field added to a destination type later is sealed without anyone
// having to remember to list it. Nothing queries inside a spec in SQL (the type has a column of its own), so
// sealing all of it costs nothing but one AES-GCM operation per read.
import type Database from 'better-sqlite3';
import type { DestinationSpec } from '../../alerts/destination.js';
import type { SecretBox } from '../../auth/secrets/secret-box.js';

/** The context a destination's spec is sealed for: a sealed spec copied to another row does not open. */
export function destinationContext(id: string): string {
  return `destination:${id}`;
}

export function sealSpec(box: SecretBox, id: string, spec: DestinationSpec): string {
  return box.seal(JSON.stringify(spec), destinationContext(id));
}

export function openSpec(box: SecretBox, id: string, sealed: string): DestinationSpec {
  return JSON.parse(box.open(sealed, destinationContext(id))) as DestinationSpec;
}

/**
 * Runs `run` with SQLite's secure delete on, so the pages a rewrite frees or changes are zeroed rather than
 * keeping the values they held (a plaintext spec, a value sealed with a retired key).
 */
export function withSecureDelete<T>(db: Database.Database, run: () => T): T {
  const before = db.pragma('secure_delete', { simple: true }) as number;
  db.pragma('secure_delete = ON');
  try {
    return run();
  } finally {
    db.pragma(`secure_delete = ${before}`);
  }
}

/**
 * Passes each destination's stored spec and context to `rewrite` and stores what it returns where that differs
 * (the caller's transaction). Returns how many changed.
 */
export function rewriteDestinationSpecs(db: Database.Database, rewrite: (stored: string, context: string) => string): number {
  const rows = db.prepare('SELECT id, spec FROM alert_destinations').all() as Array<{ id: string; spec: string }>;
  const update = db.prepare('UPDATE alert_destinations SET spec = ? WHERE id = ?');
  let changed = 0;
  for (const row of rows) {
    const next = rewrite(row.spec, destinationContext(row.id));
    if (next !== row.spec) {
      update.run(next, row.id);
      changed++;
    }
  }
  return changed;
}

/**
 * The migration to sealed specs: the destinations a store from before secrets at rest holds in plain text are
 * copied, sealed, into a new table and the old one dropped. Updating rows in place is not enough: sealed rows are
 * longer, pages split, and a split leaves the old plain text in the free space of the page it came from, which
 * secure delete does not clear; dropping the table frees (and, with secure delete, zeroes) every page it had.
 * A store opened without a SecretBox passes only while no destination needs sealing (a new store, most tests).
 * The table is rebuilt even when empty, so that every store has the same definition of it.
 */
export function sealPlaintextDestinations(db: Database.Database, box: SecretBox | undefined): void {
  const rows = db.prepare('SELECT id, type, spec, created_at, updated_at FROM alert_destinations').all() as Array<{
    id: string;
    type: string;
    spec: string;
    created_at: number;
    updated_at: number;
  }>;
  const seal = (spec: string, id: string): string => {
    if (box === undefined) throw new Error('this store holds alert destinations to seal with the master key: open it with a keyring');
    return box.isSealed(spec) ? spec : box.seal(spec, destinationContext(id));
  };
  withSecureDelete(db, () => {
    db.exec(`CREATE TABLE alert_destinations_sealed (
      id          TEXT PRIMARY KEY,
      type        TEXT    NOT NULL,
      spec        TEXT    NOT NULL,            -- JSON sealed with the master key (destination-secrets.ts)
      created_at  INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL
    )`);
    const insert = db.prepare('INSERT INTO alert_destinations_sealed (id, type, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
    for (const r of rows) insert.run(r.id, r.type, seal(r.spec, r.id), r.created_at, r.updated_at);
    db.exec('DROP TABLE alert_destinations; ALTER TABLE alert_destinations_sealed RENAME TO alert_destinations;');
  });
}

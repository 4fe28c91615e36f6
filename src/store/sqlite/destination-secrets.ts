// Alert destinations at rest: each destination's whole spec is sealed with the master key, bound to its id.
//
// The whole spec rather than its secret fields: Slack and Teams URLs are themselves the credential, webhook URLs
// often carry tokens in their query, and a field added to a destination type later is sealed without anyone
// having to remember to list it. Nothing queries inside a spec in SQL (the type has a column of its own), so
// sealing all of it costs nothing but one AES-GCM operation per read.
import type Database from 'better-sqlite3';
import { destinationContext } from '../../alerts/destination-seal.js';
import type { SecretBox } from '../../auth/secrets/secret-box.js';
import { SecretError } from '../../auth/secrets/secret-error.js';

// Sealing itself is backend-neutral (the context must match wherever a sealed spec is copied to).
export { destinationContext, openSpec, sealSpec } from '../../alerts/destination-seal.js';

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

interface StoredDestination {
  id: string;
  type: string;
  spec: string;
  created_at: number;
  updated_at: number;
}

/**
 * Passes each destination's stored spec and context to `rewrite` and, when any comes back different, rebuilds the
 * table with what it returned (in the caller's transaction); returns how many changed. Rebuilt rather than updated
 * in place: rewritten rows are longer (sealed) or differ, pages split, and a split leaves the old bytes in the free
 * space of the page they came from, which secure delete does not clear. Dropping the old table frees every page it
 * had, and with secure delete on, SQLite zeroes them. `always`: rebuild even when nothing changed.
 */
export function rewriteDestinationSpecs(db: Database.Database, rewrite: (stored: string, context: string) => string, always = false): number {
  const rows = db.prepare('SELECT id, type, spec, created_at, updated_at FROM alert_destinations').all() as StoredDestination[];
  const specs = rows.map((r) => rewrite(r.spec, destinationContext(r.id)));
  const changed = specs.filter((spec, i) => spec !== rows[i]!.spec).length;
  if (changed === 0 && !always) return 0;
  withSecureDelete(db, () => {
    db.exec(`CREATE TABLE alert_destinations_new (
      id          TEXT PRIMARY KEY,
      type        TEXT    NOT NULL,
      spec        TEXT    NOT NULL,            -- JSON sealed with the master key (destination-secrets.ts)
      created_at  INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL
    )`);
    const insert = db.prepare('INSERT INTO alert_destinations_new (id, type, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
    for (const [i, r] of rows.entries()) insert.run(r.id, r.type, specs[i], r.created_at, r.updated_at);
    db.exec('DROP TABLE alert_destinations; ALTER TABLE alert_destinations_new RENAME TO alert_destinations;');
  });
  return changed;
}

/**
 * The migration to sealed specs: seals every spec a store from before secrets at rest holds in plain text. A store
 * opened without a SecretBox passes only while no destination needs sealing (a new store, most tests). The table
 * is rebuilt even when empty, so that every store has the same definition of it.
 */
export function sealPlaintextDestinations(db: Database.Database, box: SecretBox | undefined): void {
  rewriteDestinationSpecs(
    db,
    (stored, context) => {
      if (box === undefined) throw new SecretError('MASTER_KEY_REQUIRED', 'this store holds alert destinations to seal with the master key: open it with a keyring');
      return box.isSealed(stored) ? stored : box.seal(stored, context);
    },
    true,
  );
}

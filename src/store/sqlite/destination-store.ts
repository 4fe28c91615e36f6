// Alert destinations in the embedded database, each spec sealed with the master key (see destination-secrets.ts).
import type Database from 'better-sqlite3';
import { newAlertId } from '../../alerts/alert-id.js';
import type { Destination, DestinationSpec } from '../../alerts/destination.js';
import type { DestinationStore } from '../../alerts/destination-store.js';
import type { SealedRecords } from '../../auth/secrets/sealed-records.js';
import type { SecretBox } from '../../auth/secrets/secret-box.js';
import { openSpec, rewriteDestinationSpecs, sealSpec } from './destination-secrets.js';

interface DestinationRow {
  id: string;
  spec: string;
  created_at: number;
  updated_at: number;
}

export class SqliteDestinationStore implements DestinationStore, SealedRecords {
  readonly description = 'alert destinations';

  constructor(
    private readonly db: Database.Database,
    private readonly secrets: SecretBox,
  ) {}

  private toDestination(row: DestinationRow): Destination {
    return { ...openSpec(this.secrets, row.id, row.spec), id: row.id, createdAt: row.created_at, updatedAt: row.updated_at };
  }

  async createDestination(spec: DestinationSpec, now: number): Promise<Destination> {
    const id = newAlertId('dst');
    this.db.prepare('INSERT INTO alert_destinations (id, type, spec, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, spec.type, sealSpec(this.secrets, id, spec), now, now);
    return { ...spec, id, createdAt: now, updatedAt: now };
  }

  async getDestination(id: string): Promise<Destination | undefined> {
    const row = this.db.prepare('SELECT id, spec, created_at, updated_at FROM alert_destinations WHERE id = ?').get(id) as DestinationRow | undefined;
    return row && this.toDestination(row);
  }

  async listDestinations(): Promise<Destination[]> {
    const rows = this.db.prepare('SELECT id, spec, created_at, updated_at FROM alert_destinations ORDER BY created_at, id').all() as DestinationRow[];
    return rows.map((row) => this.toDestination(row));
  }

  async replaceDestination(id: string, spec: DestinationSpec, now: number): Promise<Destination | undefined> {
    const changed = this.db.prepare('UPDATE alert_destinations SET type = ?, spec = ?, updated_at = ? WHERE id = ?').run(spec.type, sealSpec(this.secrets, id, spec), now, id).changes;
    return changed === 0 ? undefined : this.getDestination(id);
  }

  async rewriteSealed(rewrite: (sealed: string, context: string) => string): Promise<number> {
    return this.db.transaction(() => rewriteDestinationSpecs(this.db, rewrite))();
  }

  async deleteDestination(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM alert_destinations WHERE id = ?').run(id).changes > 0;
  }
}

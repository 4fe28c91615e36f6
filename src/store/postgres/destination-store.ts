// Alert destinations in PostgreSQL, each spec sealed with the master key and bound to its id, as in the embedded
// store (see ../sqlite/destination-secrets.ts for why the whole spec).
import { newAlertId } from '../../alerts/alert-id.js';
import type { Destination, DestinationSpec } from '../../alerts/destination.js';
import type { DestinationStore } from '../../alerts/destination-store.js';
import type { SealedRecords } from '../../auth/secrets/sealed-records.js';
import type { SecretBox } from '../../auth/secrets/secret-box.js';
import { destinationContext, openSpec, sealSpec } from '../../alerts/destination-seal.js';
import type { PgDatabase } from './database.js';
import { rewriteSealedColumn } from './sealed-column.js';

interface DestinationRow {
  id: string;
  spec: string;
  created_at: number;
  updated_at: number;
}

export class PostgresDestinationStore implements DestinationStore, SealedRecords {
  readonly description = 'alert destinations';

  constructor(
    private readonly db: PgDatabase,
    private readonly secrets: SecretBox,
  ) {}

  private toDestination(row: DestinationRow): Destination {
    return { ...openSpec(this.secrets, row.id, row.spec), id: row.id, createdAt: row.created_at, updatedAt: row.updated_at };
  }

  async createDestination(spec: DestinationSpec, now: number): Promise<Destination> {
    const id = newAlertId('dst');
    await this.db.run('INSERT INTO alert_destinations (id, type, spec, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)', [id, spec.type, sealSpec(this.secrets, id, spec), now]);
    return { ...spec, id, createdAt: now, updatedAt: now };
  }

  async getDestination(id: string): Promise<Destination | undefined> {
    const [row] = await this.db.rows<DestinationRow>('SELECT id, spec, created_at, updated_at FROM alert_destinations WHERE id = $1', [id]);
    return row && this.toDestination(row);
  }

  async listDestinations(): Promise<Destination[]> {
    const rows = await this.db.rows<DestinationRow>('SELECT id, spec, created_at, updated_at FROM alert_destinations ORDER BY created_at, id');
    return rows.map((row) => this.toDestination(row));
  }

  async replaceDestination(id: string, spec: DestinationSpec, now: number): Promise<Destination | undefined> {
    const [row] = await this.db.rows<DestinationRow>('UPDATE alert_destinations SET type = $1, spec = $2, updated_at = $3 WHERE id = $4 RETURNING id, spec, created_at, updated_at', [
      spec.type,
      sealSpec(this.secrets, id, spec),
      now,
      id,
    ]);
    return row && this.toDestination(row);
  }

  async rewriteSealed(rewrite: (sealed: string, context: string) => string): Promise<number> {
    return this.db.transaction((tx) => rewriteSealedColumn(tx, { table: 'alert_destinations', keyColumn: 'id', sealedColumn: 'spec', contextOf: destinationContext }, rewrite));
  }

  async deleteDestination(id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM alert_destinations WHERE id = $1', [id])) > 0;
  }
}

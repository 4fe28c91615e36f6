// The LDAP/AD role map entries edited through the API, in PostgreSQL.
import type { RoleMapEntry, RoleMapStore } from '../../auth/federation/role-map.js';
import type { PgDatabase } from './database.js';

export class PostgresRoleMapStore implements RoleMapStore {
  constructor(private readonly db: PgDatabase) {}

  async list(): Promise<readonly RoleMapEntry[]> {
    return this.db.rows<RoleMapEntry>('SELECT dn, role_name AS role FROM directory_role_map ORDER BY dn');
  }

  async replace(entries: readonly RoleMapEntry[], now: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      // Replacements from two instances at once apply one after the other, never mixed.
      await tx.run('LOCK TABLE directory_role_map IN SHARE ROW EXCLUSIVE MODE');
      await tx.run('DELETE FROM directory_role_map');
      await tx.run('INSERT INTO directory_role_map (dn, role_name, created_at) SELECT dn, role, $3 FROM unnest($1::text[], $2::text[]) AS e (dn, role)', [
        entries.map((e) => e.dn),
        entries.map((e) => e.role),
        now,
      ]);
    });
  }
}

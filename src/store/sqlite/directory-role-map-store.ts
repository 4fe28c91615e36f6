// The LDAP/AD role map entries kept in the embedded store (those edited through the API).
import type Database from 'better-sqlite3';
import type { RoleMapEntry, RoleMapStore } from '../../auth/federation/role-map.js';

export class SqliteRoleMapStore implements RoleMapStore {
  constructor(private readonly db: Database.Database) {}

  async list(): Promise<readonly RoleMapEntry[]> {
    return this.db.prepare('SELECT dn, role_name AS role FROM directory_role_map ORDER BY dn').all() as RoleMapEntry[];
  }

  async replace(entries: readonly RoleMapEntry[], now: number): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM directory_role_map').run();
      const insert = this.db.prepare('INSERT INTO directory_role_map (dn, role_name, created_at) VALUES (?, ?, ?)');
      for (const e of entries) insert.run(e.dn, e.role, now);
    })();
  }
}

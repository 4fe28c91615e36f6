// Dashboard sessions kept in the embedded store's database.
import type Database from 'better-sqlite3';
import type { SessionRecord, SessionRepository } from '../../auth/sessions.js';

interface Row {
  hash: string;
  key_id: string;
  name: string;
  created_at: number;
  last_used_at: number;
  expires_at: number;
  user_name: string | null;
  access_key_id: string | null;
}

export class SqliteSessionRepository implements SessionRepository {
  constructor(private readonly db: Database.Database) {}

  async insert(r: SessionRecord): Promise<void> {
    this.db
      .prepare('INSERT INTO sessions (hash, key_id, name, user_name, access_key_id, created_at, last_used_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(r.hash, r.keyId, r.name, r.userName ?? null, r.accessKeyId ?? null, r.createdAt, r.lastUsedAt, r.expiresAt);
  }

  async findByHash(hash: string): Promise<SessionRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM sessions WHERE hash = ?').get(hash) as Row | undefined;
    return (
      row && {
        hash: row.hash,
        keyId: row.key_id,
        name: row.name,
        ...(row.user_name !== null && { userName: row.user_name }),
        ...(row.access_key_id !== null && { accessKeyId: row.access_key_id }),
        createdAt: row.created_at,
        lastUsedAt: row.last_used_at,
        expiresAt: row.expires_at,
      }
    );
  }

  async touch(hash: string, at: number): Promise<void> {
    this.db.prepare('UPDATE sessions SET last_used_at = ? WHERE hash = ?').run(at, hash);
  }

  async delete(hash: string): Promise<void> {
    this.db.prepare('DELETE FROM sessions WHERE hash = ?').run(hash);
  }

  async deleteExpired(now: number, idleBefore: number): Promise<number> {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ? OR last_used_at <= ?').run(now, idleBefore).changes;
  }
}

// Dashboard sessions in PostgreSQL, shared by every instance: a session opened on one is valid on all.
import type { SessionRecord, SessionRepository } from '../../auth/sessions.js';
import type { PgDatabase } from './database.js';

interface Row {
  hash: string;
  key_id: string;
  name: string;
  user_name: string | null;
  access_key_id: string | null;
  created_at: number;
  last_used_at: number;
  expires_at: number;
}

export class PostgresSessionRepository implements SessionRepository {
  constructor(private readonly db: PgDatabase) {}

  async insert(r: SessionRecord): Promise<void> {
    await this.db.run(
      'INSERT INTO sessions (hash, key_id, name, user_name, access_key_id, created_at, last_used_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [r.hash, r.keyId, r.name, r.userName ?? null, r.accessKeyId ?? null, r.createdAt, r.lastUsedAt, r.expiresAt],
    );
  }

  async findByHash(hash: string): Promise<SessionRecord | undefined> {
    const [row] = await this.db.rows<Row>('SELECT hash, key_id, name, user_name, access_key_id, created_at, last_used_at, expires_at FROM sessions WHERE hash = $1', [hash]);
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
    // GREATEST: instances touching the same session out of order keep the latest use.
    await this.db.run('UPDATE sessions SET last_used_at = GREATEST(last_used_at, $1) WHERE hash = $2', [at, hash]);
  }

  async delete(hash: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE hash = $1', [hash]);
  }

  async deleteExpired(now: number, idleBefore: number): Promise<number> {
    return this.db.run('DELETE FROM sessions WHERE expires_at <= $1 OR last_used_at <= $2', [now, idleBefore]);
  }
}

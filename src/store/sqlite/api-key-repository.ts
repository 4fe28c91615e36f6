// API keys kept in the embedded store's database.
import type Database from 'better-sqlite3';
import type { ApiKeyRecord, ApiKeyRepository } from '../../auth/api-keys.js';

interface Row {
  id: string;
  name: string;
  hash: string;
  created_at: number;
}

export class SqliteApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly db: Database.Database) {}

  async count(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM api_keys').get() as { n: number }).n;
  }

  async insert(record: ApiKeyRecord): Promise<void> {
    this.db.prepare('INSERT INTO api_keys (id, name, hash, created_at) VALUES (?, ?, ?, ?)').run(record.id, record.name, record.hash, record.createdAt);
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const row = this.db.prepare('SELECT id, name, hash, created_at FROM api_keys WHERE hash = ?').get(hash) as Row | undefined;
    return row ? { id: row.id, name: row.name, hash: row.hash, createdAt: row.created_at } : undefined;
  }
}

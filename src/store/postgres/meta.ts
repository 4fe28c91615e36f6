// Small named values the PostgreSQL backend keeps for the rest of Yagura (random secrets made on first use).
import type { Sql } from './database.js';

/**
 * A random secret kept in the database, created on first use (e.g. the page-cursor signing key). Instances that
 * ask at once all get the one that was stored first.
 */
export async function storedSecret(db: Sql, name: string, create: () => Buffer): Promise<Buffer> {
  const key = `secret:${name}`;
  const read = async (): Promise<Buffer | undefined> => {
    const [row] = await db.rows<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
    return row && Buffer.from(row.value, 'base64');
  };
  const stored = await read();
  if (stored !== undefined) return stored;
  await db.run('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, create().toString('base64')]);
  return (await read())!;
}

// Small named values the embedded store keeps for the rest of Yagura (secrets, markers).
import type Database from 'better-sqlite3';

/** A random secret kept in the database, created on first use (e.g. the page-cursor signing key). */
export function storedSecret(db: Database.Database, name: string, create: () => Buffer): Buffer {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(`secret:${name}`) as { value: string } | undefined;
  if (row) return Buffer.from(row.value, 'base64');
  const secret = create();
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(`secret:${name}`, secret.toString('base64'));
  return storedSecret(db, name, create);
}

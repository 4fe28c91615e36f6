// Archiving in Yagura: sets a finding's archived state and records who did it and when.
import type Database from 'better-sqlite3';
import type { FindingKey } from '../../findings/finding.js';

/** Returns false when there is no such finding. Runs in one transaction: state and record change together. */
export function setArchived(db: Database.Database, key: FindingKey, archived: boolean, actor: string, at: number): boolean {
  return db.transaction(() => {
    const changed = db
      .prepare('UPDATE findings SET archived = ? WHERE account_id = ? AND region = ? AND id = ?')
      .run(archived ? 1 : 0, key.accountId, key.region, key.id).changes;
    if (changed === 0) return false;
    db.prepare('INSERT INTO finding_archive_actions (account_id, region, id, archived, actor, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(key.accountId, key.region, key.id, archived ? 1 : 0, actor, at);
    return true;
  })();
}

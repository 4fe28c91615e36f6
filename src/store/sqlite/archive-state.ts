// Archiving in Yagura: sets a finding's archived state and records who did it and when.
import type Database from 'better-sqlite3';
import type { FindingKey } from '../../findings/finding.js';

/**
 * Returns the finding's row id, or undefined when there is no such finding. Runs in one transaction: state and
 * record change together.
 */
export function setArchived(db: Database.Database, key: FindingKey, archived: boolean, actor: string, at: number): number | undefined {
  return db.transaction(() => {
    const row = db
      .prepare<[number, string, string, string], { rowid: number }>('UPDATE findings SET archived = ? WHERE account_id = ? AND region = ? AND id = ? RETURNING rowid')
      .get(archived ? 1 : 0, key.accountId, key.region, key.id);
    if (row === undefined) return undefined;
    db.prepare('INSERT INTO finding_archive_actions (account_id, region, id, archived, actor, at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(key.accountId, key.region, key.id, archived ? 1 : 0, actor, at);
    return row.rowid;
  })();
}

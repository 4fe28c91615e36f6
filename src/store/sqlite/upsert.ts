// Stores finding versions: one current record per key, superseded versions as history, nothing twice.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { archivePartition, objectName, partitionId, type ArchivePartition } from '../../archive/partition.js';
import type { Finding } from '../../findings/finding.js';
import { bandRank } from '../../findings/severity.js';
import { compareVersions } from '../../findings/version-order.js';
import type { SealedObject, UpsertOptions, UpsertOutcome, UpsertResult } from '../finding-store.js';
import { buildChangeLog } from './change-log.js';
import { buildPathWriter } from './path-index.js';

interface CurrentRow {
  rowid: number;
  band: number;
  hash: string;
  updated_at: number;
  count: number;
  facts_hash: string;
}

/** What the free-text, remote-party and path indexes hold for a version; equal hashes mean nothing to re-index. */
function factsHash(f: Finding): string {
  const hash = createHash('sha256').update(f.text);
  for (const p of f.remoteParties) hash.update(`\u0000${p.ip}\u0000${p.country ?? ''}\u0000${p.org ?? ''}`);
  // JSON keeps a value's kind apart: the text "5" and the number 5 hash differently.
  hash.update(`\u0001${JSON.stringify(f.pathValues)}`);
  return hash.digest('base64url').slice(0, 22);
}

/** An upsert's result plus the row ids whose current version changed (for the in-memory facets). */
export interface SqliteUpsertResult extends UpsertResult {
  readonly changed: number[];
}

/** Prepared statements for upserts, built once per connection. */
export function buildUpsert(db: Database.Database): (findings: readonly Finding[], receivedAt: number, options?: UpsertOptions) => SqliteUpsertResult {
  const selectCurrent = db.prepare<[string, string, string], CurrentRow>(
    'SELECT rowid, band, hash, updated_at, count, facts_hash FROM findings WHERE account_id = ? AND region = ? AND id = ?',
  );
  const versionExists = db.prepare<[number, string], { one: number }>('SELECT 1 AS one FROM finding_versions WHERE finding = ? AND hash = ?');
  const insertFinding = db.prepare(`
    INSERT INTO findings (account_id, region, id, arn, type, severity, band, title, resource_type, action_type,
      resource_id, created_at, updated_at, count, archived, sample, first_seen, last_seen, versions, hash, received_at, facts_hash)
    VALUES (@accountId, @region, @id, @arn, @type, @severity, @band, @title, @resourceType, @actionType,
      @resourceId, @createdAt, @updatedAt, @count, @archived, @sample, @receivedAt, @receivedAt, 1, @hash, @receivedAt, @factsHash)`);
  const replaceCurrent = db.prepare(`
    UPDATE findings SET arn = @arn, type = @type, severity = @severity, band = @band, title = @title,
      resource_type = @resourceType, action_type = @actionType, resource_id = @resourceId, created_at = @createdAt, updated_at = @updatedAt,
      count = @count, archived = @archived, sample = @sample, last_seen = @receivedAt, versions = versions + 1,
      hash = @hash, received_at = @receivedAt, facts_hash = @factsHash, current = @current
    WHERE rowid = @rowid`);
  const setCurrent = db.prepare('UPDATE findings SET current = ? WHERE rowid = ?');
  const touch = db.prepare('UPDATE findings SET last_seen = ?, versions = versions + 1 WHERE rowid = ?');
  // A document arrives as text or as its UTF-8 bytes (`Finding.jsonBytes`): bytes are bound as a blob and stored
  // as the same text, without converting them back to a string and again to UTF-8.
  const insertVersion = db.prepare(
    'INSERT INTO finding_versions (finding, hash, updated_at, count, received_at, doc) VALUES (?, ?, ?, ?, ?, CAST(? AS TEXT))',
  );
  const deleteText = db.prepare('DELETE FROM findings_text WHERE rowid = ?');
  const insertText = db.prepare('INSERT INTO findings_text (rowid, text) VALUES (?, ?)');
  const deleteIps = db.prepare('DELETE FROM finding_remote_ips WHERE finding = ?');
  const insertIp = db.prepare(
    'INSERT OR IGNORE INTO finding_remote_ips (finding, ip, country, org, updated_at, band) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const retimeIps = db.prepare('UPDATE finding_remote_ips SET updated_at = ?, band = ? WHERE finding = ?');
  const paths = buildPathWriter(db);
  const insertOutbox = db.prepare('INSERT INTO archive_outbox (batch, day, finding, hash, object) VALUES (?, ?, ?, ?, ?)');
  const openObject = db.prepare<[string, string, string], { id: number; name: string }>(
    'SELECT id, name FROM archive_objects WHERE account_id = ? AND region = ? AND day = ? AND sealed_at IS NULL',
  );
  const insertObject = db.prepare(
    'INSERT INTO archive_objects (account_id, region, day, name, opened_at, sealed_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const growObject = db.prepare('UPDATE archive_objects SET lines = lines + ?, bytes = bytes + ? WHERE id = ?');
  const changes = buildChangeLog(db);

  function columns(f: Finding, facts: string, receivedAt: number): Record<string, unknown> {
    return {
      accountId: f.key.accountId,
      region: f.key.region,
      id: f.key.id,
      arn: f.arn ?? null,
      type: f.type,
      severity: f.severity,
      band: bandRank(f.band),
      title: f.title ?? null,
      resourceType: f.resourceType ?? null,
      actionType: f.actionType ?? null,
      resourceId: f.resourceId ?? null,
      createdAt: f.createdAt ?? null,
      updatedAt: f.updatedAt,
      count: f.count,
      archived: f.archived ? 1 : 0,
      sample: f.sample ? 1 : 0,
      hash: f.hash,
      receivedAt,
      factsHash: facts,
    };
  }

  /**
   * Free text written at the end of the transaction, one entry per finding. FTS5 keeps new text in memory until
   * the commit, but flushes it to a segment of its own whenever another statement opens a savepoint (inserts
   * checked by foreign keys do): written between the other statements, every finding became a segment and the
   * merges grew with the index (import at 1M fell to ~400 versions/s, all of it in FTS5 merges).
   */
  type TextChange = { indexed: boolean; text: string };
  let textChanges = new Map<number, TextChange>();

  function queueText(rowid: number, text: string, indexed: boolean): void {
    const earlier = textChanges.get(rowid);
    textChanges.set(rowid, { indexed: earlier ? earlier.indexed : indexed, text });
  }

  function writeText(): void {
    for (const [rowid, change] of textChanges) {
      if (change.indexed) deleteText.run(rowid);
      insertText.run(rowid, change.text);
    }
    textChanges = new Map();
  }

  /** Free text, remote parties and path values of the current version; `previous` is what they held before, if anything. */
  function indexCurrent(rowid: number, f: Finding, facts: string, previous: string | undefined): void {
    if (previous === facts) {
      retimeIps.run(f.updatedAt, bandRank(f.band), rowid);
      return;
    }
    if (previous !== undefined) {
      deleteIps.run(rowid);
      paths.clear(rowid);
    }
    queueText(rowid, f.text, previous !== undefined);
    const band = bandRank(f.band);
    for (const p of f.remoteParties) insertIp.run(rowid, p.ip, p.country ?? null, p.org ?? null, f.updatedAt, band);
    paths.write(rowid, f.pathValues);
  }

  function storeOne(f: Finding, receivedAt: number): { outcome: UpsertOutcome; rowid: number; replaced?: CurrentRow } {
    const current = selectCurrent.get(f.key.accountId, f.key.region, f.key.id);
    if (current === undefined) {
      const facts = factsHash(f);
      const rowid = Number(insertFinding.run(columns(f, facts, receivedAt)).lastInsertRowid);
      setCurrent.run(insertVersion.run(rowid, f.hash, f.updatedAt, f.count, receivedAt, f.jsonBytes ?? f.json).lastInsertRowid, rowid);
      indexCurrent(rowid, f, facts, undefined);
      return { outcome: 'created', rowid };
    }
    if (current.hash === f.hash || versionExists.get(current.rowid, f.hash) !== undefined) {
      return { outcome: 'unchanged', rowid: current.rowid };
    }
    if (compareVersions(f, { updatedAt: current.updated_at, count: current.count, hash: current.hash }) > 0) {
      const facts = factsHash(f);
      // Every version's document is written once; the findings row only moves its pointer.
      const seq = insertVersion.run(current.rowid, f.hash, f.updatedAt, f.count, receivedAt, f.jsonBytes ?? f.json).lastInsertRowid;
      replaceCurrent.run({ ...columns(f, facts, receivedAt), rowid: current.rowid, current: seq });
      // A store migrated from v1 has no facts hash yet: '' never equals a real one, so it re-indexes once.
      indexCurrent(current.rowid, f, facts, current.facts_hash);
      return { outcome: 'updated', rowid: current.rowid, replaced: current };
    }
    insertVersion.run(current.rowid, f.hash, f.updatedAt, f.count, receivedAt, f.jsonBytes ?? f.json);
    touch.run(receivedAt, current.rowid);
    return { outcome: 'history', rowid: current.rowid };
  }

  /** The batch's versions by archive partition: the object they join and, for a sealed batch, their lines. */
  interface Part {
    readonly partition: ArchivePartition;
    readonly id: number;
    readonly name: string;
    /** Kept only for a sealed batch, whose objects the caller writes from memory. */
    readonly lines: Array<string | Uint8Array>;
    count: number;
    bytes: number;
  }

  /** The partition's open object, or a new one (sealed at once when `seal`). */
  function objectFor(p: ArchivePartition, receivedAt: number, seal: boolean): { id: number; name: string } {
    if (!seal) {
      const open = openObject.get(p.accountId, p.region, p.day);
      if (open !== undefined) return open;
    }
    const name = objectName(receivedAt);
    const id = Number(insertObject.run(p.accountId, p.region, p.day, name, receivedAt, seal ? receivedAt : null).lastInsertRowid);
    return { id, name };
  }

  return db.transaction((findings: readonly Finding[], receivedAt: number, options: UpsertOptions = {}): SqliteUpsertResult => {
    // A failed batch rolls back; what it queued must not leak into the next one.
    textChanges = new Map();
    const seal = options.sealArchive === true;
    const parts = new Map<string, Part>();
    const outcomes: UpsertOutcome[] = [];
    const changed: number[] = [];
    for (const f of findings) {
      const { outcome, rowid, replaced } = storeOne(f, receivedAt);
      outcomes.push(outcome);
      if (outcome === 'unchanged') continue;
      if (outcome !== 'history') {
        changed.push(rowid);
        changes.record({
          finding: rowid,
          hash: f.hash,
          outcome,
          band: bandRank(f.band),
          count: f.count,
          at: receivedAt,
          ...(replaced && { prevBand: replaced.band, prevCount: replaced.count }),
        });
      }
      const partition = archivePartition(f.key, receivedAt);
      const pid = partitionId(partition);
      let part = parts.get(pid);
      if (part === undefined) {
        part = { partition, ...objectFor(partition, receivedAt, seal), lines: [], count: 0, bytes: 0 };
        parts.set(pid, part);
      }
      insertOutbox.run(part.name, partition.day, rowid, f.hash, part.id);
      const line = f.jsonBytes ?? f.json;
      part.bytes += (typeof line === 'string' ? Buffer.byteLength(line, 'utf8') : line.byteLength) + 1;
      part.count++;
      if (seal) part.lines.push(line);
    }
    for (const part of parts.values()) growObject.run(part.count, part.bytes, part.id);
    writeText();
    const objects = seal
      ? [...parts.values()].map((p): SealedObject => ({ id: p.id, ...p.partition, name: p.name, lines: p.lines }))
      : [];
    return { outcomes, archive: { objects }, changed };
  });
}

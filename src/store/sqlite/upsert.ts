// Stores finding versions: one current record per key, superseded versions as history, nothing twice.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Finding, FindingDocument } from '../../findings/finding.js';
import { bandRank } from '../../findings/severity.js';
import { compareVersions } from '../../findings/version-order.js';
import type { ArchiveBatch, ArchiveObject, UpsertOutcome, UpsertResult } from '../finding-store.js';
import { buildChangeLog } from './change-log.js';

interface CurrentRow {
  rowid: number;
  band: number;
  hash: string;
  updated_at: number;
  count: number;
  received_at: number;
  doc: string;
}

/** `YYYY/MM/DD` of an epoch-ms instant, UTC: the archive's day partition. */
export function archiveDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll('-', '/');
}

/** Prepared statements for upserts, built once per connection. */
export function buildUpsert(db: Database.Database): (findings: readonly Finding[], receivedAt: number) => UpsertResult {
  const selectCurrent = db.prepare<[string, string, string], CurrentRow>(
    'SELECT rowid, band, hash, updated_at, count, received_at, doc FROM findings WHERE account_id = ? AND region = ? AND id = ?',
  );
  const versionExists = db.prepare<[number, string], { one: number }>('SELECT 1 AS one FROM finding_versions WHERE finding = ? AND hash = ?');
  const insertFinding = db.prepare(`
    INSERT INTO findings (account_id, region, id, arn, type, severity, band, title, resource_type, action_type,
      created_at, updated_at, count, archived, sample, first_seen, last_seen, versions, hash, received_at, doc)
    VALUES (@accountId, @region, @id, @arn, @type, @severity, @band, @title, @resourceType, @actionType,
      @createdAt, @updatedAt, @count, @archived, @sample, @receivedAt, @receivedAt, 1, @hash, @receivedAt, @doc)`);
  const replaceCurrent = db.prepare(`
    UPDATE findings SET arn = @arn, type = @type, severity = @severity, band = @band, title = @title,
      resource_type = @resourceType, action_type = @actionType, created_at = @createdAt, updated_at = @updatedAt,
      count = @count, archived = @archived, sample = @sample, last_seen = @receivedAt, versions = versions + 1,
      hash = @hash, received_at = @receivedAt, doc = @doc
    WHERE rowid = @rowid`);
  const touch = db.prepare('UPDATE findings SET last_seen = ?, versions = versions + 1 WHERE rowid = ?');
  const insertVersion = db.prepare(
    'INSERT INTO finding_versions (finding, hash, updated_at, count, received_at, doc) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const deleteText = db.prepare('DELETE FROM findings_text WHERE rowid = ?');
  const insertText = db.prepare('INSERT INTO findings_text (rowid, text) VALUES (?, ?)');
  const deleteIps = db.prepare('DELETE FROM finding_remote_ips WHERE finding = ?');
  const insertIp = db.prepare('INSERT OR IGNORE INTO finding_remote_ips (finding, ip, country, org) VALUES (?, ?, ?, ?)');
  const insertOutbox = db.prepare('INSERT INTO archive_outbox (batch, day, finding, hash) VALUES (?, ?, ?, ?)');
  const changes = buildChangeLog(db);

  function columns(f: Finding, doc: string, receivedAt: number): Record<string, unknown> {
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
      createdAt: f.createdAt ?? null,
      updatedAt: f.updatedAt,
      count: f.count,
      archived: f.archived ? 1 : 0,
      sample: f.sample ? 1 : 0,
      hash: f.hash,
      receivedAt,
      doc,
    };
  }

  function indexCurrent(rowid: number, f: Finding, replacing: boolean): void {
    if (replacing) {
      deleteText.run(rowid);
      deleteIps.run(rowid);
    }
    insertText.run(rowid, f.text);
    for (const p of f.remoteParties) insertIp.run(rowid, p.ip, p.country ?? null, p.org ?? null);
  }

  function storeOne(f: Finding, receivedAt: number): { outcome: UpsertOutcome; rowid: number; replaced?: CurrentRow } {
    const current = selectCurrent.get(f.key.accountId, f.key.region, f.key.id);
    const doc = f.json;
    if (current === undefined) {
      const rowid = Number(insertFinding.run(columns(f, doc, receivedAt)).lastInsertRowid);
      indexCurrent(rowid, f, false);
      return { outcome: 'created', rowid };
    }
    if (current.hash === f.hash || versionExists.get(current.rowid, f.hash) !== undefined) {
      return { outcome: 'unchanged', rowid: current.rowid };
    }
    if (compareVersions(f, { updatedAt: current.updated_at, count: current.count, hash: current.hash }) > 0) {
      insertVersion.run(current.rowid, current.hash, current.updated_at, current.count, current.received_at, current.doc);
      replaceCurrent.run({ ...columns(f, doc, receivedAt), rowid: current.rowid });
      indexCurrent(current.rowid, f, true);
      return { outcome: 'updated', rowid: current.rowid, replaced: current };
    }
    insertVersion.run(current.rowid, f.hash, f.updatedAt, f.count, receivedAt, doc);
    touch.run(receivedAt, current.rowid);
    return { outcome: 'history', rowid: current.rowid };
  }

  return db.transaction((findings: readonly Finding[], receivedAt: number): UpsertResult => {
    const name = randomUUID();
    const day = archiveDay(receivedAt);
    const objects = new Map<string, { accountId: string; region: string; lines: string[] }>();
    const outcomes: UpsertOutcome[] = [];
    for (const f of findings) {
      const { outcome, rowid, replaced } = storeOne(f, receivedAt);
      outcomes.push(outcome);
      if (outcome === 'unchanged') continue;
      if (outcome !== 'history') {
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
      insertOutbox.run(name, day, rowid, f.hash);
      const partition = `${f.key.accountId}/${f.key.region}`;
      let object = objects.get(partition);
      if (object === undefined) {
        object = { accountId: f.key.accountId, region: f.key.region, lines: [] };
        objects.set(partition, object);
      }
      object.lines.push(f.json);
    }
    const archive: ArchiveBatch = {
      objects: [...objects.values()].map((o): ArchiveObject => ({ ...o, day, name })),
    };
    return { outcomes, archive };
  });
}

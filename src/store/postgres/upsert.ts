// Stores finding versions in PostgreSQL: one current record per key, superseded versions as history, nothing
// twice, the change log and the archive outbox written in the same transaction.
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { Finding } from '../../findings/finding.js';
import { bandRank } from '../../findings/severity.js';
import { compareVersions } from '../../findings/version-order.js';
import type { SealedObject, UpsertOptions, UpsertOutcome, UpsertResult } from '../finding-store.js';

interface CurrentRow {
  rid: number;
  band: number;
  hash: string;
  updated_at: number;
  count: number;
}

/** `YYYY/MM/DD` of an epoch-ms instant, UTC: the archive's day partition. */
function archiveDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll('-', '/');
}

/** An object's name, fixed when it opens: its opening time, so names sort by time, and a random part. */
function objectName(openedAt: number): string {
  const stamp = new Date(openedAt).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomUUID()}`;
}

/** The catalogue columns of a version, in the order of COLUMN_NAMES. */
function columnValues(f: Finding): unknown[] {
  return [
    f.arn ?? null, f.type, f.severity, bandRank(f.band), f.title ?? null, f.resourceType ?? null, f.actionType ?? null,
    f.resourceId ?? null, f.createdAt ?? null, f.updatedAt, f.count, f.archived, f.sample, f.hash, f.text,
  ];
}
const COLUMN_NAMES = ['arn', 'type', 'severity', 'band', 'title', 'resource_type', 'action_type', 'resource_id', 'created_at', 'updated_at', 'count', 'archived', 'sample', 'hash', 'free_text'];
const NEW_COLUMNS = `account_id, region, id, ${COLUMN_NAMES.join(', ')}, first_seen, last_seen, versions, received_at`;
const NEW_VALUES = Array.from({ length: 3 + COLUMN_NAMES.length + 4 }, (_, i) => `$${i + 1}`).join(', ');
const REPLACE = COLUMN_NAMES.map((c, i) => `${c} = $${i + 1}`).join(', ');

interface Part {
  readonly accountId: string;
  readonly region: string;
  readonly id: number;
  readonly name: string;
  readonly lines: Array<string | Uint8Array>;
  count: number;
  bytes: number;
}

/**
 * Stores a batch in the caller's transaction. The change log's head row is locked first: writers take turns, so
 * change numbers follow commit order and a new key cannot be inserted by two instances at once.
 */
export async function upsertBatch(client: PoolClient, findings: readonly Finding[], receivedAt: number, options: UpsertOptions = {}): Promise<UpsertResult> {
  let seq = Number((await client.query<{ last_seq: number }>('SELECT last_seq FROM finding_change_head FOR UPDATE')).rows[0]!.last_seq);
  const seal = options.sealArchive === true;
  const day = archiveDay(receivedAt);
  const parts = new Map<string, Part>();
  const outcomes: UpsertOutcome[] = [];
  const changes: unknown[][] = [];

  async function objectFor(accountId: string, region: string): Promise<{ id: number; name: string }> {
    if (!seal) {
      const open = await client.query<{ id: number; name: string }>(
        'SELECT id, name FROM archive_objects WHERE account_id = $1 AND region = $2 AND day = $3 AND sealed_at IS NULL',
        [accountId, region, day],
      );
      if (open.rows[0] !== undefined) return open.rows[0];
    }
    const name = objectName(receivedAt);
    const inserted = await client.query<{ id: number }>(
      'INSERT INTO archive_objects (account_id, region, day, name, opened_at, sealed_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
      [accountId, region, day, name, receivedAt, seal ? receivedAt : null],
    );
    return { id: inserted.rows[0]!.id, name };
  }

  async function writeRemoteParties(rid: number, f: Finding): Promise<void> {
    await client.query('DELETE FROM finding_remote_ips WHERE finding = $1', [rid]);
    if (f.remoteParties.length === 0) return;
    await client.query(
      `INSERT INTO finding_remote_ips (finding, ip, country, org, updated_at, band)
       SELECT $1, p.ip, p.country, p.org, $5, $6 FROM unnest($2::text[], $3::text[], $4::text[]) AS p (ip, country, org)
       ON CONFLICT DO NOTHING`,
      [rid, f.remoteParties.map((p) => p.ip), f.remoteParties.map((p) => p.country ?? null), f.remoteParties.map((p) => p.org ?? null), f.updatedAt, bandRank(f.band)],
    );
  }

  async function insertVersion(rid: number, f: Finding): Promise<number> {
    const row = await client.query<{ seq: number }>(
      'INSERT INTO finding_versions (finding, hash, updated_at, count, received_at, doc) VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq',
      [rid, f.hash, f.updatedAt, f.count, receivedAt, f.json],
    );
    return row.rows[0]!.seq;
  }

  async function storeOne(f: Finding): Promise<{ outcome: UpsertOutcome; rid: number; replaced?: CurrentRow }> {
    const found = await client.query<CurrentRow>(
      'SELECT rid, band, hash, updated_at, count FROM findings WHERE account_id = $1 AND region = $2 AND id = $3',
      [f.key.accountId, f.key.region, f.key.id],
    );
    const current = found.rows[0];
    if (current === undefined) {
      const inserted = await client.query<{ rid: number }>(`INSERT INTO findings (${NEW_COLUMNS}) VALUES (${NEW_VALUES}) RETURNING rid`, [
        f.key.accountId, f.key.region, f.key.id, ...columnValues(f), receivedAt, receivedAt, 1, receivedAt,
      ]);
      const rid = inserted.rows[0]!.rid;
      await client.query('UPDATE findings SET current = $1 WHERE rid = $2', [await insertVersion(rid, f), rid]);
      await writeRemoteParties(rid, f);
      return { outcome: 'created', rid };
    }
    if (current.hash === f.hash) return { outcome: 'unchanged', rid: current.rid };
    const known = await client.query('SELECT 1 FROM finding_versions WHERE finding = $1 AND hash = $2', [current.rid, f.hash]);
    if (known.rowCount !== 0) return { outcome: 'unchanged', rid: current.rid };
    if (compareVersions(f, { updatedAt: current.updated_at, count: current.count, hash: current.hash }) > 0) {
      const version = await insertVersion(current.rid, f);
      const n = COLUMN_NAMES.length;
      await client.query(
        `UPDATE findings SET ${REPLACE}, last_seen = $${n + 1}, received_at = $${n + 1}, versions = versions + 1, current = $${n + 2} WHERE rid = $${n + 3}`,
        [...columnValues(f), receivedAt, version, current.rid],
      );
      await writeRemoteParties(current.rid, f);
      return { outcome: 'updated', rid: current.rid, replaced: current };
    }
    await insertVersion(current.rid, f);
    await client.query('UPDATE findings SET last_seen = $1, versions = versions + 1 WHERE rid = $2', [receivedAt, current.rid]);
    return { outcome: 'history', rid: current.rid };
  }

  for (const f of findings) {
    const { outcome, rid, replaced } = await storeOne(f);
    outcomes.push(outcome);
    if (outcome === 'unchanged') continue;
    if (outcome !== 'history') {
      changes.push([++seq, rid, f.hash, outcome, bandRank(f.band), replaced?.band ?? null, f.count, replaced?.count ?? null, receivedAt]);
    }
    const partition = `${f.key.accountId}/${f.key.region}`;
    let part = parts.get(partition);
    if (part === undefined) {
      part = { accountId: f.key.accountId, region: f.key.region, ...(await objectFor(f.key.accountId, f.key.region)), lines: [], count: 0, bytes: 0 };
      parts.set(partition, part);
    }
    await client.query('INSERT INTO archive_outbox (object, finding, hash) VALUES ($1, $2, $3)', [part.id, rid, f.hash]);
    const line = f.jsonBytes ?? f.json;
    part.bytes += (typeof line === 'string' ? Buffer.byteLength(line, 'utf8') : line.byteLength) + 1;
    part.count++;
    if (seal) part.lines.push(line);
  }
  for (const part of parts.values()) {
    await client.query('UPDATE archive_objects SET lines = lines + $1, bytes = bytes + $2 WHERE id = $3', [part.count, part.bytes, part.id]);
  }
  if (changes.length > 0) {
    const column = (i: number): unknown[] => changes.map((c) => c[i]);
    await client.query(
      `INSERT INTO finding_changes (seq, finding, hash, outcome, band, prev_band, count, prev_count, at)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::smallint[], $6::smallint[], $7::bigint[], $8::bigint[], $9::bigint[])`,
      [0, 1, 2, 3, 4, 5, 6, 7, 8].map(column),
    );
    await client.query('UPDATE finding_change_head SET last_seq = $1', [seq]);
  }
  const objects = seal
    ? [...parts.values()].map((p): SealedObject => ({ id: p.id, accountId: p.accountId, region: p.region, day, name: p.name, lines: p.lines }))
    : [];
  return { outcomes, archive: { objects } };
}

// Findings copied from another backend: every version stored through the ordinary upsert (so whatever it derives
// and indexes is derived the same way), at the time it was first received, then what Yagura derived over time
// (first and last seen, the archived state and who set it) set as the source has it. Nothing enters the archive
// outbox or the change log: the versions are in the source's archive already, and they are not news to alert
// rules or live streams.
import type { PoolClient } from 'pg';
import type { Finding } from '../../findings/finding.js';
import { keyString } from '../../findings/finding.js';
import { normalizeFinding } from '../../findings/normalize.js';
import type { FindingTransferRecord, VersionRecord } from '../transfer-records.js';
import { TransferError, type Position, type RecordPage } from '../transfer.js';
import type { Sql } from './database.js';
import { upsertBatch } from './upsert.js';

/** A stored version as the upsert takes it: validated again from its document, its stored text and hash kept. */
function findingOf(record: FindingTransferRecord, version: VersionRecord): Finding {
  const name = `finding ${keyString(record.key)} version ${version.hash}`;
  let doc: unknown;
  try {
    doc = JSON.parse(version.doc);
  } catch {
    throw new TransferError('INVALID_RECORD', `${name}: its stored document is not JSON`);
  }
  const result = normalizeFinding(doc, 'checked');
  if (!result.ok) throw new TransferError('INVALID_RECORD', `${name}: ${result.error.message}`);
  if (keyString(result.finding.key) !== keyString(record.key)) throw new TransferError('INVALID_RECORD', `${name}: its document names finding ${keyString(result.finding.key)}`);
  return { ...result.finding, json: version.doc, hash: version.hash };
}

/**
 * Writes a page of findings in the caller's transaction. `paths` numbers the document paths committed so far (as the
 * store's own cache does); the numbers this page gave new paths are returned, to be remembered once it commits.
 */
export async function writeFindings(client: PoolClient, records: readonly FindingTransferRecord[], paths: ReadonlyMap<string, number>): Promise<Map<string, number>> {
  const newPaths = new Map<string, number>();
  if (records.length === 0) return newPaths;
  // Taken first, as the upsert takes it: the page's entries are dropped from the change log again (copied findings
  // are not news to alert on), their numbers left unused, so that instances serving this database see numbers missing
  // and load their in-memory facets again.
  const head = Number((await client.query<{ last_seq: number }>('SELECT last_seq FROM finding_change_head FOR UPDATE')).rows[0]!.last_seq);
  // Every version of the page, grouped by the time it was received (a batch of the source shares one), in order.
  const byTime = new Map<number, Finding[]>();
  const versions = records.flatMap((r) => r.versions.map((v) => ({ r, v })));
  versions.sort((a, b) => a.v.receivedAt - b.v.receivedAt);
  for (const { r, v } of versions) {
    const batch = byTime.get(v.receivedAt) ?? [];
    batch.push(findingOf(r, v));
    byTime.set(v.receivedAt, batch);
  }
  const objects: number[] = [];
  for (const [receivedAt, findings] of byTime) {
    // Sealed objects of their own, so that exactly these are dropped below and no open object is touched.
    const result = await upsertBatch(client, findings, receivedAt, { sealArchive: true }, new Map([...paths, ...newPaths]));
    objects.push(...result.archive.objects.map((o) => o.id));
    for (const [path, id] of result.newPaths) newPaths.set(path, id);
  }
  // Dropping the objects drops their outbox rows with them.
  if (objects.length > 0) await client.query('DELETE FROM archive_objects WHERE id = ANY($1::bigint[])', [objects]);
  await client.query('DELETE FROM finding_changes WHERE seq > $1', [head]);

  const column = <T>(value: (r: FindingTransferRecord) => T): T[] => records.map(value);
  const updated = await client.query<{ account_id: string; region: string; id: string }>(
    `UPDATE findings f SET first_seen = u.first_seen, last_seen = u.last_seen, received_at = u.received_at, archived = u.archived
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::bigint[], $7::bigint[], $8::bigint[], $9::boolean[])
       AS u (account_id, region, id, hash, versions, first_seen, last_seen, received_at, archived)
     WHERE f.account_id = u.account_id AND f.region = u.region AND f.id = u.id AND f.hash = u.hash AND f.versions = u.versions
     RETURNING f.account_id, f.region, f.id`,
    [
      column((r) => r.key.accountId),
      column((r) => r.key.region),
      column((r) => r.key.id),
      column((r) => r.current),
      column((r) => r.versions.length),
      column((r) => r.firstSeen),
      column((r) => r.lastSeen),
      column((r) => r.receivedAt),
      column((r) => r.archived),
    ],
  );
  if (updated.rows.length !== records.length) {
    const done = new Set(updated.rows.map((row) => keyString({ accountId: row.account_id, region: row.region, id: row.id })));
    const missed = records.find((r) => !done.has(keyString(r.key)))!;
    throw new TransferError('COPY_MISMATCH', `finding ${keyString(missed.key)}: the copy's current version or number of versions differs from the source's`);
  }

  // Replaced as a whole, so that writing a page again leaves one copy of each action.
  await client.query(
    'DELETE FROM finding_archive_actions a USING unnest($1::text[], $2::text[], $3::text[]) AS k (account_id, region, id) WHERE a.account_id = k.account_id AND a.region = k.region AND a.id = k.id',
    [column((r) => r.key.accountId), column((r) => r.key.region), column((r) => r.key.id)],
  );
  const actions = records.flatMap((r) => r.actions.map((a) => ({ ...r.key, ...a })));
  if (actions.length > 0) {
    await client.query(
      `INSERT INTO finding_archive_actions (account_id, region, id, archived, actor, at)
       SELECT account_id, region, id, archived, actor, at
       FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::text[], $6::bigint[]) WITH ORDINALITY AS a (account_id, region, id, archived, actor, at, n) ORDER BY n`,
      [actions.map((a) => a.accountId), actions.map((a) => a.region), actions.map((a) => a.id), actions.map((a) => a.archived), actions.map((a) => a.actor), actions.map((a) => a.at)],
    );
  }
  return newPaths;
}

interface FindingRow {
  rid: number;
  account_id: string;
  region: string;
  id: string;
  hash: string;
  first_seen: number;
  last_seen: number;
  archived: boolean;
  received_at: number;
}

/** Findings in the order they were first stored here, each with every version and archive action. */
export async function readFindings(db: Sql, after: Position | undefined, limit: number): Promise<RecordPage<'findings'>> {
  const rows = await db.rows<FindingRow>(
    'SELECT rid, account_id, region, id, hash, first_seen, last_seen, archived, received_at FROM findings WHERE rid > $1 ORDER BY rid LIMIT $2',
    [Number(after?.[0] ?? 0), limit],
  );
  if (rows.length === 0) return { records: [] };
  const rids = rows.map((r) => r.rid);
  const versions = await db.rows<{ finding: number; hash: string; updated_at: number; count: number; received_at: number; doc: string }>(
    'SELECT finding, hash, updated_at, count, received_at, doc FROM finding_versions WHERE finding = ANY($1::bigint[]) ORDER BY seq',
    [rids],
  );
  // Without row ids, actions of the same millisecond keep the order they were written in (their physical order).
  const actions = await db.rows<{ rid: number; archived: boolean; actor: string; at: number }>(
    `SELECT f.rid, a.archived, a.actor, a.at FROM findings f
     JOIN finding_archive_actions a ON a.account_id = f.account_id AND a.region = f.region AND a.id = f.id
     WHERE f.rid = ANY($1::bigint[]) ORDER BY a.at, a.ctid`,
    [rids],
  );
  const byRid = new Map(rows.map((r) => [r.rid, { versions: [] as VersionRecord[], actions: [] as FindingTransferRecord['actions'][number][] }]));
  for (const v of versions) byRid.get(v.finding)?.versions.push({ hash: v.hash, updatedAt: v.updated_at, count: v.count, receivedAt: v.received_at, doc: v.doc });
  for (const a of actions) byRid.get(a.rid)?.actions.push({ archived: a.archived, actor: a.actor, at: a.at });
  return {
    records: rows.map((r) => ({
      key: { accountId: r.account_id, region: r.region, id: r.id },
      versions: byRid.get(r.rid)!.versions,
      current: r.hash,
      firstSeen: r.first_seen,
      lastSeen: r.last_seen,
      receivedAt: r.received_at,
      archived: r.archived,
      actions: byRid.get(r.rid)!.actions,
    })),
    last: [rows.at(-1)!.rid],
  };
}

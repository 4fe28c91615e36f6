// The archive outbox rows of a batch: each new version joins the open rolling object of its account, region and
// day (or, for an import, an object of its own sealed at once), in the transaction that stores it.
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { Finding } from '../../findings/finding.js';
import type { ArchiveBatch, SealedObject } from '../finding-store.js';

/** `YYYY/MM/DD` of an epoch-ms instant, UTC: the archive's day partition. */
function archiveDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10).replaceAll('-', '/');
}

/** An object's name, fixed when it opens: its opening time, so names sort by time, and a random part. */
function objectName(openedAt: number): string {
  const stamp = new Date(openedAt).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomUUID()}`;
}

interface Part {
  readonly accountId: string;
  readonly region: string;
  id?: number;
  name?: string;
  readonly lines: Array<string | Uint8Array>;
  count: number;
  bytes: number;
}

/**
 * Writes the outbox entries of the batch's new versions, in batch order, and counts them into their objects. With
 * `seal`, the objects are new and sealed, and their lines come back for the caller to write.
 */
export async function writeArchive(client: PoolClient, versions: ReadonlyArray<{ finding: Finding; rid: number }>, receivedAt: number, seal: boolean): Promise<ArchiveBatch> {
  const day = archiveDay(receivedAt);
  const parts = new Map<string, Part>();
  const partOf = versions.map(({ finding: f }) => {
    const key = `${f.key.accountId}/${f.key.region}`;
    let part = parts.get(key);
    if (part === undefined) parts.set(key, (part = { accountId: f.key.accountId, region: f.key.region, lines: [], count: 0, bytes: 0 }));
    const line = f.jsonBytes ?? f.json;
    part.bytes += (typeof line === 'string' ? Buffer.byteLength(line, 'utf8') : line.byteLength) + 1;
    part.count++;
    if (seal) part.lines.push(line);
    return part;
  });
  const list = [...parts.values()];
  if (!seal) {
    // Locked, so that another instance's archiver cannot seal an object this batch joins until the batch commits: its
    // seal then waits and includes these lines. An object sealed since this transaction began is not returned
    // (PostgreSQL checks the condition again on the locked row) and the batch opens a new one. Without the lock, the
    // versions joined an object whose lines were already written, and confirming it deleted their outbox entries.
    const open = await client.query<{ id: number; name: string; account_id: string; region: string }>(
      `SELECT a.id, a.name, a.account_id, a.region FROM archive_objects a
       JOIN unnest($1::text[], $2::text[]) AS p (account_id, region) USING (account_id, region)
       WHERE a.day = $3 AND a.sealed_at IS NULL
       ORDER BY a.id FOR UPDATE OF a`,
      [list.map((p) => p.accountId), list.map((p) => p.region), day],
    );
    for (const r of open.rows) Object.assign(parts.get(`${r.account_id}/${r.region}`)!, { id: r.id, name: r.name });
  }
  const opening = list.filter((p) => p.id === undefined);
  if (opening.length > 0) {
    const opened = await client.query<{ id: number; name: string; account_id: string; region: string }>(
      `INSERT INTO archive_objects (account_id, region, day, name, opened_at, sealed_at)
       SELECT u.account_id, u.region, $4, u.name, $5, $6 FROM unnest($1::text[], $2::text[], $3::text[]) AS u (account_id, region, name)
       RETURNING id, name, account_id, region`,
      [opening.map((p) => p.accountId), opening.map((p) => p.region), opening.map(() => objectName(receivedAt)), day, receivedAt, seal ? receivedAt : null],
    );
    for (const r of opened.rows) Object.assign(parts.get(`${r.account_id}/${r.region}`)!, { id: r.id, name: r.name });
  }
  // Outbox numbers follow the array's order: the lines of an object come out in commit order.
  await client.query('INSERT INTO archive_outbox (object, finding, hash) SELECT * FROM unnest($1::int8[], $2::int8[], $3::text[])', [
    partOf.map((p) => p.id), versions.map((v) => v.rid), versions.map((v) => v.finding.hash),
  ]);
  await client.query('UPDATE archive_objects a SET lines = a.lines + u.lines, bytes = a.bytes + u.bytes FROM unnest($1::int8[], $2::int8[], $3::int8[]) AS u (id, lines, bytes) WHERE a.id = u.id', [
    list.map((p) => p.id), list.map((p) => p.count), list.map((p) => p.bytes),
  ]);
  const objects = seal ? list.map((p): SealedObject => ({ id: p.id!, accountId: p.accountId, region: p.region, day, name: p.name!, lines: p.lines })) : [];
  return { objects };
}

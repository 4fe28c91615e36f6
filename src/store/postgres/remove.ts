// Removing findings from the PostgreSQL store with every trace of them, and the archive rewrites that queues.
import type { Pool, PoolClient } from 'pg';
import type { FindingKey } from '../../findings/finding.js';
import { shortKeyDigest } from '../../findings/key-digest.js';
import { noRemovals, type ArchivePurge, type ArchivePurges, type RemovalCounts, type RemoveOptions } from '../finding-store.js';
import { inTransaction, query } from './pool.js';
import type { SlotRemoveOptions } from '../facets/faceted-store.js';

async function deleted(client: PoolClient, sql: string, values: unknown[]): Promise<number> {
  return (await client.query(sql, values)).rowCount ?? 0;
}

/** Removes one batch inside the caller's transaction. */
/** One batch removed in the caller's transaction: what was removed, and the slots (rids) of the removed findings. */
export async function removeBatch(client: PoolClient, keys: readonly FindingKey[], options: RemoveOptions): Promise<{ counts: RemovalCounts; rids: number[] }> {
  const counts = noRemovals();
  const accounts = keys.map((k) => k.accountId);
  const regions = keys.map((k) => k.region);
  const ids = keys.map((k) => k.id);
  const digests = keys.map((k) => shortKeyDigest(k));
  const erase = options.archive !== 'keep';
  counts.archiveActions = await deleted(
    client,
    `DELETE FROM finding_archive_actions a USING unnest($1::text[], $2::text[], $3::text[]) AS k (account_id, region, id)
     WHERE a.account_id = k.account_id AND a.region = k.region AND a.id = k.id`,
    [accounts, regions, ids],
  );
  const found = await client.query<{ rid: number; key: Buffer }>(
    `SELECT f.rid, k.key FROM findings f JOIN unnest($1::text[], $2::text[], $3::text[], $4::bytea[]) AS k (account_id, region, id, key)
       ON f.account_id = k.account_id AND f.region = k.region AND f.id = k.id
     ORDER BY f.rid FOR UPDATE OF f`,
    [accounts, regions, ids, digests],
  );
  const rids = found.rows.map((r) => r.rid);
  if (erase) {
    counts.archiveObjects += await deleted(
      client,
      `INSERT INTO archive_purges (account_id, region, day, name, key)
       SELECT w.account_id, w.region, w.day, w.name, i.key FROM archive_index i JOIN archive_written w ON w.id = i.object
       WHERE i.key = ANY($1::bytea[]) ON CONFLICT DO NOTHING`,
      [digests],
    );
    await client.query('DELETE FROM archive_index WHERE key = ANY($1::bytea[])', [digests]);
    // Objects not yet confirmed: written later from the outbox without these lines; queued in case a write of the
    // object read its lines before this commit.
    counts.archiveObjects += await deleted(
      client,
      `INSERT INTO archive_purges (account_id, region, day, name, key)
       SELECT DISTINCT a.account_id, a.region, a.day, a.name, k.key FROM archive_outbox o JOIN archive_objects a ON a.id = o.object
       JOIN unnest($1::bigint[], $2::bytea[]) AS k (rid, key) ON k.rid = o.finding ON CONFLICT DO NOTHING`,
      [rids, found.rows.map((r) => r.key)],
    );
  }
  if (rids.length === 0) return { counts, rids };
  counts.outbox = await deleted(client, 'DELETE FROM archive_outbox WHERE finding = ANY($1::bigint[])', [rids]);
  counts.freeText = await deleted(client, 'DELETE FROM finding_words WHERE finding = ANY($1::bigint[])', [rids]);
  counts.documentValues = await deleted(client, 'DELETE FROM finding_values WHERE finding = ANY($1::bigint[])', [rids]);
  counts.remoteParties = await deleted(client, 'DELETE FROM finding_remote_ips WHERE finding = ANY($1::bigint[])', [rids]);
  counts.changes = await deleted(client, 'DELETE FROM finding_changes WHERE finding = ANY($1::bigint[])', [rids]);
  counts.versions = await deleted(client, 'DELETE FROM finding_versions WHERE finding = ANY($1::bigint[])', [rids]);
  counts.findings = await deleted(client, 'DELETE FROM findings WHERE rid = ANY($1::bigint[])', [rids]);
  // Other instances' facets follow the change log: one `removed` entry per finding (its slot only, nothing of its
  // content; changesSince leaves it out, as the finding no longer exists), numbered under the head's lock.
  const head = await client.query<{ last_seq: string }>('SELECT last_seq FROM finding_change_head FOR UPDATE');
  const first = Number(head.rows[0]!.last_seq) + 1;
  await client.query(
    `INSERT INTO finding_changes (seq, finding, hash, outcome, band, count, at)
     SELECT $1::bigint + n - 1, rid, '', 'removed', 0, 0, $3 FROM unnest($2::bigint[]) WITH ORDINALITY AS r (rid, n)`,
    [first, rids, Date.now()],
  );
  await client.query('UPDATE finding_change_head SET last_seq = $1', [first + rids.length - 1]);
  return { counts, rids };
}

export function postgresArchivePurges(pool: Pool, url: string | undefined): ArchivePurges {
  return {
    async pending(limit): Promise<ArchivePurge[]> {
      const rows = await query<{ account_id: string; region: string; day: string; name: string; keys: Buffer[]; in_outbox: boolean }>(
        pool,
        url,
        `SELECT * FROM (SELECT p.account_id, p.region, p.day, p.name,
           (SELECT array_agg(key) FROM archive_purges q WHERE (q.account_id, q.region, q.day, q.name) = (p.account_id, p.region, p.day, p.name)) AS keys,
           EXISTS (SELECT 1 FROM archive_objects a WHERE (a.account_id, a.region, a.day, a.name) = (p.account_id, p.region, p.day, p.name)) AS in_outbox
         FROM (SELECT DISTINCT account_id, region, day, name FROM archive_purges) p) o
         ORDER BY in_outbox, account_id, region, day, name LIMIT $1`,
        [limit],
      );
      return rows.map((r) => ({ accountId: r.account_id, region: r.region, day: r.day, name: r.name, keys: r.keys, inOutbox: r.in_outbox }));
    },
    async done(purge): Promise<void> {
      await query(
        pool,
        url,
        'DELETE FROM archive_purges WHERE account_id = $1 AND region = $2 AND day = $3 AND name = $4 AND key = ANY($5::bytea[])',
        [purge.accountId, purge.region, purge.day, purge.name, purge.keys],
      );
    },
  };
}

/** Removes in batches, one transaction each (see `FindingStore.remove`). */
export async function removeFindings(pool: Pool, url: string | undefined, keys: readonly FindingKey[], options: SlotRemoveOptions, batchSize: number): Promise<RemovalCounts> {
  const total = noRemovals();
  for (let i = 0; i < keys.length; i += batchSize) {
    const { counts, rids } = await inTransaction(pool, url, (client) => removeBatch(client, keys.slice(i, i + batchSize), options));
    await options.removedSlots?.(rids);
    for (const place of Object.keys(total) as Array<keyof RemovalCounts>) total[place] += counts[place];
  }
  return total;
}

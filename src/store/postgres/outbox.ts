// The archive outbox in PostgreSQL: objects open or sealed, their versions' lines a page at a time, confirmation.
import type { Pool, PoolClient } from 'pg';
import type { ArchiveOutbox, OutboxObject } from '../finding-store.js';
import { outboxObjectOf, SELECT_OUTBOX_OBJECTS, type OutboxObjectRow } from '../outbox-rows.js';
import { inTransaction, query } from './pool.js';
import { shortKeyDigest } from '../../findings/key-digest.js';

/** Records, inside the confirming transaction, which findings' lines a confirmed outbox object holds. */
async function indexObject(client: PoolClient, objectId: number): Promise<void> {
  const written = await client.query<{ id: number }>(
    `INSERT INTO archive_written (account_id, region, day, name) SELECT account_id, region, day, name FROM archive_objects WHERE id = $1
     ON CONFLICT (account_id, region, day, name) DO UPDATE SET name = excluded.name RETURNING id`,
    [objectId],
  );
  const id = written.rows[0]?.id;
  if (id === undefined) return;
  // A version removed since has no finding row here, and no line in the object.
  const keys = await client.query<{ account_id: string; region: string; id: string }>(
    `SELECT DISTINCT f.account_id, f.region, f.id FROM archive_outbox o JOIN findings f ON f.rid = o.finding
     JOIN finding_versions v ON v.finding = o.finding AND v.hash = o.hash WHERE o.object = $1`,
    [objectId],
  );
  if (keys.rows.length === 0) return;
  const digests = keys.rows.map((k) => shortKeyDigest({ accountId: k.account_id, region: k.region, id: k.id }));
  await client.query('INSERT INTO archive_index (key, object) SELECT k, $2 FROM unnest($1::bytea[]) AS k ON CONFLICT DO NOTHING', [digests, id]);
}

/** Entries per page of an object's lines; pages are cut by entries so that the same object gives the same pages. */
const PAGE_LINES = 2000;

export function postgresOutbox(pool: Pool, url: string | undefined): ArchiveOutbox {
  return {
    async objects(): Promise<OutboxObject[]> {
      const rows = await query<OutboxObjectRow>(pool, url, SELECT_OUTBOX_OBJECTS);
      return rows.map(outboxObjectOf);
    },

    async seal(ids: readonly number[], at: number): Promise<void> {
      if (ids.length === 0) return;
      // The commit is durable when it returns (synchronous_commit on): the object's lines can no longer change.
      // Locked in id order, as a batch joining open objects locks them (archive-rows.ts): neither waits on the other in a cycle.
      await query(pool, url, `UPDATE archive_objects SET sealed_at = $1 WHERE id IN (
        SELECT id FROM archive_objects WHERE id = ANY($2::bigint[]) AND sealed_at IS NULL ORDER BY id FOR UPDATE)`, [at, ids]);
    },

    async *lines(object: OutboxObject): AsyncIterable<Buffer[]> {
      for (let after = 0; ; ) {
        // A version erased since has no document and is left out, as in the embedded store.
        const rows = await query<{ seq: number; doc: string | null }>(
          pool,
          url,
          `SELECT o.seq, v.doc FROM archive_outbox o LEFT JOIN finding_versions v ON v.finding = o.finding AND v.hash = o.hash
           WHERE o.object = $1 AND o.seq > $2 ORDER BY o.seq LIMIT $3`,
          [object.id, after, PAGE_LINES],
        );
        yield rows.flatMap((r) => (r.doc === null ? [] : [Buffer.from(r.doc, 'utf8')]));
        if (rows.length < PAGE_LINES) return;
        after = rows[rows.length - 1]!.seq;
      }
    },

    async confirm(ids: readonly number[]): Promise<void> {
      if (ids.length === 0) return;
      await inTransaction(pool, url, async (client) => {
        for (const id of ids) await indexObject(client, id);
        await client.query('DELETE FROM archive_outbox WHERE object = ANY($1::bigint[])', [ids]);
        await client.query('DELETE FROM archive_objects WHERE id = ANY($1::bigint[])', [ids]);
      });
    },
  };
}

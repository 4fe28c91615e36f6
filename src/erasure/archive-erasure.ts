// The archive's part of an erasure: objects the store queued (archivePurges) rewritten without the erased findings'
// lines, and every object of an erased account deleted.
import type { Archive } from '../archive/archive.js';
import { rewriteWithout } from '../archive/rewrite.js';
import { shortKeyDigest } from '../findings/key-digest.js';
import type { ArchivePurges } from '../store/finding-store.js';

export interface ArchiveErasureCounts {
  archiveObjectsRewritten: number;
  archiveObjectsDeleted: number;
  archiveLines: number;
}

/** Objects read per round of the queue. */
const ROUND = 20;

/** The `shortKeyDigest` of the finding a line holds, hex; undefined for a line that is not a finding. */
function lineKey(line: Buffer): string | undefined {
  try {
    const doc = JSON.parse(line.toString('utf8')) as { accountId?: unknown; region?: unknown; id?: unknown };
    if (typeof doc.accountId !== 'string' || typeof doc.region !== 'string' || typeof doc.id !== 'string') return undefined;
    return shortKeyDigest({ accountId: doc.accountId, region: doc.region, id: doc.id }).toString('hex');
  } catch {
    return undefined;
  }
}

/**
 * Works through the queued rewrites; resolves with how many objects are left queued. An object still in the outbox
 * needs none when no write of it can be under way (the caller holds this process's archiver and no other instance
 * writes the outbox): the archiver writes it later from the outbox, which no longer holds the lines. With
 * `deferOutbox` (instances sharing a store, whose archivers may be writing it now) such an object stays queued
 * until it is confirmed, and is rewritten then. Each object is forgotten by the queue only once it is done, so a
 * crash leaves the rest queued.
 */
export async function purgeArchive(purges: ArchivePurges, archive: Archive | undefined, counts: ArchiveErasureCounts, options: { deferOutbox?: boolean } = {}): Promise<number> {
  for (;;) {
    const round = await purges.pending(ROUND);
    // Objects still in the outbox come last: a round of only those is what is left.
    if (round.length === 0 || (options.deferOutbox && round.every((p) => p.inOutbox))) return round.length;
    for (const purge of round) {
      if (purge.inOutbox && options.deferOutbox) continue;
      if (!purge.inOutbox && archive !== undefined) {
        const keys = new Set(purge.keys.map((k) => Buffer.from(k).toString('hex')));
        const done = await rewriteWithout(archive, purge, (line) => {
          const key = lineKey(line);
          return key !== undefined && keys.has(key);
        });
        if (done !== undefined) {
          counts.archiveLines += done.dropped;
          if (done.deleted) counts.archiveObjectsDeleted++;
          else if (done.dropped > 0) counts.archiveObjectsRewritten++;
        }
      }
      await purges.done(purge);
    }
  }
}

/** Deletes every archive object of an account. */
export async function deleteAccountArchive(archive: Archive, accountId: string, counts: ArchiveErasureCounts): Promise<void> {
  for await (const object of archive.objectsOf(accountId)) {
    await archive.remove(object);
    counts.archiveObjectsDeleted++;
  }
}

// The archive outbox's objects as table rows: the same columns in every backend (archive_objects).
import type { OutboxObject } from './finding-store.js';

export interface OutboxObjectRow {
  id: number;
  account_id: string;
  region: string;
  day: string;
  name: string;
  opened_at: number;
  sealed_at: number | null;
  lines: number;
  bytes: number;
}

/** Every object of the outbox, oldest first. */
export const SELECT_OUTBOX_OBJECTS = 'SELECT id, account_id, region, day, name, opened_at, sealed_at, lines, bytes FROM archive_objects ORDER BY opened_at, id';

export function outboxObjectOf(r: OutboxObjectRow): OutboxObject {
  return {
    id: r.id,
    accountId: r.account_id,
    region: r.region,
    day: r.day,
    name: r.name,
    openedAt: r.opened_at,
    ...(r.sealed_at !== null && { sealedAt: r.sealed_at }),
    lines: r.lines,
    bytes: r.bytes,
  };
}

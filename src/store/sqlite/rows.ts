// Turns findings rows into the store's records.
import type { FindingRecord } from '../finding-store.js';
import { bandFromRank } from '../../findings/severity.js';

/** The columns every record query selects, in this order. */
export const RECORD_COLUMNS =
  'f.account_id, f.region, f.id, f.band, f.first_seen, f.last_seen, f.versions, f.archived, ' +
  '(SELECT v.doc FROM finding_versions v WHERE v.seq = f.current) AS doc';

export interface RecordRow {
  account_id: string;
  region: string;
  id: string;
  band: number;
  first_seen: number;
  last_seen: number;
  versions: number;
  archived: number;
  doc: string;
}

export function toRecord(row: RecordRow): FindingRecord {
  return {
    key: { accountId: row.account_id, region: row.region, id: row.id },
    doc: JSON.parse(row.doc) as Record<string, unknown>,
    derived: {
      band: bandFromRank(row.band),
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      versions: row.versions,
      archived: row.archived === 1,
    },
  };
}

// Turns PostgreSQL findings rows into the store's records.
import type { FindingDocument } from '../../findings/finding.js';
import { bandFromRank } from '../../findings/severity.js';
import type { FindingRecord } from '../finding-store.js';

/** The columns every record query selects, over `findings f` joined to its current version `v`. */
export const RECORD_COLUMNS = 'f.account_id, f.region, f.id, f.band, f.first_seen, f.last_seen, f.versions, f.archived, f.created_at, f.updated_at, v.doc';
export const RECORD_FROM = 'findings f JOIN finding_versions v ON v.seq = f.current';

export interface RecordRow {
  account_id: string;
  region: string;
  id: string;
  band: number;
  first_seen: number;
  last_seen: number;
  versions: number;
  archived: boolean;
  created_at: number | null;
  updated_at: number;
  doc: string;
}

export function toRecord(row: RecordRow): FindingRecord {
  return {
    key: { accountId: row.account_id, region: row.region, id: row.id },
    doc: JSON.parse(row.doc) as FindingDocument,
    derived: { band: bandFromRank(row.band), firstSeen: row.first_seen, lastSeen: row.last_seen, versions: row.versions, archived: row.archived },
    json: row.doc,
    times: row.created_at === null ? { updatedAt: row.updated_at } : { createdAt: row.created_at, updatedAt: row.updated_at },
  };
}

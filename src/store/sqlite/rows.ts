// Turns findings rows into the store's records.
import type { DocumentTimes, FindingRecord } from '../finding-store.js';
import type { DerivedFields, FindingDocument, FindingKey } from '../../findings/finding.js';
import { bandFromRank } from '../../findings/severity.js';

/** The columns every record query selects, in this order. */
export const RECORD_COLUMNS =
  'f.account_id, f.region, f.id, f.band, f.first_seen, f.last_seen, f.versions, f.archived, f.created_at, f.updated_at, ' +
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
  created_at: number | null;
  updated_at: number;
  doc: string;
}

/** What a record holds besides its parsed document. */
type RecordFields = Pick<FindingRecord, 'key' | 'derived'> & { readonly json: string; readonly times: DocumentTimes };

function fieldsOf(row: RecordRow): RecordFields {
  return {
    key: { accountId: row.account_id, region: row.region, id: row.id },
    derived: {
      band: bandFromRank(row.band),
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      versions: row.versions,
      archived: row.archived === 1,
    },
    json: row.doc,
    times: row.created_at === null ? { updatedAt: row.updated_at } : { createdAt: row.created_at, updatedAt: row.updated_at },
  };
}

export function toRecord(row: RecordRow): FindingRecord {
  return { ...fieldsOf(row), doc: JSON.parse(row.doc) as FindingDocument };
}

/**
 * A record whose document is parsed only when something reads `doc`. A page of search results goes to the client
 * as the text it was stored as: parsing 50 documents on a reader thread, cloning them to the event loop and
 * serialising them again cost ~2.5 ms a page. Structured cloning keeps the fields, not the class: construct it again from them.
 */
export class LazyRecord implements FindingRecord {
  readonly key: FindingKey;
  readonly derived: DerivedFields;
  readonly json: string;
  readonly times: DocumentTimes;
  #doc: FindingDocument | undefined;

  constructor(fields: RecordFields) {
    this.key = fields.key;
    this.derived = fields.derived;
    this.json = fields.json;
    this.times = fields.times;
  }

  static of(row: RecordRow): LazyRecord {
    return new LazyRecord(fieldsOf(row));
  }

  get doc(): FindingDocument {
    this.#doc ??= JSON.parse(this.json) as FindingDocument;
    return this.#doc;
  }
}

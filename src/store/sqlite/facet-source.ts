// The embedded store's findings as the in-memory facets read them: slots are SQLite row ids, text is ordered and
// numbers summed as SQLite does (sqlite-semantics.ts). This process is the store's only writer: no feed.
import type Database from 'better-sqlite3';
import type { FacetParty } from '../facets/facet-columns.js';
import type { FacetEntry, FacetSource } from '../facets/facet-source.js';
import { SQLITE_SEMANTICS } from './sqlite-semantics.js';

type FindingRow = [rowid: number, updatedAt: number, band: number, severity: number, archived: number, sample: number,
  type: string, accountId: string, region: string, resourceType: string | null, actionType: string | null, resourceId: string | null];
type PartyRow = [finding: number, ip: string, country: string | null, org: string | null];

const FINDING_COLUMNS = 'rowid, updated_at, band, severity, archived, sample, type, account_id, region, resource_type, action_type, resource_id';

function entry(row: FindingRow, parties: readonly FacetParty[]): FacetEntry {
  const [rowid, updatedAt, band, severity, archived, sample, type, accountId, region, resourceType, actionType, resourceId] = row;
  return {
    row: { rowid, updatedAt, band, severity, archived: archived === 1, sample: sample === 1, text: { type, accountId, region, resourceType, actionType, resourceId } },
    parties,
  };
}

function grouped(rows: readonly PartyRow[]): Map<number, FacetParty[]> {
  const parties = new Map<number, FacetParty[]>();
  for (const [finding, ip, country, org] of rows) {
    let list = parties.get(finding);
    if (list === undefined) parties.set(finding, (list = []));
    list.push({ ip, country, org });
  }
  return parties;
}

export class SqliteFacetSource implements FacetSource {
  readonly semantics = SQLITE_SEMANTICS;
  private readonly sliceFindings: Database.Statement<[number, number], FindingRow>;
  private readonly sliceParties: Database.Statement<[number, number], PartyRow>;
  private readonly oneFinding: Database.Statement<[number], FindingRow>;
  private readonly oneParties: Database.Statement<[number], PartyRow>;
  private readonly maxRowid: Database.Statement<[], number | null>;

  constructor(db: Database.Database) {
    this.sliceFindings = db.prepare<[number, number], FindingRow>(`SELECT ${FINDING_COLUMNS} FROM findings WHERE rowid >= ? AND rowid < ? ORDER BY rowid`).raw();
    this.sliceParties = db.prepare<[number, number], PartyRow>('SELECT finding, ip, country, org FROM finding_remote_ips WHERE finding >= ? AND finding < ? ORDER BY finding').raw();
    this.oneFinding = db.prepare<[number], FindingRow>(`SELECT ${FINDING_COLUMNS} FROM findings WHERE rowid = ?`).raw();
    this.oneParties = db.prepare<[number], PartyRow>('SELECT finding, ip, country, org FROM finding_remote_ips WHERE finding = ?').raw();
    this.maxRowid = db.prepare<[], number | null>('SELECT max(rowid) FROM findings').pluck();
  }

  async slotLimit(): Promise<number> {
    return (this.maxRowid.get() ?? 0) + 1;
  }

  async slice(from: number, to: number): Promise<FacetEntry[]> {
    const parties = grouped(this.sliceParties.all(from, to));
    return this.sliceFindings.all(from, to).map((row) => entry(row, parties.get(row[0]) ?? []));
  }

  async read(slots: readonly number[]): Promise<FacetEntry[]> {
    const found: FacetEntry[] = [];
    for (const slot of slots) {
      const row = this.oneFinding.get(slot);
      if (row !== undefined) found.push(entry(row, this.oneParties.all(slot).map(([, ip, country, org]) => ({ ip, country, org }))));
    }
    return found;
  }
}

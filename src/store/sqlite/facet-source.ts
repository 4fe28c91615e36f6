// Keeps the in-memory facet columns equal to the findings table: loaded in slices at start, then refreshed
// row by row after every write that changes a finding.
import type Database from 'better-sqlite3';
import type { FindingKey } from '../../findings/finding.js';
import { FacetColumns, type FacetParty } from '../facets/facet-columns.js';

/**
 * Rows read per slice while loading; between slices the event loop serves requests and ingest (a slice
 * takes some 30 ms; 1M findings load in about 5 to 10 s on the reference machine).
 */
const SLICE_ROWS = 10_000;

type FindingRow = [rowid: number, updatedAt: number, band: number, severity: number, archived: number, sample: number,
  type: string, accountId: string, region: string, resourceType: string | null, actionType: string | null, resourceId: string | null];
type PartyRow = [finding: number, ip: string, country: string | null, org: string | null];

const FINDING_COLUMNS = 'rowid, updated_at, band, severity, archived, sample, type, account_id, region, resource_type, action_type, resource_id';

export class SqliteFacets {
  readonly columns = new FacetColumns();
  /** Rows below this row id are loaded; refreshes of rows at or above it wait for the loader to read them. */
  private loadedBelow = 0;
  private ready = false;
  private readonly sliceFindings: Database.Statement<[number, number], FindingRow>;
  private readonly sliceParties: Database.Statement<[number, number], PartyRow>;
  private readonly oneFinding: Database.Statement<[number], FindingRow>;
  private readonly oneParties: Database.Statement<[number], PartyRow>;
  private readonly rowidOf: Database.Statement<[string, string, string], number>;
  private readonly maxRowid: Database.Statement<[], number | null>;

  constructor(db: Database.Database) {
    this.sliceFindings = db.prepare<[number, number], FindingRow>(`SELECT ${FINDING_COLUMNS} FROM findings WHERE rowid >= ? AND rowid < ? ORDER BY rowid`).raw();
    this.sliceParties = db.prepare<[number, number], PartyRow>('SELECT finding, ip, country, org FROM finding_remote_ips WHERE finding >= ? AND finding < ? ORDER BY finding').raw();
    this.oneFinding = db.prepare<[number], FindingRow>(`SELECT ${FINDING_COLUMNS} FROM findings WHERE rowid = ?`).raw();
    this.oneParties = db.prepare<[number], PartyRow>('SELECT finding, ip, country, org FROM finding_remote_ips WHERE finding = ?').raw();
    this.rowidOf = db.prepare<[string, string, string], number>('SELECT rowid FROM findings WHERE account_id = ? AND region = ? AND id = ?').pluck();
    this.maxRowid = db.prepare<[], number | null>('SELECT max(rowid) FROM findings').pluck();
  }

  /** True once every finding is loaded: until then aggregations take the SQL path. */
  get isReady(): boolean {
    return this.ready;
  }

  /** Loads every finding, a slice per turn of the event loop; `stopped` ends it early (store closing). */
  async load(stopped: () => boolean): Promise<void> {
    while (!stopped()) {
      const end = this.loadedBelow + SLICE_ROWS;
      this.loadSlice(this.loadedBelow, end);
      this.loadedBelow = end;
      // Rows added while loading get higher row ids: the loop ends only past the highest one.
      if (end > (this.maxRowid.get() ?? 0)) {
        this.columns.trim();
        this.ready = true;
        return;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private loadSlice(from: number, to: number): void {
    const parties = new Map<number, FacetParty[]>();
    for (const [finding, ip, country, org] of this.sliceParties.all(from, to)) {
      let list = parties.get(finding);
      if (list === undefined) parties.set(finding, (list = []));
      list.push({ ip, country, org });
    }
    for (const row of this.sliceFindings.all(from, to)) this.put(row, parties.get(row[0]) ?? []);
  }

  private put(row: FindingRow, parties: readonly FacetParty[]): void {
    const [rowid, updatedAt, band, severity, archived, sample, type, accountId, region, resourceType, actionType, resourceId] = row;
    this.columns.set(
      { rowid, updatedAt, band, severity, archived: archived === 1, sample: sample === 1, text: { type, accountId, region, resourceType, actionType, resourceId } },
      parties,
    );
  }

  /** Re-reads findings a committed write changed. */
  refresh(rowids: Iterable<number>): void {
    for (const rowid of rowids) {
      if (rowid >= this.loadedBelow) continue;
      const row = this.oneFinding.get(rowid);
      if (row === undefined) {
        this.columns.delete(rowid);
        continue;
      }
      this.put(row, this.oneParties.all(rowid).map(([, ip, country, org]) => ({ ip, country, org })));
    }
  }

  refreshKey(key: FindingKey): void {
    const rowid = this.rowidOf.get(key.accountId, key.region, key.id);
    if (rowid !== undefined) this.refresh([rowid]);
  }
}

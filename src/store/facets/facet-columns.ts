// The catalogue facts of every current finding, held column by column in memory and keyed by the store's
// row id, so that the overview's aggregations scan typed arrays instead of B-trees.

/** Text columns kept dictionary-encoded: each value is stored once, each finding holds its code. */
export const TEXT_FACETS = ['type', 'accountId', 'region', 'resourceType', 'actionType', 'resourceId'] as const;
export type TextFacet = (typeof TEXT_FACETS)[number];

/** One remote party's columns. */
export const REMOTE_FACETS = ['remoteIp', 'remoteCountry', 'remoteOrg'] as const;
export type RemoteFacet = (typeof REMOTE_FACETS)[number];

export interface FacetRow {
  readonly rowid: number;
  readonly updatedAt: number;
  readonly band: number;
  readonly severity: number;
  readonly archived: boolean;
  readonly sample: boolean;
  readonly text: Readonly<Record<TextFacet, string | null>>;
}

export interface FacetParty {
  readonly ip: string;
  readonly country: string | null;
  readonly org: string | null;
}

/** `null` is code -1; codes are never reused, so a code read earlier always names the same value. */
export class Dictionary {
  private readonly codes = new Map<string, number>();
  readonly values: string[] = [];

  code(value: string | null): number {
    if (value === null) return -1;
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.codes.set(value, code);
    }
    return code;
  }
}

/**
 * A text column's codes shifted by one (0 is NULL), in the narrowest unsigned array the dictionary fits: one byte
 * per finding for regions or types, two for accounts, four only for a column with more than 65,535 values.
 */
export type CodeArray = Uint8Array | Uint16Array | Uint32Array;

type Column = Float64Array | Int32Array | CodeArray;

function grown<T extends Column>(array: T, size: number): T {
  if (array.length >= size) return array;
  const next = new (array.constructor as new (n: number) => T)(Math.max(size, Math.ceil(array.length * 1.5), 1024));
  next.set(array);
  return next;
}

const PARTY_WIDTH = 3;

export class FacetColumns {
  /** Slots 0..limit-1 may hold a finding; a slot's index is the finding's row id. */
  limit = 0;
  present = new Uint8Array(0);
  updatedAt = new Float64Array(0);
  band = new Uint8Array(0);
  severity = new Float64Array(0);
  archived = new Uint8Array(0);
  sample = new Uint8Array(0);
  readonly dictionaries: Readonly<Record<TextFacet | RemoteFacet, Dictionary>>;
  /** Per text facet, slot s holds its value's code + 1, or 0 for NULL (see CodeArray). */
  readonly textCodes: Record<TextFacet, CodeArray>;
  /** Remote parties of slot s: `parties[partyStart[s] … + partyCount[s]*3)` as (ip, country, org) codes. */
  partyStart = new Uint32Array(0);
  partyCount = new Uint8Array(0);
  parties = new Int32Array(0);
  private partiesUsed = 0;
  private partiesLive = 0;

  constructor() {
    this.dictionaries = Object.fromEntries([...TEXT_FACETS, ...REMOTE_FACETS].map((f) => [f, new Dictionary()])) as Record<TextFacet | RemoteFacet, Dictionary>;
    this.textCodes = Object.fromEntries(TEXT_FACETS.map((f) => [f, new Uint8Array(0)])) as Record<TextFacet, CodeArray>;
  }

  private reserve(rowid: number): void {
    const size = rowid + 1;
    if (size <= this.limit) return;
    this.present = grown(this.present, size);
    this.updatedAt = grown(this.updatedAt, size);
    this.band = grown(this.band, size);
    this.severity = grown(this.severity, size);
    this.archived = grown(this.archived, size);
    this.sample = grown(this.sample, size);
    this.partyStart = grown(this.partyStart, size);
    this.partyCount = grown(this.partyCount, size);
    for (const f of TEXT_FACETS) this.textCodes[f] = grown(this.textCodes[f], size);
    this.limit = size;
  }

  /** Puts a finding's current facts in its slot, replacing what the slot held. */
  set(row: FacetRow, parties: readonly FacetParty[]): void {
    const s = row.rowid;
    if (!Number.isSafeInteger(s) || s < 0) throw new RangeError(`row id ${s} cannot be a facet slot`);
    this.reserve(s);
    this.present[s] = 1;
    this.updatedAt[s] = row.updatedAt;
    this.band[s] = row.band;
    this.severity[s] = row.severity;
    this.archived[s] = row.archived ? 1 : 0;
    this.sample[s] = row.sample ? 1 : 0;
    for (const f of TEXT_FACETS) this.setCode(f, s, this.dictionaries[f].code(row.text[f]) + 1);
    this.setParties(s, parties);
  }

  private setCode(f: TextFacet, s: number, shifted: number): void {
    let codes = this.textCodes[f];
    if (codes instanceof Uint8Array && shifted > 0xff) codes = this.textCodes[f] = Uint16Array.from(codes);
    if (codes instanceof Uint16Array && shifted > 0xffff) codes = this.textCodes[f] = Uint32Array.from(codes);
    codes[s] = shifted;
  }

  setArchived(rowid: number, archived: boolean): void {
    if (rowid < this.limit && this.present[rowid] === 1) this.archived[rowid] = archived ? 1 : 0;
  }

  delete(rowid: number): void {
    if (rowid >= this.limit) return;
    this.present[rowid] = 0;
    this.partiesLive -= this.partyCount[rowid]!;
    this.partyCount[rowid] = 0;
  }

  private setParties(s: number, parties: readonly FacetParty[]): void {
    this.partiesLive -= this.partyCount[s]!;
    // Bounded: a finding's parties are deduplicated by IP and GuardDuty lists a handful at most.
    const n = Math.min(parties.length, 255);
    if (this.partiesUsed + n * PARTY_WIDTH > this.parties.length) this.compact(n);
    this.partyStart[s] = this.partiesUsed;
    this.partyCount[s] = n;
    for (let i = 0; i < n; i++) {
      const p = parties[i]!;
      const at = this.partiesUsed + i * PARTY_WIDTH;
      this.parties[at] = this.dictionaries.remoteIp.code(p.ip);
      this.parties[at + 1] = this.dictionaries.remoteCountry.code(p.country);
      this.parties[at + 2] = this.dictionaries.remoteOrg.code(p.org);
    }
    this.partiesUsed += n * PARTY_WIDTH;
    this.partiesLive += n;
  }

  /** Rewrites the party pool without the parties of replaced versions, growing it when mostly live. */
  private compact(adding: number): void {
    const needed = (this.partiesLive + adding) * PARTY_WIDTH;
    const size = Math.max(1024, needed * 2);
    const next = new Int32Array(size);
    let used = 0;
    for (let s = 0; s < this.limit; s++) {
      const count = this.partyCount[s]!;
      if (count === 0) continue;
      const from = this.partyStart[s]!;
      next.set(this.parties.subarray(from, from + count * PARTY_WIDTH), used);
      this.partyStart[s] = used;
      used += count * PARTY_WIDTH;
    }
    this.parties = next;
    this.partiesUsed = used;
  }

  /** Gives back the room the arrays grew ahead by (up to half their size), keeping a little for new findings. */
  trim(): void {
    const size = Math.ceil(this.limit * 1.02) + 1024;
    const fit = <T extends Column>(a: T): T => (a.length > size ? (a.slice(0, size) as T) : a);
    this.present = fit(this.present);
    this.updatedAt = fit(this.updatedAt);
    this.band = fit(this.band);
    this.severity = fit(this.severity);
    this.archived = fit(this.archived);
    this.sample = fit(this.sample);
    this.partyStart = fit(this.partyStart);
    this.partyCount = fit(this.partyCount);
    for (const f of TEXT_FACETS) this.textCodes[f] = fit(this.textCodes[f]);
    if (this.parties.length > this.partiesUsed * 1.1 + 3072) this.parties = this.parties.slice(0, Math.ceil(this.partiesUsed * 1.05) + 3072);
  }

  /** Approximate bytes held, for the metrics and the benchmark's memory figure. */
  bytes(): number {
    let n = this.limit * (1 + 8 + 1 + 8 + 1 + 1 + 4 + 1) + this.parties.byteLength;
    for (const f of TEXT_FACETS) n += this.limit * this.textCodes[f].BYTES_PER_ELEMENT;
    for (const d of Object.values(this.dictionaries)) for (const v of d.values) n += 40 + 2 * v.length;
    return n;
  }
}

// The PostgreSQL store's findings as the in-memory facets read them. Slots are the findings' row ids (`rid`), dense
// because new findings are inserted only while the change log's head is locked (writers take turns, and nothing
// else draws from the identity). Other instances write the same tables: the feed is the change log, whose numbers
// are handed out one by one under the same lock, so a number missing after the facets' position means entries were
// pruned before this instance read them.
import type { FacetEntry, FacetFeed, FacetSource } from '../facets/facet-source.js';
import type { FacetSemantics } from '../facets/facet-semantics.js';

type Rows = <R extends object>(text: string, values?: readonly unknown[]) => Promise<R[]>;

interface FacetRowSql {
  rid: number;
  updated_at: number;
  band: number;
  severity: number;
  archived: boolean;
  sample: boolean;
  type: string;
  account_id: string;
  region: string;
  resource_type: string | null;
  action_type: string | null;
  resource_id: string | null;
  ips: string[] | null;
  countries: Array<string | null> | null;
  orgs: Array<string | null> | null;
}

/** Each finding with its remote parties, read in one statement (one snapshot). */
const SELECT = `SELECT f.rid, f.updated_at, f.band, f.severity, f.archived, f.sample, f.type, f.account_id, f.region,
    f.resource_type, f.action_type, f.resource_id, p.ips, p.countries, p.orgs
  FROM findings f LEFT JOIN LATERAL (
    SELECT array_agg(r.ip ORDER BY r.ip) AS ips, array_agg(r.country ORDER BY r.ip) AS countries, array_agg(r.org ORDER BY r.ip) AS orgs
    FROM finding_remote_ips r WHERE r.finding = f.rid) p ON true`;

function entry(r: FacetRowSql): FacetEntry {
  return {
    row: {
      rowid: r.rid,
      updatedAt: r.updated_at,
      band: r.band,
      severity: r.severity,
      archived: r.archived,
      sample: r.sample,
      text: { type: r.type, accountId: r.account_id, region: r.region, resourceType: r.resource_type, actionType: r.action_type, resourceId: r.resource_id },
    },
    parties: (r.ips ?? []).map((ip, i) => ({ ip, country: r.countries?.[i] ?? null, org: r.orgs?.[i] ?? null })),
  };
}

class ChangeLogFeed implements FacetFeed {
  constructor(private readonly rows: Rows) {}

  async position(): Promise<number> {
    const [head] = await this.rows<{ last_seq: number }>('SELECT last_seq FROM finding_change_head');
    return head?.last_seq ?? 0;
  }

  async since(position: number, limit: number): Promise<{ position: number; slots: number[] } | 'gap'> {
    const rows = await this.rows<{ head: number; seq: number | null; finding: number | null }>(
      `SELECT h.last_seq AS head, c.seq, c.finding FROM finding_change_head h
       LEFT JOIN LATERAL (SELECT seq, finding FROM finding_changes WHERE seq > $1 ORDER BY seq LIMIT $2) c ON true`,
      [position, limit],
    );
    const head = rows[0]?.head ?? 0;
    const changes = rows.filter((r) => r.seq !== null);
    // Numbers run on without holes: the next one missing, or a head past the position with nothing after it, means pruned.
    if (changes.length === 0) return head > position ? 'gap' : { position, slots: [] };
    if (changes[0]!.seq !== position + 1) return 'gap';
    return { position: changes[changes.length - 1]!.seq!, slots: changes.map((c) => c.finding!) };
  }
}

export class PostgresFacetSource implements FacetSource {
  readonly feed: FacetFeed;

  constructor(
    private readonly rows: Rows,
    readonly semantics: FacetSemantics,
  ) {
    this.feed = new ChangeLogFeed(rows);
  }

  async slotLimit(): Promise<number> {
    const [row] = await this.rows<{ max: number | null }>('SELECT max(rid) AS max FROM findings');
    return (row?.max ?? 0) + 1;
  }

  async slice(from: number, to: number): Promise<FacetEntry[]> {
    return (await this.rows<FacetRowSql>(`${SELECT} WHERE f.rid >= $1 AND f.rid < $2`, [from, to])).map(entry);
  }

  async read(slots: readonly number[]): Promise<FacetEntry[]> {
    return (await this.rows<FacetRowSql>(`${SELECT} WHERE f.rid = ANY($1::int8[])`, [slots])).map(entry);
  }
}

// The finding store a server uses: the backend's store with its in-memory facets in front, deciding per read
// whether the facets answer (an overview's aggregations, a search's total) or the backend's SQL does.
import type { FindingKey, Finding } from '../../findings/finding.js';
import type { QueryNode } from '../../query/ast.js';
import { bindQuery } from '../../query/bind.js';
import type { BoundQuery } from '../../query/bound.js';
import type { AggregationRequest, AggregationResult } from '../aggregation.js';
import type {
  ArchiveOutbox,
  ArchivePurges,
  RemovalCounts,
  RemoveOptions,
  FindingChange,
  FindingRecord,
  FindingStore,
  FindingWithHistory,
  ReadOptions,
  SearchPage,
  SearchRequest,
  UpsertOptions,
  UpsertResult,
} from '../finding-store.js';
import type { FacetSource } from './facet-source.js';
import { FindingFacets } from './finding-facets.js';
import type { SearchHints } from './facet-page.js';

/** What a backend's finding store offers the facets besides the FindingStore contract. */
export interface FacetableStore extends FindingStore {
  /** As `upsert`, also naming the slots (see FacetSource) whose current record the batch changed. */
  upsertSlots(findings: readonly Finding[], receivedAt: number, options?: UpsertOptions): Promise<UpsertResult & { readonly slots: readonly number[] }>;
  /** As `setArchived`: the finding's slot, or undefined when there is no such finding. */
  setArchivedSlot(key: FindingKey, archived: boolean, actor: string, at: number): Promise<number | undefined>;
  /** As `search`, with what the facets answered already (its total, the rows its page can hold): see SearchHints. */
  searchHinted(request: SearchRequest, hints: SearchHints, options?: ReadOptions): Promise<SearchPage>;
  /** As `remove`, also telling `removedSlots` the slots of each batch once it is committed. */
  remove(keys: readonly FindingKey[], options?: SlotRemoveOptions): Promise<RemovalCounts>;
}

/** `remove`'s options, and the slots of each committed batch for the facets to forget. */
export interface SlotRemoveOptions extends RemoveOptions {
  readonly removedSlots?: (slots: readonly number[]) => Promise<void>;
}

export interface FacetedStoreOptions {
  /** Where the facets read the findings; without one the store keeps no facets and SQL answers every read. */
  readonly source?: FacetSource;
  /** Tests: `'facets'` has the facets choose every page they can (see facetSearch). */
  readonly pageChoice?: 'measured' | 'facets';
  /** Failures of loading or following (a database unreachable for a moment); reads fall back to SQL meanwhile. */
  readonly onError?: (error: unknown) => void;
}

export class FacetedFindingStore<S extends FacetableStore = FacetableStore> implements FindingStore {
  readonly outbox: ArchiveOutbox;
  readonly archivePurges: ArchivePurges;
  private readonly facets: FindingFacets | undefined;
  private readonly pageChoice: 'measured' | 'facets';
  private readonly onError: (error: unknown) => void;
  /** Reads answered from the facets rather than SQL: whole aggregations, search totals, and the rows a page can hold. */
  readonly facetAnswers = { aggregations: 0, totals: 0, pages: 0 };

  constructor(
    /** The backend's own store (for what only that backend does). */
    readonly backend: S,
    options: FacetedStoreOptions = {},
  ) {
    this.outbox = backend.outbox;
    this.archivePurges = backend.archivePurges;
    this.pageChoice = options.pageChoice ?? 'measured';
    this.onError = options.onError ?? ((): void => undefined);
    this.facets = options.source && new FindingFacets(options.source, options.onError);
  }

  /** True when the store keeps facets and they are loaded. */
  get facetsReady(): boolean {
    return this.facets?.isReady === true;
  }

  /** Settles when the facets' current load ends (at once without facets). */
  get facetsLoaded(): Promise<void> {
    return this.facets?.loading ?? Promise.resolve();
  }

  /** Brings the facets up to every commit so far, other processes' included (see FindingFacets.catchUp). */
  async catchUp(): Promise<void> {
    await this.facets?.catchUp();
  }

  async upsert(findings: readonly Finding[], receivedAt: number, options?: UpsertOptions): Promise<UpsertResult> {
    const { slots, ...result } = await this.backend.upsertSlots(findings, receivedAt, options);
    await this.afterWrite(slots);
    return result;
  }

  async setArchived(key: FindingKey, archived: boolean, actor: string, at: number): Promise<boolean> {
    const slot = await this.backend.setArchivedSlot(key, archived, actor, at);
    if (slot === undefined) return false;
    await this.afterWrite([slot]);
    return true;
  }

  /** The write is committed whatever happens here: a failed refresh is reported, and the next catch-up retries. */
  private async afterWrite(slots: readonly number[]): Promise<void> {
    try {
      await this.facets?.written(slots);
    } catch (error) {
      this.onError(error);
    }
  }

  async search(parsed: SearchRequest, options: ReadOptions = {}): Promise<SearchPage> {
    // Bound once, here: the facets and SQL read the same query, with relative times resolved at the same instant.
    const request: SearchRequest = { ...parsed, query: bindQuery(parsed.query) };
    // Queries on the fields the facets hold are counted from memory, and a sparse page's rows chosen there; the
    // documents come from the backend.
    const hints = this.facets?.searchHints(request, this.pageChoice) ?? {};
    if (hints.counted !== undefined) this.facetAnswers.totals++;
    if (hints.candidates !== undefined) this.facetAnswers.pages++;
    return this.backend.searchHinted(request, hints, options);
  }

  /** Each committed batch's slots are forgotten by the facets before the next batch. */
  remove(keys: readonly FindingKey[], options: RemoveOptions = {}): Promise<RemovalCounts> {
    return this.backend.remove(keys, { ...options, removedSlots: (slots) => this.afterWrite(slots) });
  }

  scrub(options?: { readonly compact?: boolean }): Promise<void> {
    return this.backend.scrub(options);
  }

  async aggregate(parsed: AggregationRequest, options: ReadOptions = {}): Promise<AggregationResult> {
    const request: AggregationRequest = { ...parsed, query: bindQuery(parsed.query) };
    const answer = this.facets?.aggregate(request);
    if (answer !== undefined) {
      this.facetAnswers.aggregations++;
      return answer;
    }
    return this.backend.aggregate(request, options);
  }

  get(key: FindingKey): Promise<FindingWithHistory | undefined> {
    return this.backend.get(key);
  }

  matching(query: QueryNode | BoundQuery, keys: readonly FindingKey[]): Promise<FindingRecord[]> {
    return this.backend.matching(query, keys);
  }

  changesSince(seq: number, limit: number): Promise<FindingChange[]> {
    return this.backend.changesSince(seq, limit);
  }

  pruneChanges(upToSeq: number, limit: number): Promise<number> {
    return this.backend.pruneChanges(upToSeq, limit);
  }

  lastChange(): Promise<number> {
    return this.backend.lastChange();
  }

  count(): Promise<number> {
    return this.backend.count();
  }

  async close(): Promise<void> {
    await this.facets?.stop();
    await this.backend.close();
  }
}

// The finding store a server uses: the backend's store with its in-memory facets in front, deciding per read
// whether the facets answer (an overview's aggregations, a search's total) or the backend's SQL does.
import type { FindingKey, Finding } from '../../findings/finding.js';
import type { QueryNode } from '../../query/ast.js';
import { bindQuery } from '../../query/bind.js';
import type { BoundQuery } from '../../query/bound.js';
import type { AggregationRequest, AggregationResult } from '../aggregation.js';
import type {
  ArchiveOutbox,
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

/** What a backend's finding store offers the facets besides the FindingStore contract. */
export interface FacetableStore extends FindingStore {
  /** As `upsert`, also naming the slots (see FacetSource) whose current record the batch changed. */
  upsertSlots(findings: readonly Finding[], receivedAt: number, options?: UpsertOptions): Promise<UpsertResult & { readonly slots: readonly number[] }>;
  /** As `setArchived`: the finding's slot, or undefined when there is no such finding. */
  setArchivedSlot(key: FindingKey, archived: boolean, actor: string, at: number): Promise<number | undefined>;
  /** As `search`, with its total counted already (`counted`, by the facets) or, when undefined, by the store. */
  searchCounted(request: SearchRequest, counted: number | undefined, options?: ReadOptions): Promise<SearchPage>;
}

export interface FacetedStoreOptions {
  /** Where the facets read the findings; without one the store keeps no facets and SQL answers every read. */
  readonly source?: FacetSource;
  /** Failures of loading or following (a database unreachable for a moment); reads fall back to SQL meanwhile. */
  readonly onError?: (error: unknown) => void;
}

export class FacetedFindingStore<S extends FacetableStore = FacetableStore> implements FindingStore {
  readonly outbox: ArchiveOutbox;
  private readonly facets: FindingFacets | undefined;
  private readonly onError: (error: unknown) => void;
  /** Reads answered from the facets rather than SQL: whole aggregations, and search totals. */
  readonly facetAnswers = { aggregations: 0, totals: 0 };

  constructor(
    /** The backend's own store (for what only that backend does). */
    readonly backend: S,
    options: FacetedStoreOptions = {},
  ) {
    this.outbox = backend.outbox;
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
    // Queries on the fields the facets hold are counted from memory; the page still comes from SQL.
    const counted = this.facets?.count(request.query, request.from, request.to, request.trackTotalUpTo ?? Number.POSITIVE_INFINITY);
    if (counted !== undefined) this.facetAnswers.totals++;
    return this.backend.searchCounted(request, counted, options);
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

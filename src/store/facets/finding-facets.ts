// The in-memory facets of a backend's findings: loaded slice by slice at start, then kept equal to the store —
// refreshed after this process's writes and, on a store other processes write, from the backend's feed of changed
// slots — and answering the aggregations and search totals they can with the backend's own semantics.
import type { QueryNode } from '../../query/ast.js';
import type { BoundQuery } from '../../query/bound.js';
import type { AggregationRequest, AggregationResult } from '../aggregation.js';
import type { SearchRequest } from '../finding-store.js';
import { facetAggregate } from './facet-aggregate.js';
import { FacetColumns } from './facet-columns.js';
import { bindOrUndefined, facetCount } from './facet-filter.js';
import { facetSearch, type SearchHints } from './facet-page.js';
import type { FacetEntry, FacetSource } from './facet-source.js';

/**
 * Slots read per slice while loading; between slices the event loop serves requests and ingest (a slice of
 * SQLite rows takes some 30 ms; 1M findings load in about 5 to 10 s on the reference machine).
 */
const SLICE_SLOTS = 10_000;
/** Changes read from the feed at a time. */
const FEED_BATCH = 2_000;

export class FindingFacets {
  columns = new FacetColumns();
  /** Slots below this one are loaded; refreshes of slots at or above it are left to the slices still to read. */
  private loadedBelow = 0;
  private ready = false;
  private stopped = false;
  /** Counts loads: a load started again (see reload) leaves the one before it without a say. */
  private generation = 0;
  /** Where the feed was read up to (a store other processes write). */
  private position = 0;
  /**
   * Loading slices, refreshes and catch-ups run one after another, each reading the store when its turn comes:
   * a read that starts later sees the store as at least as new, so facts are never put back to older ones.
   */
  private work: Promise<void> = Promise.resolve();
  /** A catch-up queued and not yet started: a caller now can wait for it, since it reads after the call. */
  private queuedCatchUp: Promise<void> | undefined;
  /** Ends the wait before loading again after a failure (stopping). */
  private wake: (() => void) | undefined;
  /** Settles when the current load ends. */
  loading: Promise<void>;

  constructor(
    private readonly source: FacetSource,
    private readonly onError: (error: unknown) => void = () => undefined,
    /** Wait before loading again after a load failed (the database unreachable for a moment). */
    private readonly retryMs = 5_000,
  ) {
    this.loading = this.load();
  }

  /** True once every finding is loaded: until then reads take the backend's SQL. */
  get isReady(): boolean {
    return this.ready;
  }

  /** Stops loading and following; what is queued still runs. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loading;
    await this.work;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.work.then(task);
    this.work = run.then(() => undefined, () => undefined);
    return run;
  }

  /** Loads every finding a slice at a time, then (on a shared store) what changed meanwhile. */
  private async load(): Promise<void> {
    const generation = this.generation;
    try {
      const feed = this.source.feed;
      // Read before the first slice: every change committed after it is in the feed after this position.
      if (feed) this.position = await feed.position();
      for (;;) {
        if (this.stopped) return;
        const from = this.loadedBelow;
        const to = from + SLICE_SLOTS;
        await this.enqueue(async () => {
          this.put(await this.source.slice(from, to));
          this.loadedBelow = to;
        });
        // Findings added while loading get higher slots: the loop ends only past the highest one.
        if (to >= (await this.source.slotLimit())) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (feed) await this.enqueue(() => this.follow());
      if (this.stopped || generation !== this.generation) return;
      this.columns.trim();
      this.ready = true;
    } catch (error) {
      // Reads stay with SQL meanwhile.
      this.onError(error);
      if (!this.stopped && generation === this.generation) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.retryMs);
          this.wake = (): void => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (!this.stopped && generation === this.generation) this.reload();
      }
    }
  }

  private put(entries: readonly FacetEntry[]): void {
    for (const e of entries) this.columns.set(e.row, e.parties);
  }

  /** Re-reads slots whose findings a committed write of this process changed. */
  refresh(slots: readonly number[]): Promise<void> {
    if (slots.length === 0) return Promise.resolve();
    return this.enqueue(() => this.reread(slots));
  }

  private async reread(slots: readonly number[]): Promise<void> {
    const loaded = slots.filter((s) => s < this.loadedBelow);
    if (loaded.length === 0) return;
    const entries = await this.source.read(loaded);
    const found = new Set<number>();
    for (const e of entries) {
      found.add(e.row.rowid);
      this.columns.set(e.row, e.parties);
    }
    for (const s of loaded) if (!found.has(s)) this.columns.delete(s);
  }

  /** After this process's write: the slots it changed (a sole writer), or the feed up to now (a shared store). */
  written(slots: readonly number[]): Promise<void> {
    return this.source.feed ? this.catchUp() : this.refresh(slots);
  }

  /**
   * Brings the facets up to every commit made so far, by any process (a shared store's feed); at once when the
   * store has no feed or the facets are still loading (the load catches up at its end).
   */
  catchUp(): Promise<void> {
    if (this.source.feed === undefined || !this.ready || this.stopped) return Promise.resolve();
    this.queuedCatchUp ??= this.enqueue(async () => {
      this.queuedCatchUp = undefined;
      await this.follow();
    });
    return this.queuedCatchUp;
  }

  private async follow(): Promise<void> {
    const feed = this.source.feed!;
    for (;;) {
      const changed = await feed.since(this.position, FEED_BATCH);
      if (changed === 'gap') {
        this.reload();
        return;
      }
      if (changed.slots.length > 0) await this.reread([...new Set(changed.slots)]);
      const moved = changed.position !== this.position;
      this.position = changed.position;
      if (!moved) return;
    }
  }

  /** Changes were dropped before this process read them: the facets are loaded again, and SQL answers meanwhile. */
  private reload(): void {
    this.ready = false;
    this.generation++;
    this.columns = new FacetColumns();
    this.loadedBelow = 0;
    this.loading = this.loading.then(() => this.load());
  }

  /** Matches of `query` in [from, to) counted up to `cap + 1`, or undefined when the backend must count. */
  count(query: QueryNode | BoundQuery, from: number | undefined, to: number | undefined, cap: number): number | undefined {
    return this.ready ? facetCount(this.columns, this.source.semantics, query, from, to, cap) : undefined;
  }

  /**
   * A search's total and, sorted by `updatedAt`, the rows its page can hold when a walk of the store would meet its
   * matches rarely (see facetSearch); {} when the backend must answer alone.
   */
  searchHints(request: SearchRequest, pageChoice: 'measured' | 'facets' = 'measured'): SearchHints {
    if (!this.ready) return {};
    const cap = request.trackTotalUpTo ?? Number.POSITIVE_INFINITY;
    if (request.sort.field !== 'updatedAt') {
      const counted = facetCount(this.columns, this.source.semantics, request.query, request.from, request.to, cap);
      return counted === undefined ? {} : { counted };
    }
    const query = bindOrUndefined(request.query);
    if (query === undefined) return {};
    const answer = facetSearch(this.columns, this.source.semantics, query, {
      ...(request.from !== undefined && { from: request.from }),
      ...(request.to !== undefined && { to: request.to }),
      order: request.sort.order,
      ...(request.after !== undefined && { after: request.after.value as number }),
      wanted: request.size + 1,
      cap,
    }, pageChoice);
    return answer ?? {};
  }

  /** The request's answer from memory, or undefined when the backend's SQL must answer (errors included). */
  aggregate(request: AggregationRequest): AggregationResult | undefined {
    return this.ready ? facetAggregate(this.columns, this.source.semantics, request) : undefined;
  }
}

// Request counting over a trailing window, as AWS WAF rate-based rules count: bounded memory whatever the flood.

export interface SlidingWindowOptions {
  readonly windowMs: number;
  /** Sub-windows per window; the count is exact to one sub-window (30 s for 5 min and 10 buckets). */
  readonly buckets: number;
  /** Keys tracked at most; the least recently seen are forgotten first. */
  readonly maxKeys: number;
}

interface Entry {
  /** Start (ms) of the newest bucket. */
  head: number;
  readonly counts: number[];
}

export class SlidingWindowCounter {
  private readonly bucketMs: number;
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: SlidingWindowOptions) {
    this.bucketMs = Math.ceil(options.windowMs / options.buckets);
  }

  private advance(entry: Entry, now: number): void {
    const head = now - (now % this.bucketMs);
    const steps = Math.min(this.options.buckets, Math.floor((head - entry.head) / this.bucketMs));
    for (let i = 0; i < steps; i++) {
      entry.counts.pop();
      entry.counts.unshift(0);
    }
    entry.head = head;
  }

  /** Counts one request for `key` and returns the count over the trailing window, this one included. */
  hit(key: string, now: number): number {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      if (this.entries.size >= this.options.maxKeys) {
        const oldest = this.entries.keys().next().value;
        if (oldest !== undefined) this.entries.delete(oldest);
      }
      entry = { head: now - (now % this.bucketMs), counts: new Array<number>(this.options.buckets).fill(0) };
    } else {
      this.entries.delete(key);
      this.advance(entry, now);
    }
    this.entries.set(key, entry);
    entry.counts[0]!++;
    return entry.counts.reduce((a, b) => a + b, 0);
  }

  /** Milliseconds until the trailing count of `key` falls to `limit` or below without new requests. */
  msUntilBelow(key: string, limit: number, now: number): number {
    const entry = this.entries.get(key);
    if (entry === undefined) return 0;
    this.advance(entry, now);
    let total = entry.counts.reduce((a, b) => a + b, 0);
    for (let i = entry.counts.length - 1; i >= 0 && total > limit; i--) {
      total -= entry.counts[i]!;
      // Bucket i (0 = newest) started at head - i·b and leaves the window at head + (n - i)·b.
      if (total <= limit) return Math.max(0, entry.head + (this.options.buckets - i) * this.bucketMs - now);
    }
    return 0;
  }

  /** Keys whose trailing count exceeds `limit`, with their counts. */
  over(limit: number, now: number): Array<{ key: string; count: number }> {
    const result: Array<{ key: string; count: number }> = [];
    for (const [key, entry] of this.entries) {
      this.advance(entry, now);
      const count = entry.counts.reduce((a, b) => a + b, 0);
      if (count > limit) result.push({ key, count });
    }
    return result;
  }

  get size(): number {
    return this.entries.size;
  }
}

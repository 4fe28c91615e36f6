// How SQLite orders text and sums numbers, reproduced so that answers from the facets equal the SQL path's.
import { compareCodePoints } from '../code-point-order.js';
import type { FacetSemantics, Summation } from '../facets/facet-semantics.js';

/** Sums the way SQLite's total() and avg() do, so that both paths give the same digits; one value at a time. */
export class SqliteSum implements Summation {
  private high = 0;
  private low = 0;
  private sum = 0;
  private err = 0;

  /** `integers`: the column is INTEGER, summed exactly (64-bit) and turned into a double once; else REAL. */
  constructor(private readonly integers: boolean) {}

  add(v: number): void {
    if (this.integers) {
      const h = Math.floor(v / 2 ** 32);
      this.high += h;
      this.low += v - h * 2 ** 32;
      return;
    }
    // REAL columns: the Kahan–Babuška–Neumaier sum of SQLite's func.c.
    const t = this.sum + v;
    this.err += Math.abs(this.sum) > Math.abs(v) ? this.sum - t + v : v - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.integers ? Number(BigInt(this.high) * 2n ** 32n + BigInt(this.low)) : this.sum + this.err;
  }
}

/** SQLite's: BINARY collation on UTF-8 (code point order), its own sums; `lower()` of the IgnoreCase conditions is the JavaScript function registered on each connection. */
export const SQLITE_SEMANTICS: FacetSemantics = {
  compareText: compareCodePoints,
  sum: (integers) => new SqliteSum(integers),
  foldsCaseAsJavaScript: true,
};

// How PostgreSQL orders text and sums numbers here, reproduced so that answers from the facets equal its SQL's:
// text columns are in the "C" collation (code point order), and sums are exact (numeric) and rounded once.
import { compareCodePoints } from '../code-point-order.js';
import type { FacetSemantics, Summation } from '../facets/facet-semantics.js';

/**
 * The exact sum of doubles, rounded once to the nearest double (ties to even) — what `sum(numeric)::text` read back
 * as a number gives, since every double is stored with its exact decimal value (exact-decimal.ts) and integers are
 * exact. Shewchuk's algorithm, as Python's `math.fsum`: the running sum is kept as non-overlapping partials.
 */
export class ExactSum implements Summation {
  private readonly partials: number[] = [];

  add(value: number): void {
    let x = value;
    let i = 0;
    const p = this.partials;
    for (let j = 0; j < p.length; j++) {
      let y = p[j]!;
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    p.length = i;
    p.push(x);
  }

  get value(): number {
    const p = this.partials;
    let n = p.length;
    if (n === 0) return 0;
    let hi = p[--n]!;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      const y = p[--n]!;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // Half-way cases: the partials below decide which way the exact sum lies.
    if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }
}

/** PostgreSQL's, as the store's schema sets it up; `unicodeLower`: its IgnoreCase conditions lower-case with ICU's root collation. */
export function postgresSemantics(unicodeLower: boolean): FacetSemantics {
  return { compareText: compareCodePoints, sum: () => new ExactSum(), foldsCaseAsJavaScript: unicodeLower };
}

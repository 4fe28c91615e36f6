// How SQLite orders text and sums numbers, reproduced so that answers from the facets equal the SQL path's.

/** Same order as SQLite's BINARY collation on UTF-8 text: by code point. */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800–DFFF) stand for code points above U+FFFF, which sort after U+E000–FFFF.
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Sums the way SQLite's total() and avg() do, so that both paths give the same digits; one value at a time. */
export class SqliteSum {
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

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

/** Sums the way SQLite's total() and avg() do, so that both paths give the same digits. */
export function sumLikeSqlite(values: Iterable<number>, integers: boolean): number {
  if (integers) {
    // INTEGER columns are summed exactly (64-bit), then turned into a double once.
    let high = 0;
    let low = 0;
    for (const v of values) {
      const h = Math.floor(v / 2 ** 32);
      high += h;
      low += v - h * 2 ** 32;
    }
    return Number(BigInt(high) * 2n ** 32n + BigInt(low));
  }
  // REAL columns: the Kahan–Babuška–Neumaier sum of SQLite's func.c.
  let sum = 0;
  let err = 0;
  for (const v of values) {
    const t = sum + v;
    err += Math.abs(sum) > Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + err;
}


// A double's exact value in decimal, for PostgreSQL's numeric: sums of numerics are exact, so a sum of severities
// rounds once, from the exact sum, as the embedded store's does.

/** The exact decimal expansion of a finite double (0.1 is 0.1000000000000000055511151231257827021181583404541015625). */
export function exactDecimal(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} has no decimal expansion`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const negative = bits >> 63n === 1n;
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // value = mantissa × 2^exponent, exactly.
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  let digits: string;
  if (exponent >= 0) {
    digits = (mantissa << BigInt(exponent)).toString();
  } else {
    // mantissa / 2^k = mantissa × 5^k / 10^k
    const scaled = (mantissa * 5n ** BigInt(-exponent)).toString().padStart(-exponent + 1, '0');
    const point = scaled.length + exponent;
    digits = `${scaled.slice(0, point)}.${scaled.slice(point)}`.replace(/\.?0+$/, '');
  }
  return negative && mantissa !== 0n ? `-${digits}` : digits;
}

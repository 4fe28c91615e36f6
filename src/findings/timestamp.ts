// GuardDuty timestamps as they really arrive: ISO-8601, ISO without zone or with a space, epoch seconds or ms.

const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * Parses a timestamp into epoch milliseconds, or undefined when it is not a date.
 * Strings without a zone are UTC (Panther-normalised exports drop the `Z`); numbers below 1e11 are epoch seconds.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return undefined;
    const ms = value < 1e11 ? value * 1000 : value;
    return ms > 8.64e15 ? undefined : Math.round(ms);
  }
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const m = ISO_LIKE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    return undefined;
  }
  const ms = frac === '' ? '' : `.${frac.padEnd(3, '0').slice(0, 3)}`;
  const z = zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  // Date.parse rolls impossible days over (2026-02-30 → 2026-03-02); a date must name a day its month has.
  const daysInMonth = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${ms}${z}`);
  return Number.isNaN(t) ? undefined : t;
}

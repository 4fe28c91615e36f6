// The time picker's ranges: relative presets as the API understands them (`now-24h`), or absolute dates.

export const PRESETS: ReadonlyArray<{ readonly label: string; readonly from: string; readonly ms: number }> = [
  { label: 'Last 15 minutes', from: 'now-15m', ms: 15 * 60_000 },
  { label: 'Last hour', from: 'now-1h', ms: 3_600_000 },
  { label: 'Last 24 hours', from: 'now-24h', ms: 86_400_000 },
  { label: 'Last 7 days', from: 'now-7d', ms: 7 * 86_400_000 },
  { label: 'Last 30 days', from: 'now-30d', ms: 30 * 86_400_000 },
  { label: 'Last 90 days', from: 'now-90d', ms: 90 * 86_400_000 },
];

export const DEFAULT_FROM = 'now-7d';

export interface Range {
  readonly from: string;
  readonly to?: string;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, H: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const UNIT_NAMES: Readonly<Record<string, string>> = { s: 'second', m: 'minute', h: 'hour', H: 'hour', d: 'day', w: 'week' };

/** The length of a plain relative `from` (`now-1d`, `now-36h`) in ms; undefined for dates and rounded math. */
export function relativeMs(from: string): number | undefined {
  const m = /^now-(\d{1,9})([smhHdw])$/.exec(from.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

/** The preset a relative range equals (`now-1d` is "Last 24 hours"), whatever unit the URL wrote it in. */
export function presetOf(range: Range): (typeof PRESETS)[number] | undefined {
  if (range.to !== undefined && range.to !== '' && range.to !== 'now') return undefined;
  const ms = relativeMs(range.from);
  return ms === undefined ? undefined : PRESETS.find((p) => p.ms === ms);
}

/** "Last 2 days" for `now-2d`: a relative range no preset equals. */
export function relativeLabel(from: string): string | undefined {
  const m = /^now-(\d{1,9})([smhHdw])$/.exec(from.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return `Last ${n} ${UNIT_NAMES[m[2]!]}${n === 1 ? '' : 's'}`;
}

/** Epoch ms bounds of a range, for the previous-period comparison and histogram intervals. */
export function resolve(range: Range, now: number): { from: number; to: number } {
  const relative = relativeMs(range.from);
  const to = range.to === undefined || range.to === '' || range.to === 'now' ? now : Date.parse(range.to);
  const from = relative !== undefined ? now - relative : Date.parse(range.from);
  return { from: Number.isNaN(from) ? now - 7 * 86_400_000 : from, to: Number.isNaN(to) ? now : to };
}

/** A histogram interval giving at most a few hundred buckets over the span. */
export function intervalFor(spanMs: number): string {
  if (spanMs <= 2 * 3_600_000) return '30s';
  if (spanMs <= 24 * 3_600_000) return '5m';
  if (spanMs <= 14 * 86_400_000) return '1h';
  if (spanMs <= 400 * 86_400_000) return '1d';
  return '1w';
}

export function describe(range: Range): string {
  return presetOf(range)?.label ?? `${range.from} → ${range.to ?? 'now'}`;
}

const INTERVAL_MS: Readonly<Record<string, number>> = { '30s': 30_000, '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000, '1w': 604_800_000 };

/** The length of a histogram interval in ms. */
export function intervalMs(interval: string): number {
  return INTERVAL_MS[interval] ?? 3_600_000;
}

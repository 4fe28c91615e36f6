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

/** Epoch ms bounds of a range, for the previous-period comparison and histogram intervals. */
export function resolve(range: Range, now: number): { from: number; to: number } {
  const preset = PRESETS.find((p) => p.from === range.from);
  const to = range.to === undefined || range.to === '' || range.to === 'now' ? now : Date.parse(range.to);
  const from = preset ? now - preset.ms : Date.parse(range.from);
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
  return PRESETS.find((p) => p.from === range.from)?.label ?? `${range.from} → ${range.to ?? 'now'}`;
}

const INTERVAL_MS: Readonly<Record<string, number>> = { '30s': 30_000, '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000, '1w': 604_800_000 };

/** The length of a histogram interval in ms. */
export function intervalMs(interval: string): number {
  return INTERVAL_MS[interval] ?? 3_600_000;
}

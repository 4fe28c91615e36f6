// When demo findings happen: a daily rhythm over the window, and increasing timestamps for each update.
import { WeightedTable } from './random.js';
import type { Random } from './random.js';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Findings by UTC hour: automated scanning never stops, people and workloads add a working-day bump. */
const HOURS = new WeightedTable([3, 3, 2.5, 2.5, 3, 3.5, 4.5, 6, 7.5, 8.5, 9, 9.5, 10, 10, 9.5, 9, 8.5, 7.5, 6.5, 5.5, 5, 4.5, 4, 3.5]);

/** How many versions an updated finding has: 2 to 6, fewer more likely. */
const UPDATES = new WeightedTable([45, 25, 15, 10, 5]);

/** The newest a finding can be: creation leaves room before `now` for its updates. */
const NEWEST_MS = 10 * MINUTE_MS;

/** Picks when a finding was created: within the last `days` before `now`, quieter at night and at weekends. */
export function sampleCreatedAt(rng: Random, now: number, days: number): number {
  const start = now - days * DAY_MS;
  const end = now - NEWEST_MS;
  const today = Math.floor(now / DAY_MS);
  for (;;) {
    const day = today - rng.int(Math.ceil(days) + 1);
    const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday
    if ((weekday === 0 || weekday === 6) && rng.chance(0.3)) continue;
    const t = day * DAY_MS + HOURS.sample(rng) * HOUR_MS + rng.int(HOUR_MS);
    if (t >= start && t <= end) return t;
  }
}

/** The timestamps of each version of one finding, all in epoch ms. */
export interface VersionTimes {
  readonly eventFirstSeen: number;
  /** Per version, strictly increasing; the first is `createdAt`. */
  readonly updatedAt: number[];
  /** Per version, strictly increasing and never after that version's `updatedAt`. */
  readonly eventLastSeen: number[];
  /** Per version, strictly increasing from 1. */
  readonly count: number[];
}

function wholeSeconds(ms: number): number {
  return Math.floor(ms / SECOND_MS) * SECOND_MS;
}

/** How many versions a finding gets: one, or 2–6 for the updated share. */
export function sampleVersionCount(rng: Random, updatedShare: number): number {
  return rng.chance(updatedShare) ? 2 + UPDATES.sample(rng) : 1;
}

/**
 * Timestamps for `versions` versions of a finding created at `createdAt`: updates hours apart on average,
 * squeezed to end before `now`, each at least a second after the previous one. Activity starts `leadMs` before
 * creation; when `spans` is set (correlated findings) the first version already covers that whole stretch.
 */
export function versionTimes(rng: Random, createdAt: number, versions: number, now: number, leadMs: number, spans = false): VersionTimes {
  const eventFirstSeen = wholeSeconds(createdAt - leadMs);
  const updatedAt = [createdAt];
  const eventLastSeen = [spans ? Math.max(eventFirstSeen, wholeSeconds(createdAt - MINUTE_MS)) : eventFirstSeen];
  const count = [1];
  if (versions > 1) {
    const gaps: number[] = [];
    let total = 0;
    for (let v = 1; v < versions; v++) {
      const gap = rng.exponential(4 * HOUR_MS);
      gaps.push(gap);
      total += gap;
    }
    const room = now - createdAt - versions * SECOND_MS;
    const scale = total > room ? room / total : 1;
    let t = createdAt;
    for (let v = 1; v < versions; v++) {
      t += SECOND_MS + Math.floor((gaps[v - 1] ?? 0) * scale);
      updatedAt.push(t);
      const previous = eventLastSeen[v - 1] ?? eventFirstSeen;
      eventLastSeen.push(Math.max(previous + SECOND_MS, wholeSeconds(t - rng.range(SECOND_MS, 30 * SECOND_MS))));
      count.push((count[v - 1] ?? 1) + 1 + Math.floor(rng.exponential(8)));
    }
  }
  return { eventFirstSeen, updatedAt, eventLastSeen, count };
}

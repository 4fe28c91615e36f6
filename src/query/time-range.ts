// Parses the times users type (ISO-8601, epoch milliseconds, Elasticsearch date math like now-24h or now-1d/d).
import { QueryError } from './query-error.js';

/** A span of time in epoch ms, `end` exclusive. An exact instant is one millisecond long. */
export interface TimeInterval {
  readonly start: number;
  readonly end: number;
}

const DAY_MS = 86_400_000;
const MAX_EPOCH_MS = 8.64e15;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;
const EPOCH_MS = /^\d{1,16}$/;
const DATE_MATH_STEP = /^(?:([+-])(\d{0,9})|\/)([yMwdhHms])/;
const FIXED_UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, H: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/**
 * Parses a time into epoch ms: `2024-05-01` (midnight UTC), `2024-05-01T10:00:00Z`, with an offset or
 * without a zone (UTC), epoch milliseconds as digits, or date math on `now` (`now-24h`, `now+1h`,
 * `now-1d/d`; units s m h d w M y). Throws QueryError (code INVALID_TIME) naming the input.
 */
export function parseTime(text: string, now: number): number {
  return parseTimeInterval(text, now).start;
}

/**
 * Like parseTime, but returns the whole span the text names: a date-only value is its UTC day, a rounded
 * value (`now/d`) its unit, anything else one millisecond. Ranges use both ends, as Elasticsearch does.
 */
export function parseTimeInterval(text: string, now: number): TimeInterval {
  const input = text.trim();
  const interval = input.startsWith('now') ? dateMath(input, now) : EPOCH_MS.test(input) ? instant(Number(input)) : isoTime(input);
  if (!inRange(interval.start) || !inRange(interval.end - 1)) {
    throw timeError(`${quote(text)} is out of range: times must fall between the years -271821 and 275760`);
  }
  return interval;
}

/**
 * Resolves a `from`/`to` pair into epoch ms. `from` is inclusive and `to` exclusive; `to` covers the whole
 * span it names, so `to=2024-05-01` and `to=now/d` include that day, as Kibana's time picker does. Blank
 * or missing ends are unbounded. Throws QueryError with code INVALID_TIME or INVALID_TIME_RANGE.
 */
export function resolveTimeRange(
  range: { readonly from?: string | undefined; readonly to?: string | undefined },
  now: number,
): { from: number | undefined; to: number | undefined } {
  const from = blank(range.from) ? undefined : parseTimeInterval(range.from, now).start;
  const to = blank(range.to) ? undefined : parseTimeInterval(range.to, now).end;
  if (from !== undefined && to !== undefined && from >= to) {
    throw new QueryError(`the time range is empty: from ${quote(range.from ?? '')} is after to ${quote(range.to ?? '')}`, {
      code: 'INVALID_TIME_RANGE',
    });
  }
  return { from, to };
}

function blank(text: string | undefined): text is undefined {
  return text === undefined || text.trim() === '';
}

function isoTime(text: string): TimeInterval {
  const m = ISO.exec(text);
  if (!m) {
    throw timeError(
      `${quote(text)} is not a time: use an ISO-8601 date or time such as 2024-05-01 or 2024-05-01T10:00:00Z, ` +
        'epoch milliseconds, or a relative time such as now-24h or now-1d/d',
    );
  }
  const [, y, mo, d, h, mi, s = '0', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month - 1)) {
    throw timeError(`${quote(text)} is not a valid date`);
  }
  if (h === undefined) {
    const start = utc(year, month - 1, day, 0);
    return { start, end: start + DAY_MS };
  }
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw timeError(`${quote(text)} is not a valid time of day`);
  const offset = zoneOffsetMinutes(zone);
  if (offset === undefined) throw timeError(`${quote(text)} has an invalid UTC offset`);
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  return instant(utc(year, month - 1, day, ((Number(h) * 60 + Number(mi) - offset) * 60 + Number(s)) * 1000 + ms));
}

function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/** `now` followed by steps `+N unit`, `-N unit` or `/unit` (round), applied left to right in UTC. */
function dateMath(text: string, now: number): TimeInterval {
  let rest = text.slice(3);
  let down = now;
  let up = now;
  while (rest.length > 0) {
    const step = DATE_MATH_STEP.exec(rest);
    if (!step) {
      throw timeError(
        `${quote(text)} is not a valid relative time: after "now" write steps like -24h, +1d or /d (units s m h d w M y)`,
      );
    }
    const [whole, sign, digits] = step;
    const unit = step[3]!;
    if (sign === undefined) {
      down = roundTime(down, unit, false);
      up = roundTime(up, unit, true);
    } else {
      const n = (digits ? Number(digits) : 1) * (sign === '-' ? -1 : 1);
      down = addTime(down, n, unit);
      up = addTime(up, n, unit);
    }
    rest = rest.slice(whole.length);
  }
  return { start: down, end: up + 1 };
}

function addTime(ms: number, n: number, unit: string): number {
  const fixed = FIXED_UNIT_MS[unit];
  if (fixed !== undefined) return ms + n * fixed;
  const date = new Date(ms);
  const months = date.getUTCMonth() + (unit === 'y' ? 12 * n : n);
  const year = date.getUTCFullYear() + Math.floor(months / 12);
  const month = ((months % 12) + 12) % 12;
  const day = Math.min(date.getUTCDate(), daysInMonth(year, month));
  const timeOfDay = ms - utc(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), 0);
  return utc(year, month, day, timeOfDay);
}

/** Rounds down to the start of the unit, or up to its last millisecond. Weeks start on Monday (ISO). */
function roundTime(ms: number, unit: string, up: boolean): number {
  const date = new Date(ms);
  const [y, mo, d] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
  let start: number;
  let next: number;
  switch (unit) {
    case 'y':
      [start, next] = [utc(y, 0, 1, 0), utc(y + 1, 0, 1, 0)];
      break;
    case 'M':
      [start, next] = [utc(y, mo, 1, 0), utc(y, mo + 1, 1, 0)];
      break;
    case 'w': {
      start = utc(y, mo, d, 0) - ((date.getUTCDay() + 6) % 7) * DAY_MS;
      next = start + 7 * DAY_MS;
      break;
    }
    default: {
      const size = FIXED_UNIT_MS[unit]!;
      start = Math.floor(ms / size) * size;
      next = start + size;
    }
  }
  return up ? next - 1 : start;
}

/** Epoch ms of a UTC calendar date plus `extraMs`; unlike Date.UTC, years 0–99 are not shifted to 19xx. */
function utc(year: number, month: number, day: number, extraMs: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  return date.getTime() + extraMs;
}

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month + 1, 0, 0)).getUTCDate();
}

function instant(ms: number): TimeInterval {
  return { start: ms, end: ms + 1 };
}

function inRange(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_EPOCH_MS;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

function timeError(message: string): QueryError {
  return new QueryError(message, { code: 'INVALID_TIME' });
}

// Text in a finding document read as a time the way the embedded store reads it (SQLite's unixepoch(x, 'subsec')),
// so that `service.eventLastSeen >= now-1h` selects the same findings on both backends.

const SPACE = '[ \\t\\n\\v\\f\\r]';
/** HH:MM[:SS[.fraction]] then an optional zone, as SQLite's parseHhMmSs and parseTimezone accept them. */
const TIME = `(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d+))?)?(?:${SPACE}*(?:([Zz])|([+-])(\\d{2}):(\\d{2})))?${SPACE}*`;
const DATE_TIME = new RegExp(`^(-?)(\\d{4})-(\\d{2})-(\\d{2})(?:(?:${SPACE}|T)*$|(?:${SPACE}|T)*${TIME}$)`);
const TIME_ONLY = new RegExp(`^${TIME}$`);
/** A number SQLite's sqlite3AtoF reads whole: a Julian day number. */
const NUMBER = new RegExp(`^${SPACE}*[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?${SPACE}*$`);

/** Milliseconds between the Julian day epoch and the Unix epoch. */
const JULIAN_EPOCH_MS = 210_866_760_000_000;
const DAY_MS = 86_400_000;

/**
 * Epoch milliseconds of an ISO-8601 date or date and time (a missing zone is UTC, a zone must be `Z` or `±HH:MM`),
 * a time of day alone (on 2000-01-01, as SQLite reads it) or a Julian day number; undefined for anything else.
 * `now` is not a time here (SQLite reads it as the current time).
 */
export function documentTime(text: string): number | undefined {
  if (text.length > 64) return undefined;
  const dated = DATE_TIME.exec(text);
  if (dated !== null) {
    const [, minus, y, mo, d, ...time] = dated;
    const month = Number(mo);
    const day = Number(d);
    if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
    return at((minus === '-' ? -1 : 1) * Number(y), month, day, time);
  }
  const timed = TIME_ONLY.exec(text);
  if (timed !== null) return at(2000, 1, 1, timed.slice(1));
  if (NUMBER.test(text)) {
    const days = Number(text.trim());
    return days >= 0 && days < 5_373_484.5 ? julian(Math.trunc(days * DAY_MS + 0.5) - JULIAN_EPOCH_MS) : undefined;
  }
  return undefined;
}

function at(year: number, month: number, day: number, time: ReadonlyArray<string | undefined>): number | undefined {
  const [h = '00', mi = '00', s = '00', fraction, zulu, sign, zh, zm] = time;
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = Number(s);
  if (hours > 24 || minutes > 59 || seconds > 59) return undefined;
  let offset = 0;
  if (sign !== undefined && zulu === undefined) {
    if (Number(zh) > 14 || Number(zm) > 59) return undefined;
    offset = (sign === '-' ? -1 : 1) * (Number(zh) * 60 + Number(zm));
  }
  // SQLite keeps at most .999 of a second and rounds what is left to the millisecond.
  const ms = fraction === undefined ? 0 : Math.min(Number(`0.${fraction}`), 0.999);
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: years 0–99 are years, not 1900–1999. Days past the month's end roll over, as in SQLite.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hours, minutes, 0, 0);
  return julian(date.getTime() + Math.trunc((seconds + ms) * 1000 + 0.5) - offset * 60_000);
}

/** SQLite knows times from Julian day 0 (4714 BC) to the end of year 9999 only. */
function julian(ms: number): number | undefined {
  const jd = ms + JULIAN_EPOCH_MS;
  return jd >= 0 && jd <= 464_269_060_799_999 ? ms : undefined;
}

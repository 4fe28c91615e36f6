// GuardDuty's export layout as keys name it: <prefix>AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<object>.
import type { ArchivePartition } from '../../archive/partition.js';

const LAYOUT = /^AWSLogs\/(\d{12})\/GuardDuty\/([a-z0-9-]{1,32})\/(\d{4})\/(\d{2})\/(\d{2})\/([^/]+)$/;

/** A key's account, region and day; undefined when it is not in the layout under `prefix`. */
export function parseExportKey(prefix: string, key: string): ArchivePartition | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const m = LAYOUT.exec(key.slice(prefix.length));
  if (m === null) return undefined;
  const [, accountId, region, y, mo, d] = m;
  const day = `${y}/${mo}/${d}`;
  // A day that is not on the calendar (2026/02/31) is not one GuardDuty wrote.
  if (new Date(`${y}-${mo}-${d}T00:00:00Z`).toISOString().slice(0, 10).replaceAll('-', '/') !== day) return undefined;
  return { accountId: accountId!, region: region!, day };
}

/** `<prefix>AWSLogs/<account>/GuardDuty/<region>/`: the keys of one account and region. */
export function partitionPrefix(prefix: string, accountId: string, region: string): string {
  return `${prefix}AWSLogs/${accountId}/GuardDuty/${region}/`;
}

/** `YYYY/MM/DD` of `days` days before the day of `ms` (UTC). */
export function dayBefore(ms: number, days: number): string {
  return new Date(ms - days * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '/');
}

/** The day `days` before `day` (`YYYY/MM/DD`). */
export function shiftDay(day: string, days: number): string {
  return dayBefore(Date.parse(`${day.replaceAll('/', '-')}T00:00:00Z`), days);
}

// Where a finding's values lead: the search each value implies, and the finding's page in the GuardDuty console.
import { clause } from './kql.js';
import { searchUrl } from './router.js';
import { DEFAULT_FROM, PRESETS } from './time-range.js';

/** AWS region names (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`); anything else gets no regional host. */
const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/**
 * The finding in the GuardDuty console of its region, as GuardDuty itself links it (Security Hub's SourceUrl).
 * Region and id are attacker-controlled text: the host is fixed unless the region is a well-formed region name,
 * and the id is percent-encoded inside the fragment, so the link never leaves the AWS console.
 */
export function consoleUrl(region: string, id: string): string {
  const fragment = `#/findings?macros=current&fId=${encodeURIComponent(id)}`;
  if (!AWS_REGION.test(region)) return `https://console.aws.amazon.com/guardduty/home${fragment}`;
  // The China and GovCloud partitions have consoles of their own.
  if (region.startsWith('cn-')) return `https://console.amazonaws.cn/guardduty/home?region=${region}${fragment}`;
  if (region.startsWith('us-gov-')) return `https://console.amazonaws-us-gov.com/guardduty/home?region=${region}${fragment}`;
  return `https://${region}.console.aws.amazon.com/guardduty/home?region=${region}${fragment}`;
}

/**
 * The shortest time range of the picker that still holds a finding last updated at `updatedAt`, so a search
 * opened from the finding lists it; the default when the time is unknown.
 */
export function rangeHolding(updatedAt: unknown, now: number): string {
  const t = typeof updatedAt === 'string' ? Date.parse(updatedAt) : Number.NaN;
  if (Number.isNaN(t)) return DEFAULT_FROM;
  const age = now - t;
  const defaultMs = PRESETS.find((p) => p.from === DEFAULT_FROM)!.ms;
  // An hour of slack: the page may stay open a while before the link is followed.
  const preset = PRESETS.find((p) => p.ms >= defaultMs && p.ms >= age + 3_600_000);
  return preset?.from ?? new Date(t - 86_400_000).toISOString();
}

/** The search page for `query` over `from`, leaving the default range out of the address. */
export function searchHref(query: string, from: string): string {
  return searchUrl({ q: query, ...(from !== DEFAULT_FROM && { from }) });
}

/** The query for an affected resource: its type, and its identifier when it has one (the indexed column). */
export function resourceQuery(type: string, id: string): string {
  return id ? `${clause('resourceType', type)} and ${clause('resourceId', id)}` : clause('resourceType', type);
}

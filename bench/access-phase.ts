// Access control at scale: the overview and the search classes for a role allowed a few of the accounts and one
// allowed nearly all, measured back to back with an administrator's, so each restricted figure is a ratio against
// an unrestricted one taken under the same conditions.
import { ApiClient } from './api-client.js';
import { measureOverview, type OverviewResult } from './overview-phase.js';
import { measureSearch, type SearchQuery, type SearchResult } from './search-phase.js';

export interface AccessProfile {
  readonly label: string;
  readonly accounts: number;
  readonly overview: OverviewResult;
  readonly search: SearchResult;
}

export interface AccessResult {
  readonly accounts: number;
  readonly profiles: readonly AccessProfile[];
}

interface Listing {
  readonly accounts: ReadonlyArray<{ readonly accountId: string }>;
  readonly nextCursor: string | null;
}

async function catalogAccounts(admin: ApiClient): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Listing = await admin.get(`/api/v1/catalog/groups/unassigned/accounts?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    ids.push(...page.accounts.map((a) => a.accountId));
    cursor = page.nextCursor;
  } while (cursor);
  return ids.sort();
}

/** A role whose one policy allows every finding action on the accounts the catalog tags `tag=yes`, and a key of it. */
async function restrictedKey(admin: ApiClient, tag: string): Promise<string> {
  const document = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'yagura:*', Resource: 'arn:*:guardduty:*:*:detector/*/finding/*', Condition: { StringEquals: { [`aws:ResourceTag/${tag}`]: 'yes' } } }],
  };
  await admin.postJson('/api/v1/policies', { name: `bench-${tag}`, document });
  await admin.postJson('/api/v1/roles', { name: `bench-${tag}`, policies: [`bench-${tag}`] });
  return (await admin.postJson<{ key: string }>('/api/v1/keys', { name: `bench-${tag}`, role: `bench-${tag}` })).key;
}

/**
 * Tags `narrow` accounts (every tenth) and `wide` ones (all but a few), makes a role for each, and measures the
 * overview and the search rotation as the administrator, then each role, then the administrator again.
 */
export async function measureAccess(
  url: string,
  adminKey: string,
  queries: readonly SearchQuery[],
  limits: { readonly searchRequests: number; readonly searchMaxSeconds: number; readonly overviewRequests: number; readonly overviewMaxSeconds: number },
): Promise<AccessResult> {
  const admin = new ApiClient(url, adminKey);
  const accounts = await catalogAccounts(admin);
  const narrowCount = Math.max(1, Math.round(accounts.length / 10));
  const wideCount = accounts.length - Math.round(accounts.length / 20);
  for (let i = 0; i < accounts.length; i++) {
    const tags: Record<string, string> = {};
    if (i % 10 === 0) tags.narrow = 'yes';
    if (i < wideCount) tags.wide = 'yes';
    await admin.putJson(`/api/v1/catalog/accounts/${accounts[i]}`, { group: 'unassigned', tags });
  }
  const keys = { narrow: await restrictedKey(admin, 'narrow'), wide: await restrictedKey(admin, 'wide') };
  const profile = async (label: string, key: string, count: number): Promise<AccessProfile> => {
    const client = new ApiClient(url, key);
    const search = await measureSearch(client, queries, limits.searchRequests, limits.searchMaxSeconds);
    const overview = await measureOverview(client, limits.overviewRequests, limits.overviewMaxSeconds);
    return { label, accounts: count, overview, search };
  };
  const profiles = [
    await profile('administrator', adminKey, accounts.length),
    await profile(`${narrowCount} accounts`, keys.narrow, accounts.filter((_, i) => i % 10 === 0).length),
    await profile(`${wideCount} accounts`, keys.wide, wideCount),
    await profile('administrator, again', adminKey, accounts.length),
  ];
  return { accounts: accounts.length, profiles };
}

/** The report's table: p50s and their ratio to the administrator's (the two administrator runs averaged). */
export function renderAccess(r: AccessResult): string {
  const admins = r.profiles.filter((p) => p.label.startsWith('administrator'));
  const base = {
    overview: admins.reduce((s, p) => s + p.overview.latency.p50, 0) / admins.length,
    search: admins.reduce((s, p) => s + p.search.overall.p50, 0) / admins.length,
  };
  const rows = r.profiles.map(
    (p) =>
      `| ${p.label} | ${p.accounts} | ${p.overview.latency.p50.toFixed(0)} ms (${(p.overview.latency.p50 / base.overview).toFixed(2)}×) | ${p.overview.total} | ${p.search.overall.p50.toFixed(1)} ms (${(p.search.overall.p50 / base.search).toFixed(2)}×) | ${p.search.overall.p99.toFixed(0)} ms |`,
  );
  return [
    `## Access control (${r.accounts} accounts)`,
    '',
    'Roles allowed the accounts the catalog tags for them (a `aws:ResourceTag` condition compiled into every read). Target: restricted p50 within 1.5× of the administrator\'s, overview ≤ 150 ms p50.',
    '',
    '| Principal | Accounts allowed | Overview p50 (× admin) | Findings in the overview | Search p50 (× admin) | Search p99 |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

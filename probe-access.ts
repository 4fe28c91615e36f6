// Probe (not committed): per-request cost of a wide/narrow account scope vs admin, in-process.
import { harness } from './test/support/harness.js';
import { generateFindingVersions } from './src/demo/generate.js';
import { normalizeFinding } from './src/findings/normalize.js';

const N = Number(process.env.N ?? 60000);
const h = await harness();
const NOW = Date.now();
const accounts = new Map<string, string>();
const acc = (id: string) => { let a = accounts.get(id); if (!a) accounts.set(id, (a = String(100000000000 + (accounts.size % 2000)))); return a; };
const docs = [...generateFindingVersions({ seed: 3, findings: N, accounts: 40, types: 60, days: 30, updatedShare: 0.2, now: NOW })];
const fs = docs.map((d) => { const r = normalizeFinding({ ...d, accountId: acc(String(d['id'])) }); if (!r.ok) throw new Error(); return r.finding; });
for (let i = 0; i < fs.length; i += 5000) await h.embedded.store.upsert(fs.slice(i, i + 5000), NOW);
await (h.embedded.store as any).facetsLoaded;
const call = async (method: string, url: string, headers: Record<string, string>, payload?: unknown) => {
  const r = await h.app.inject({ method: method as 'GET', url, headers: { ...headers, 'content-type': 'application/json' }, ...(payload !== undefined && { payload: JSON.stringify(payload) }) });
  if (r.statusCode >= 300) throw new Error(`${url} ${r.statusCode} ${r.body.slice(0, 200)}`);
  return r.body ? JSON.parse(r.body) : {};
};
const all = [...new Set(accounts.values())].sort();
for (let i = 0; i < all.length; i++) {
  const tags: Record<string, string> = {};
  if (i % 10 === 0) tags.narrow = 'yes';
  if (i < all.length - 100) tags.wide = 'yes';
  await call('PUT', `/api/v1/catalog/accounts/${all[i]}`, h.auth, { group: 'unassigned', tags });
}
const key = async (tag: string) => {
  await call('POST', '/api/v1/policies', h.auth, { name: tag, document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:*', Resource: 'arn:*:guardduty:*:*:detector/*/finding/*', Condition: { StringEquals: { [`aws:ResourceTag/${tag}`]: 'yes' } } }] } });
  await call('POST', '/api/v1/roles', h.auth, { name: tag, policies: [tag] });
  return { 'x-api-key': (await call('POST', '/api/v1/keys', h.auth, { name: tag, role: tag })).key as string };
};
const who: Record<string, Record<string, string>> = { admin: h.auth, narrow: await key('narrow'), wide: await key('wide') };
const queries = ['', 'severity >= 7', 'type:UnauthorizedAccess*', 'region:eu-west-1 and band:Critical', 'service.action.networkConnectionAction.remoteIpDetails.country.countryName:"Netherlands"', 'tor'];
const agg = { aggs: { bands: { terms: { field: 'band', size: 4 } }, types: { terms: { field: 'type', size: 10 } }, accounts: { terms: { field: 'accountId', size: 10 } }, hourly: { date_histogram: { field: 'updatedAt', interval: '1h' } }, remoteIps: { terms: { field: 'remoteIp', size: 10 } } }, from: 'now-7d' };
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const session = new Session();
if (process.env.PROF) { session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.start'); }
const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) for (const [name, hd] of Object.entries(who).filter(([n]) => !process.env.ONLY || n === process.env.ONLY)) {
  const line: string[] = [name.padEnd(7)];
  for (const q of queries) {
    const t: number[] = [];
    for (let i = 0; i < 15; i++) { const s = process.cpuUsage(); await call('GET', `/api/v1/findings?size=50&from=now-7d&q=${encodeURIComponent(q)}`, hd); const d = process.cpuUsage(s); t.push((d.user + d.system) / 1000); }
    line.push(`${(q || '*').slice(0, 14)}=${med(t).toFixed(1)}`);
  }
  const t: number[] = [];
  for (let i = 0; i < 15; i++) { const s = process.cpuUsage(); await call('POST', '/api/v1/aggregate', hd, agg); const d = process.cpuUsage(s); t.push((d.user + d.system) / 1000); }
  line.push(`overview=${med(t).toFixed(1)}`);
  console.log(line.join('  '));
}
if (process.env.PROF) { const { profile } = await session.post('Profiler.stop'); writeFileSync(process.env.PROF, JSON.stringify(profile)); }
await h.close();

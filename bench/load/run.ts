// `npm run load`: drives a running server from this separate process — mixed ingest and search with autocannon,
// then a flood from one address at 20× its rate limit while a well-behaved client measures its own latency.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { generateFindingVersions } from '../../src/demo/generate.js';
import { ApiClient } from '../api-client.js';
import { buildProject, startServer } from '../server-process.js';
import { summarize } from '../stats.js';
import { paced } from './paced-client.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const KEY = `load-${Date.now()}-bootstrap-key-0123456789`;
const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
/** A 20× flood fills a 5-minute window's limit after 15 s; run long enough to see it refused for as long again. */
const FLOOD_SECONDS = Number(process.env.LOAD_FLOOD_SECONDS ?? 30);
/** Read requests per address per 5 minutes in the flood test: 10 per second sustained. */
const READ_LIMIT = 3000;
const GOOD_RATE = 5;
const FLOOD_RATE = (READ_LIMIT / 300) * 20;

function fmt(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-load-'));
  const config = path.join(dir, 'yagura.json');
  await writeFile(config, JSON.stringify({ protection: { readRequestsPerWindow: READ_LIMIT, allowCidrs: ['127.0.0.1/32'] } }));
  console.log('building and starting the server …');
  await buildProject(ROOT);
  const server = await startServer(ROOT, path.join(dir, 'data'), KEY, 120_000, ['--config', config]);
  const api = new ApiClient(server.url, KEY);
  try {
    const seed = [...generateFindingVersions({ seed: 7, findings: 20_000, accounts: 200, now: Date.now(), days: 7, updatedShare: 0.3 })];
    for (let i = 0; i < seed.length; i += 2000) {
      await api.postText('/api/v1/events', seed.slice(i, i + 2000).map((d) => JSON.stringify(d)).join('\n'), 'application/x-ndjson');
    }
    console.log(`seeded ${seed.length} finding versions`);

    // 1. Mixed ingest and search, closed loop, from the allow-listed address.
    let n = 0;
    const template = seed[0]!;
    const mixed = await autocannon({
      url: server.url,
      connections: 8,
      duration: SECONDS,
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          path: '/api/v1/events',
          setupRequest: (req) => ({ ...req, body: JSON.stringify({ ...template, id: `load${process.pid}x${n++}`, updatedAt: new Date().toISOString() }) }),
        },
        { method: 'GET', path: `/api/v1/findings?${new URLSearchParams({ q: 'severity >= 7', from: 'now-7d', size: '50' })}` },
      ],
    });
    console.log(`mixed: ${mixed.requests.average.toFixed(0)} req/s, p50 ${mixed.latency.p50} ms, p99 ${mixed.latency.p99} ms, non-2xx ${mixed.non2xx}, errors ${mixed.errors}`);

    // 2. Baseline of a well-behaved client alone, then the same client during a flood from another address.
    const good = { url: server.url, headers: { 'x-api-key': KEY }, localAddress: '127.0.0.3', perSecond: GOOD_RATE, seconds: FLOOD_SECONDS, path: () => `/api/v1/findings?q=${encodeURIComponent('band:High')}&size=20` };
    const baseline = await paced(good);
    const [during, flood] = await Promise.all([
      paced(good),
      paced({ url: server.url, headers: { 'x-api-key': 'ygr_attacker_not_a_valid_key_0000' }, localAddress: '127.0.0.2', perSecond: FLOOD_RATE, seconds: FLOOD_SECONDS, path: () => '/api/v1/findings?q=*' }),
    ]);
    const b = summarize(baseline.latenciesMs);
    const d = summarize(during.latenciesMs);
    const floodCodes = Object.fromEntries(flood.statuses);
    const pass = d.p99 <= 2 * b.p99;
    console.log(`flood: ${FLOOD_RATE}/s from 127.0.0.2 (limit ${READ_LIMIT}/300 s = ${READ_LIMIT / 300}/s): statuses ${JSON.stringify(floodCodes)}, errors ${flood.errors}`);
    console.log(`well-behaved client at ${GOOD_RATE}/s: baseline p50 ${fmt(b.p50)} p99 ${fmt(b.p99)}; during flood p50 ${fmt(d.p50)} p99 ${fmt(d.p99)}; statuses ${JSON.stringify(Object.fromEntries(during.statuses))}`);
    console.log(`flood result: ${pass ? 'PASS' : 'MISS'} (p99 during flood ${pass ? '≤' : '>'} 2 × baseline p99)`);
    console.log('\n| figure | value |\n| --- | --- |');
    console.log(`| mixed ingest+search (8 connections, ${SECONDS} s) | ${mixed.requests.average.toFixed(0)} req/s, p50 ${mixed.latency.p50} ms, p99 ${mixed.latency.p99} ms |`);
    console.log(`| well-behaved client alone (${GOOD_RATE}/s) | p50 ${fmt(b.p50)}, p99 ${fmt(b.p99)} |`);
    console.log(`| same client during a ${FLOOD_RATE}/s flood (20× limit) | p50 ${fmt(d.p50)}, p99 ${fmt(d.p99)} — ${pass ? 'PASS' : 'MISS'} |`);
    console.log(`| flood answers | ${JSON.stringify(floodCodes)} |`);
    if (during.statuses.get(200) !== during.latenciesMs.length) process.exitCode = 1;
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

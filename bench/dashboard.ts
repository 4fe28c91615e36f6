// `npm run bench:dashboard`: the dashboard in headless Chromium — JavaScript sent (gzipped), navigation → overview
// fully drawn, and Enter → search results. BENCH_DASHBOARD_DATA names a data folder (e.g. the 1M-finding
// .bench/data with BENCH_DASHBOARD_KEY its admin key); without it a temporary folder with the demo data is used.
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { launchBrowser, login, OVERVIEW_DRAWN, ROOT, startServer, tempDir } from '../test/e2e/web/browser.js';
import { buildProject } from './server-process.js';
import { summarize, type LatencySummary } from './stats.js';

const RUNS = Number(process.env['BENCH_DASHBOARD_RUNS'] ?? 10);
const QUERIES = ['band >= High', 'type:Recon*', 'severity >= 7 and not archived:true', 'resourceType:Instance and actionType:NETWORK_CONNECTION', 'remoteCountry:*', ''];

/** Bytes of JavaScript in the build, raw and gzipped (what a browser downloads with gzip). */
async function scriptSize(): Promise<{ raw: number; gzip: number }> {
  const dir = path.join(ROOT, 'dist', 'web', 'assets');
  let raw = 0;
  let gzip = 0;
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.js')) continue;
    const bytes = await readFile(path.join(dir, name));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, gzip };
}

async function overviewDrawn(page: Page, base: string): Promise<number> {
  await page.goto('about:blank');
  const started = Date.now();
  await page.goto(`${base}/`);
  await page.locator(OVERVIEW_DRAWN).waitFor({ timeout: 60_000 });
  return Date.now() - started;
}

async function enterToResults(page: Page, query: string): Promise<number> {
  await page.locator('#query').fill(query);
  const started = Date.now();
  await page.keyboard.press('Enter');
  // Ready once the rows answering this query are on screen.
  await page.locator(`[data-testid=results][data-state=ready][data-query="${query.replaceAll('"', '\\"')}"]`).waitFor({ timeout: 60_000 });
  return Date.now() - started;
}

async function main(): Promise<void> {
  await buildProject(ROOT);
  const given = process.env['BENCH_DASHBOARD_DATA'];
  const dir = given ? undefined : await tempDir();
  const data = given ?? path.join(dir!, 'data');
  const key = process.env['BENCH_DASHBOARD_KEY'] ?? (given ? 'bench-bootstrap-key-0123456789abcdef' : undefined);
  const server = await startServer(data, 0, { ...(key && { key }), ...(!given && { args: ['--demo'] }) });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await login(page, server.url, key);
    const count = ((await (await fetch(`${server.url}/api/v1/findings?size=1`, { headers: { 'x-api-key': key ?? 'e2e-web-bootstrap-key-0123456789abcdef' } })).json()) as { total: number; totalRelation: string });
    // The overview is measured as served once the in-memory facets are loaded (SQL answers it until then).
    const apiKey = key ?? 'e2e-web-bootstrap-key-0123456789abcdef';
    for (let waited = 0; !/^yagura_store_facets_ready(\{[^}]*\})? 1$/m.test(await (await fetch(`${server.url}/metrics`, { headers: { 'x-api-key': apiKey } })).text()); waited += 200) {
      if (waited > 300_000) throw new Error('the in-memory facets did not load within 5 minutes');
      await new Promise((r) => setTimeout(r, 200));
    }
    await overviewDrawn(page, server.url); // warm-up: caches and the planner's first look
    const overview: number[] = [];
    for (let i = 0; i < RUNS; i++) overview.push(await overviewDrawn(page, server.url));
    await page.goto(`${server.url}/search`);
    await page.locator('[data-testid=results][data-state=ready]').waitFor({ timeout: 60_000 });
    const search: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const query = QUERIES[i % QUERIES.length]!;
      search.push(await enterToResults(page, query));
      if (process.env["BENCH_DASHBOARD_VERBOSE"]) process.stderr.write(`${query}: ${search.at(-1)} ms\n`);
    }
    const size = await scriptSize();
    const line = (name: string, s: LatencySummary, target: number): string => `| ${name} | ${s.p50} | ${s.p99} | ${s.max} | ${target} |`;
    process.stdout.write(
      [
        `Dashboard in headless Chromium at 1280×800, ${given ? `data folder ${given}` : 'demo data'} (${count.total}${count.totalRelation === 'gte' ? '+' : ''} findings), ${RUNS} runs each.`,
        '',
        '| measure (ms) | p50 | p99 | max | target |',
        '| --- | --- | --- | --- | --- |',
        line('navigation → overview fully drawn', summarize(overview), 1000),
        line('Enter → search results shown', summarize(search), 300),
        '',
        `JavaScript sent: ${(size.raw / 1024).toFixed(1)} KiB, ${(size.gzip / 1024).toFixed(1)} KiB gzipped (target ≤ 400 KB).`,
        '',
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await server.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

await main();

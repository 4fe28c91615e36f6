// The dashboard in real headless Chromium against the real built server: login, overview, search, finding, live.
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Browser, Page, Route } from 'playwright-core';
import { findingDoc } from '../../fixtures/findings.js';
import { apiGet, ingest, launchBrowser, OVERVIEW_DRAWN, login, ROOT, screenshot, startServer, tempDir, watchedPage, type RunningServer, type Watch } from './browser.js';

const TYPES = ['UnauthorizedAccess:EC2/SSHBruteForce', 'Recon:EC2/PortProbeUnprotectedPort', 'CryptoCurrency:EC2/BitcoinTool.B!DNS', 'Discovery:S3/AnomalousBehavior'];
const SEVERITIES = [9.5, 8, 5, 2];

describe('web dashboard', () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let watch: Watch;

  before(async () => {
    dir = await tempDir();
    server = await startServer(path.join(dir, 'data'));
    const now = Date.now();
    const docs = Array.from({ length: 40 }, (_, i) =>
      findingDoc({
        id: `web${String(i).padStart(3, '0')}`,
        accountId: i % 2 ? '111111111111' : '222222222222',
        type: TYPES[i % TYPES.length]!,
        severity: SEVERITIES[i % 3 === 0 ? 0 : i % SEVERITIES.length]!,
        ip: `198.51.100.${i % 7}`,
        createdAt: new Date(now - (i + 1) * 3_600_000).toISOString(),
      }),
    );
    // A finding seen three times: its history has three versions with a changing count.
    const first = new Date(now - 48 * 3_600_000).toISOString();
    for (const [count, hours] of [[1, 47], [4, 30], [9, 5]] as const) {
      docs.push(findingDoc({ id: 'history01', type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 5, createdAt: first, updatedAt: new Date(now - hours * 3_600_000).toISOString(), count }));
    }
    await ingest(server.url, docs);
    browser = await launchBrowser();
    ({ page, watch } = await watchedPage(browser, server.url));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('serves the page under a CSP that forbids inline script and lets hashed assets be cached', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /default-src 'none'/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(html, /<style|style=/, 'no inline style');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset);
    const js = await fetch(`${server.url}${asset}`);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    const api = await fetch(`${server.url}/api/v1/findings`);
    assert.equal(api.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
  });

  test('sends at most 400 KB of JavaScript, gzipped', async () => {
    const dir = path.join(ROOT, 'dist', 'web', 'assets');
    const scripts = (await readdir(dir)).filter((n) => n.endsWith('.js'));
    assert.ok(scripts.length > 0);
    let gzipped = 0;
    for (const name of scripts) gzipped += gzipSync(await readFile(path.join(dir, name)), { level: 9 }).length;
    assert.ok(gzipped <= 400_000, `${gzipped} bytes gzipped`);
  });

  test('logs in with an API key and shows overview counts equal to what the API returns', async () => {
    await login(page, server.url);
    await page.locator(OVERVIEW_DRAWN).waitFor();
    const answer = await apiGet<{ aggregations: { bands: { buckets: Array<{ key: string; doc_count: number }> } } }>(server.url, '/api/v1/aggregate', {
      method: 'POST',
      body: { from: 'now-7d', aggs: { bands: { terms: { field: 'band' } } } },
    });
    assert.ok(answer.aggregations.bands.buckets.length >= 3);
    for (const band of ['Critical', 'High', 'Medium', 'Low']) {
      const expected = answer.aggregations.bands.buckets.find((b) => b.key === band)?.doc_count ?? 0;
      assert.equal(await page.getByTestId(`band-count-${band}`).textContent(), expected.toLocaleString('en-US'), band);
    }
    await screenshot(page, 'overview-light');
  });

  test('turns a clicked band panel into a filter on the search view', async () => {
    await page.getByTestId('band-Critical').click();
    await page.waitForURL(/\/search\?/);
    assert.equal(new URL(page.url()).searchParams.get('q'), 'band:"Critical"');
    await page.locator('[data-testid=results][data-state=ready]').waitFor();
    const expected = await apiGet<{ total: number }>(server.url, `/api/v1/findings?q=${encodeURIComponent('band:"Critical"')}&from=now-7d`);
    assert.match((await page.getByTestId('total').textContent()) ?? '', new RegExp(`^${expected.total} findings`));
    assert.equal(await page.getByTestId('result-row').count(), expected.total);
    await screenshot(page, 'search-critical');
  });

  test('turns a clicked bar of a chart into a filter on the search view', async () => {
    await page.goto(`${server.url}/`);
    await page.locator(OVERVIEW_DRAWN).waitFor();
    const chart = page.getByTestId('chart-types');
    const box = (await chart.boundingBox())!;
    // The first (largest) bar starts where the grid does, at 42% of the width, in the top row.
    const bars = await apiGet<{ aggregations: { t: { buckets: Array<{ key: string }> } } }>(server.url, '/api/v1/aggregate', {
      method: 'POST',
      body: { from: 'now-7d', aggs: { t: { terms: { field: 'type', size: 10 } } } },
    });
    const rows = bars.aggregations.t.buckets.length;
    await chart.click({ position: { x: box.width * 0.42 + 6, y: 4 + (box.height - 8) / rows / 2 } });
    await page.waitForURL(/\/search\?/);
    assert.equal(new URL(page.url()).searchParams.get('q'), `type:"${bars.aggregations.t.buckets[0]!.key}"`);
  });

  test('turns a clicked bar of the histogram into its band over its time', async () => {
    await page.goto(`${server.url}/`);
    await page.locator(OVERVIEW_DRAWN).waitFor();
    const chart = page.getByTestId('timeline');
    const box = (await chart.boundingBox())!;
    // Bars stand on the axis (24 px above the bottom); walk along it from the right until one is hit.
    for (let x = box.width - 18; x > 40 && !page.url().includes('/search'); x -= 3) {
      await chart.click({ position: { x, y: box.height - 24 - 4 } });
    }
    await page.waitForURL(/\/search\?/);
    const params = new URL(page.url()).searchParams;
    assert.match(params.get('q') ?? '', /^band:"(Critical|High|Medium|Low)"$/);
    const from = Date.parse(params.get('from') ?? '');
    const to = Date.parse(params.get('to') ?? '');
    assert.equal(to - from, 3_600_000 - 1, 'one hourly bar of the last 7 days');
    await page.locator('[data-testid=results][data-state=ready]').waitFor();
    assert.ok((await page.getByTestId('result-row').count()) >= 1);
  });

  test('turns a clicked most-affected resource into a filter on its identifier', async () => {
    await page.goto(`${server.url}/`);
    await page.locator(OVERVIEW_DRAWN).waitFor();
    const chart = page.getByTestId('chart-resources');
    const box = (await chart.boundingBox())!;
    // Every fixture finding concerns the same instance: one bar.
    await chart.click({ position: { x: box.width * 0.42 + 6, y: box.height / 2 } });
    await page.waitForURL(/\/search\?/);
    const q = new URL(page.url()).searchParams.get('q')!;
    assert.equal(q, 'resourceType:"Instance" and resourceId:"i-0a1b2c3d4e5f60718"');
    await page.locator('[data-testid=results][data-state=ready]').waitFor();
    const expected = await apiGet<{ total: number }>(server.url, `/api/v1/findings?q=${encodeURIComponent(q)}&from=now-7d`);
    assert.ok(expected.total > 40);
    assert.match((await page.getByTestId('total').textContent()) ?? '', new RegExp(`^${expected.total} findings`));
  });

  test('shows a query syntax error inline at its position', async () => {
    await page.goto(`${server.url}/search`);
    await page.locator('[data-testid=results][data-state=ready]').waitFor();
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('/');
    assert.equal(await page.evaluate('document.activeElement?.id'), 'query', '"/" focuses the query bar');
    await page.locator('#query').fill('severity >= 7 and (type:Recon*');
    await page.keyboard.press('Enter');
    const error = page.getByTestId('query-error');
    await error.waitFor();
    const expected = await fetch(`${server.url}/api/v1/findings?q=${encodeURIComponent('severity >= 7 and (type:Recon*')}`, { headers: { 'x-api-key': 'e2e-web-bootstrap-key-0123456789abcdef' } });
    const position = ((await expected.json()) as { error: { position: number } }).error.position;
    assert.equal(await error.getAttribute('data-position'), String(position));
    assert.match((await error.textContent()) ?? '', new RegExp(`Position ${position}:`));
    assert.equal(await page.locator('#query').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'search-error');
  });

  test('keeps the search state in the URL so a link reproduces the view', async () => {
    const url = `${server.url}/search?q=${encodeURIComponent('accountId:"111111111111"')}&from=now-30d&sort=severity%3Aasc&cols=type%2Cband%2CaccountId`;
    await page.goto(url);
    await page.locator('[data-testid=results][data-state=ready]').waitFor();
    assert.equal(await page.locator('#query').inputValue(), 'accountId:"111111111111"');
    assert.equal(await page.locator('#range-select').inputValue(), 'now-30d');
    assert.deepEqual(await page.locator('.results-table th').allTextContents(), ['Severity ▲', 'Type', 'Account']);
    const severities = await page.locator('[data-testid=result-row] td:nth-child(2)').allTextContents();
    const numbers = severities.map((s) => Number(s.split(' ')[1]));
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
  });

  test('changes time range, columns and sort from the controls, and the URL follows', async () => {
    await page.goto(`${server.url}/search`);
    await page.locator('[data-testid=results][data-state=ready]').waitFor();
    await page.locator('#range-select').selectOption('now-24h');
    await page.waitForURL(/from=now-24h/);
    await page.locator('#range-select').selectOption('absolute');
    const from = new Date(Date.now() - 10 * 3_600_000);
    const local = (d: Date): string => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.getByLabel('From').fill(local(from));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((u) => u.searchParams.get('from')?.startsWith(from.toISOString().slice(0, 16)) ?? false);
    const inRange = await apiGet<{ total: number }>(server.url, `/api/v1/findings?from=${encodeURIComponent(new URL(page.url()).searchParams.get('from')!)}`);
    // Right after the URL changes the previous range's answer is still shown as ready: wait for the new one.
    await page.locator('[data-testid=results][data-state=ready]').getByTestId('total').filter({ hasText: new RegExp(`^${inRange.total} findings`) }).waitFor();
    await page.getByText('Columns', { exact: true }).click();
    await page.getByRole('checkbox', { name: 'Title' }).check();
    await page.waitForURL(/cols=/);
    assert.ok((await page.locator('.results-table th').allTextContents()).includes('Title'));
    await page.getByRole('button', { name: 'Count', exact: true }).click();
    await page.waitForURL(/sort=count%3Adesc/);
    await page.locator('[data-testid=results][data-state=ready]').waitFor();
    assert.equal(await page.locator('th[aria-sort=descending]').textContent(), 'Count ▼');
  });

  test('opens a finding and shows its version history with what changed', async () => {
    await page.goto(`${server.url}/search?q=${encodeURIComponent('id:history01')}`);
    await page.locator('[data-testid=result-row] a').first().click();
    await page.getByTestId('history').waitFor();
    assert.equal(await page.getByTestId('version').count(), 3);
    const changes = await page.getByTestId('change').allTextContents();
    assert.ok(changes.some((c) => c.startsWith('service.count: 1 → 4')), changes.join('\n'));
    assert.ok(changes.some((c) => c.startsWith('service.count: 4 → 9')));
    assert.match((await page.getByTestId('raw-json').textContent()) ?? '', /"id": "history01"/);
    await page.getByTestId('archive-toggle').click();
    await page.getByRole('button', { name: 'Unarchive' }).waitFor();
    const stored = await apiGet<{ yagura: { archived: boolean } }>(server.url, '/api/v1/findings/111122223333/us-east-1/history01');
    assert.equal(stored.yagura.archived, true);
    await screenshot(page, 'finding');
    await page.getByTestId('archive-toggle').click();
    await page.getByRole('button', { name: 'Archive', exact: true }).waitFor();
  });

  test('links each summary value to the search it implies, quoted exactly, and the finding to the GuardDuty console', async () => {
    // Quotes, a backslash, a star and spaces: the link must match exactly this organisation, not the decoy.
    const org = 'Evil "Corp" \\ * Ltd';
    const withOrg = (id: string, asnOrg: string): Record<string, unknown> => {
      const doc = findingDoc({ id, accountId: '333344445555', updatedAt: new Date().toISOString(), createdAt: new Date().toISOString() });
      const action = (doc['service'] as { action: { networkConnectionAction: { remoteIpDetails: Record<string, unknown> } } }).action;
      action.networkConnectionAction.remoteIpDetails['organization'] = { asn: '64500', asnOrg };
      return doc;
    };
    assert.deepEqual(await ingest(server.url, [withOrg('links01', org), withOrg('links02', 'Evil "Corp" \\ Other Ltd')]), { accepted: 2, duplicates: 0, created: 2, updated: 0, ignored: 0, rejected: [] });
    await page.goto(`${server.url}/findings/333344445555/us-east-1/links01`);
    assert.equal(await page.locator('dd[data-field=Account] a').getAttribute('href'), '/search?q=accountId%3A%22333344445555%22');
    assert.equal(await page.locator('dd[data-field=Region] a').getAttribute('href'), '/search?q=region%3A%22us-east-1%22');
    assert.equal(await page.locator('dd[data-field="Remote IP"] a').getAttribute('href'), '/search?q=remoteIp%3A%22198.51.100.7%22');
    assert.equal(new URL(`${server.url}${await page.locator('dd[data-field=Resource] a').getAttribute('href')}`).searchParams.get('q'), 'resourceType:"Instance" and resourceId:"i-0a1b2c3d4e5f60718"');
    assert.equal(new URL(`${server.url}${await page.locator('dd[data-field=Type] a').getAttribute('href')}`).searchParams.get('q'), 'type:"UnauthorizedAccess:EC2/TorClient"');

    const consoleLink = page.getByTestId('console-link');
    assert.equal(await consoleLink.getAttribute('href'), 'https://us-east-1.console.aws.amazon.com/guardduty/home?region=us-east-1#/findings?macros=current&fId=links01');
    assert.equal(await consoleLink.getAttribute('target'), '_blank');
    assert.equal(await consoleLink.getAttribute('rel'), 'noopener noreferrer');

    await page.locator('dd[data-field=Organisation] a').click();
    await page.waitForURL(/\/search\?/);
    assert.equal(new URL(page.url()).searchParams.get('q'), 'remoteOrg:"Evil \\"Corp\\" \\\\ * Ltd"');
    await page.locator('[data-testid=results][data-state=ready]').waitFor();
    assert.deepEqual(await page.getByTestId('result-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key'))), ['333344445555/us-east-1/links01']);

    // Region and id are attacker-controlled: whatever the server answers, the link stays on the AWS console.
    for (const [region, id] of [['javascript:alert(1)//', 'links01'], ['evil.example#', 'x'], ['us-east-1', 'x#@evil.example/?a=b'], ['us-east-1.evil.example', '"><b>']]) {
      const rewrite = async (route: Route): Promise<void> => {
        const answer = await route.fetch();
        const body = (await answer.json()) as { yagura: Record<string, unknown>; finding: Record<string, unknown> };
        body.yagura['region'] = body.finding['region'] = region;
        body.yagura['id'] = body.finding['id'] = id;
        await route.fulfill({ response: answer, json: body });
      };
      await page.route('**/api/v1/findings/333344445555/us-east-1/links01', rewrite);
      await page.goto(`${server.url}/findings/333344445555/us-east-1/links01`);
      const href = (await consoleLink.getAttribute('href'))!;
      const url = new URL(href);
      assert.equal(url.protocol, 'https:', href);
      assert.match(url.host, /^([a-z0-9-]+\.)?console\.aws\.amazon\.com$/, href);
      assert.equal(url.hash, `#/findings?macros=current&fId=${encodeURIComponent(id!)}`, href);
      await page.unroute('**/api/v1/findings/333344445555/us-east-1/links01', rewrite);
    }
  });

  test('keeps every header control on a phone screen (390 px), the theme button clickable', async () => {
    const { page: phone } = await watchedPage(browser, server.url, { width: 390, height: 844 });
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto(`${server.url}/`);
    await phone.locator(OVERVIEW_DRAWN).waitFor();
    const header = phone.getByRole('banner');
    for (const control of await header.locator('a, button').all()) {
      const box = (await control.boundingBox())!;
      const name = (await control.textContent()) ?? '';
      assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 390 && box.y + box.height <= 844, `${name} at ${JSON.stringify(box)}`);
    }
    const theme = header.getByRole('button', { name: /^Switch to (dark|light) theme$/ });
    const before = await phone.evaluate('document.documentElement.dataset.theme');
    // Clickable: the element at the button's centre is the button itself, nothing covers it.
    const box = (await theme.boundingBox())!;
    const hit = String(await phone.evaluate(`document.elementFromPoint(${box.x + box.width / 2}, ${box.y + box.height / 2})?.getAttribute('aria-label') ?? ''`));
    assert.match(hit, /^Switch to (dark|light) theme$/);
    await phone.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await phone.locator(`html[data-theme=${before === 'dark' ? 'light' : 'dark'}]`).waitFor({ state: 'attached' });
    await screenshot(phone, 'phone-overview');
    assert.equal(await header.evaluate((h) => h.scrollWidth <= h.clientWidth && h.getBoundingClientRect().right <= 390), true, 'the header fits the screen');
    await phone.context().close();
  });

  test('shows a newly posted finding live, highlighted, within 2 seconds, in search and in the overview', async () => {
    const { page: overview } = await watchedPage(browser, server.url);
    await overview.context().addCookies(await page.context().cookies());
    await overview.goto(`${server.url}/`);
    await overview.locator('[data-testid=live-status]', { hasText: 'Live' }).waitFor();
    await overview.locator(OVERVIEW_DRAWN).waitFor();
    const highBefore = Number(await overview.getByTestId('band-count-High').textContent());
    await page.goto(`${server.url}/search`);
    await page.locator('[data-testid=results][data-state=ready]').waitFor();
    await page.locator('[data-testid=live-status]', { hasText: 'Live' }).waitFor();
    const posted = Date.now();
    await ingest(server.url, [findingDoc({ id: 'live0001', type: 'Backdoor:EC2/C&CActivity.B', updatedAt: new Date().toISOString(), createdAt: new Date().toISOString() })]);
    const row = page.locator('[data-testid=result-row].highlight[data-key$="live0001"]');
    await row.waitFor({ timeout: 2000 });
    await overview.locator('[data-testid=fresh-finding]', { hasText: 'Backdoor:EC2/C&CActivity.B' }).waitFor({ timeout: 2000 });
    assert.ok(Date.now() - posted < 2000);
    // The counts follow shortly after (the panels refresh at most once a second).
    await overview.getByTestId('band-count-High').filter({ hasText: String(highBefore + 1) }).waitFor({ timeout: 5000 });
    await screenshot(page, 'search-live');
    await overview.close();
  });

  test('pauses the live feed on request', async () => {
    const created = { accepted: 1, duplicates: 0, created: 1, updated: 0, ignored: 0, rejected: [] };
    await page.getByTestId('pause').click();
    await page.locator('[data-testid=live-status]', { hasText: 'Paused' }).waitFor();
    assert.deepEqual(await ingest(server.url, [findingDoc({ id: 'paused01', updatedAt: new Date().toISOString(), createdAt: new Date().toISOString() })]), created);
    const stored = await apiGet<{ total: number }>(server.url, '/api/v1/findings?q=id:paused01');
    assert.equal(stored.total, 1, 'the server has the finding');
    await page.getByTestId('pause').click();
    await page.locator('[data-testid=live-status]', { hasText: 'Live' }).waitFor();
    // A finding posted after resuming reaches the page live; had the stream stayed open while paused, the paused
    // finding's event would have come before it on the same stream.
    assert.deepEqual(await ingest(server.url, [findingDoc({ id: 'resumed01', updatedAt: new Date().toISOString(), createdAt: new Date().toISOString() })]), created);
    await page.locator('[data-testid=result-row].highlight[data-key$="resumed01"]').waitFor({ timeout: 5000 });
    assert.equal(await page.locator('[data-key$="paused01"]').count(), 0, 'nothing arrived while paused');
  });

  test('reconnects the live feed after the server restarts', async () => {
    await page.goto(`${server.url}/search`);
    await page.locator('[data-testid=live-status]', { hasText: 'Live' }).waitFor();
    const port = server.port;
    await server.stop();
    await page.locator('[data-testid=live-status]', { hasText: 'Reconnecting' }).waitFor();
    server = await startServer(path.join(dir, 'data'), port);
    await page.locator('[data-testid=live-status]', { hasText: 'Live' }).waitFor({ timeout: 15_000 });
    await ingest(server.url, [findingDoc({ id: 'afterrestart', updatedAt: new Date().toISOString(), createdAt: new Date().toISOString() })]);
    await page.locator('[data-testid=result-row][data-key$="afterrestart"]').waitFor({ timeout: 2000 });
  });

  test('switches to the dark theme and stays usable on a laptop screen', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    // The theme is applied after the button's render: wait for it rather than read it at once.
    await page.locator('html[data-theme=dark]').waitFor({ state: 'attached' });
    await page.locator(OVERVIEW_DRAWN).waitFor();
    await screenshot(page, 'overview-dark');
    const overflow = await page.evaluate('document.documentElement.scrollWidth > window.innerWidth');
    assert.equal(overflow, false, 'no horizontal scrolling');
  });

  test('shows the login form again when the session has ended elsewhere', async () => {
    const session = (await page.context().cookies()).find((c) => c.name === 'yagura_session')!;
    const ended = await fetch(`${server.url}/api/v1/sessions/current`, { method: 'DELETE', headers: { cookie: `yagura_session=${session.value}`, 'x-yagura-request': '1' } });
    assert.equal(ended.status, 204);
    await page.goto(`${server.url}/search`);
    await page.getByLabel('API key').waitFor();
    await login(page, server.url);
  });

  test('logs out: the session cookie no longer works', async () => {
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'yagura_session');
    assert.ok(session?.httpOnly);
    assert.equal(session.sameSite, 'Strict');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('API key').waitFor();
    const res = await fetch(`${server.url}/api/v1/findings`, { headers: { cookie: `yagura_session=${session.value}` } });
    assert.equal(res.status, 401);
  });

  test('reported no CSP violation, script error, dialog or foreign request', () => {
    assert.deepEqual(watch.violations, []);
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(watch.dialogs, []);
    assert.deepEqual(watch.foreignRequests, []);
  });
});

// Tables stay inside their cards and the page never scrolls sideways, on a wide laptop (1440 px) and a phone
// (390 px); a relative time range from the URL shows as its preset.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { findingDoc } from '../../fixtures/findings.js';
import { ingest, launchBrowser, OVERVIEW_DRAWN, login, screenshot, startServer, tempDir, watchedPage, type RunningServer } from './browser.js';
import { layoutProblems } from './layout-check.js';

const LONG_TYPE = 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS';
const ALL_COLUMNS = 'updatedAt,band,type,title,accountId,region,resourceType,resource,actionType,remoteIp,count,firstSeen,archived';
/** The default columns and the title: what fits a laptop screen without scrolling. */
const WIDE_COLUMNS = 'updatedAt,band,type,title,accountId,region,resourceType,remoteIp,count';

describe('web dashboard layout', () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    dir = await tempDir();
    server = await startServer(path.join(dir, 'data'));
    const now = Date.now();
    await ingest(server.url, Array.from({ length: 12 }, (_, i) => findingDoc({
      id: `lay${i}`,
      type: i % 2 ? LONG_TYPE : 'CryptoCurrency:EC2/BitcoinTool.B!DNS',
      accountId: String(111111111111 * (1 + (i % 3))),
      createdAt: new Date(now - (i + 1) * 86_400_000).toISOString(),
      extra: { title: `A long title without many breaks: ${'x'.repeat(120)}` },
    })));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const width of [1440, 390]) {
    test(`at ${width} px no table is wider than its card and the page does not scroll sideways`, async () => {
      const { page } = await watchedPage(browser, server.url, { width, height: 900 });
      await login(page, server.url);
      await page.locator(OVERVIEW_DRAWN).waitFor();
      const overview = await layoutProblems(page);
      await screenshot(page, `layout-overview-${width}`);
      assert.deepEqual(overview.overflows, [], 'overview tables inside their cards');
      assert.ok(overview.pageWidth <= overview.windowWidth, `overview ${overview.pageWidth} px wide in a ${overview.windowWidth} px window`);
      const longest = page.locator('[data-testid=panel-open-longest] td[title]').first();
      assert.match((await longest.getAttribute('title')) ?? '', /^(UnauthorizedAccess|CryptoCurrency)/, 'a cut cell keeps its whole text in its title');

      for (const cols of [WIDE_COLUMNS, ALL_COLUMNS]) {
        await page.goto(`${server.url}/search?from=now-30d&cols=${cols}`);
        await page.locator('[data-testid=results][data-state=ready]').waitFor();
        const search = await layoutProblems(page);
        await screenshot(page, `layout-search-${width}-${cols === ALL_COLUMNS ? 'all' : 'wide'}`);
        assert.deepEqual(search.overflows, [], 'the results table inside its card (or scrolling in it)');
        assert.ok(search.pageWidth <= search.windowWidth, `search ${search.pageWidth} px wide in a ${search.windowWidth} px window`);
        // No column is squeezed to nothing.
        const widths = await page.locator('.results-table tbody tr').first().locator('td').evaluateAll((tds) => tds.map((td) => td.getBoundingClientRect().width));
        assert.ok(widths.every((w) => w >= 40), `column widths ${widths.join(', ')}`);
      }
      if (width === 1440) {
        // With the default columns and the title, the last column is on screen, not behind the card's edge.
        await page.goto(`${server.url}/search?from=now-30d&cols=${WIDE_COLUMNS}`);
        await page.locator('[data-testid=results][data-state=ready]').waitFor();
        const last = await page.locator('.results-table th').last().boundingBox();
        const card = await page.locator('[data-testid=results]').boundingBox();
        assert.ok(last && card && last.x + last.width <= card.x + card.width + 1, 'the last column is inside the card');
      }
      for (const view of ['users', 'roles', 'keys', 'policies', 'catalog', 'simulator', 'audit']) {
        await page.goto(`${server.url}/access/${view}`);
        await page.getByTestId(`access-${view}`).waitFor();
        await page.waitForLoadState('networkidle');
        const access = await layoutProblems(page);
        if (view === 'keys' || view === 'audit') await screenshot(page, `layout-access-${view}-${width}`);
        assert.deepEqual(access.overflows, [], `${view}: tables inside their cards`);
        assert.ok(access.pageWidth <= access.windowWidth, `${view}: ${access.pageWidth} px wide in a ${access.windowWidth} px window`);
      }
      await page.context().close();
    });
  }

  test('a search opened with from=now-1d shows "Last 24 hours"; another relative range shows as itself', async () => {
    const { page } = await watchedPage(browser, server.url);
    await login(page, server.url);
    await page.goto(`${server.url}/search?from=now-1d`);
    const select = page.locator('#range-select');
    await page.locator('[data-testid=results][data-state=ready]').waitFor();
    assert.equal(await select.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent), 'Last 24 hours');
    assert.equal(await page.locator('.time-picker .absolute').count(), 0, 'no empty absolute-date fields');
    await page.goto(`${server.url}/search?from=now-2d`);
    await page.locator('[data-testid=results][data-state=ready]').waitFor();
    assert.equal(await select.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent), 'Last 2 days');
    await page.goto(`${server.url}/?from=now-168h`);
    await page.locator(OVERVIEW_DRAWN).waitFor();
    assert.equal(await select.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent), 'Last 7 days');
    await page.context().close();
  });
});

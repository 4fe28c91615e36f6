// The alerting page in real headless Chromium against the built server and real loopback webhook receivers:
// destinations, rules (with a bad filter's error), deliveries reaching the receiver, dry runs, dead letters, retries.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page, Request, Route } from 'playwright-core';
import { findingDoc } from '../../fixtures/findings.js';
import { httpReceiver, type HttpReceiver } from '../../support/receivers.js';
import { apiGet, ingest, launchBrowser, login, screenshot, startServer, tempDir, watchedPage, type RunningServer, type Watch } from './browser.js';

const PAYLOAD = '<img src=x onerror=alert(1)>';
const SECRET = 'web-test-signing-secret-0123456789';

interface Listed<T> { readonly [key: string]: T[] }
interface RuleJson { readonly id: string; readonly name: string; readonly enabled: boolean; readonly routes: Array<{ destination: string }> }

describe('web dashboard: alerting page', () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let watch: Watch;
  let receiver: HttpReceiver;
  let flaky: HttpReceiver;

  const openTab = async (name: string): Promise<void> => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('tab', { name }).click();
    await page.locator('[data-testid=alerts][data-state=loaded]').waitFor();
  };
  /** The delivery log once it shows the answer for exactly these filters (`status=dead`, `destination=ID`, or ''). */
  const deliveriesFor = (filter: string) => page.locator(`[data-testid=deliveries-table][data-state=loaded][data-filter="${filter}"]`);
  /**
   * Holds the delivery-log requests `which` selects until `release` is called; `held` resolves with the first
   * one held (by then the view has rendered the filters that request is for).
   */
  const holdDeliveries = async (which: (url: URL) => boolean): Promise<{ held: Promise<Request>; release: () => Promise<void> }> => {
    let gotOne!: (r: Request) => void;
    const held = new Promise<Request>((resolve) => (gotOne = resolve));
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const passed: Array<Promise<void>> = [];
    const handler = async (route: Route): Promise<void> => {
      if (route.request().method() === 'GET' && which(new URL(route.request().url()))) {
        gotOne(route.request());
        const done = opened.then(() => route.continue());
        passed.push(done);
        await done;
      } else {
        await route.fallback();
      }
    };
    await page.route('**/api/v1/deliveries?*', handler);
    return {
      held,
      release: async () => {
        open();
        await Promise.all(passed);
        await page.unroute('**/api/v1/deliveries?*', handler);
      },
    };
  };
  const createWebhook = async (name: string, url: string, secret = SECRET): Promise<void> => {
    await page.getByRole('button', { name: 'New destination' }).click();
    const form = page.getByTestId('destination-form');
    await form.getByLabel('Type').selectOption('webhook');
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('URL').fill(url);
    await form.getByLabel(/Signing secret/).fill(secret);
    await form.getByRole('button', { name: 'Create destination' }).click();
  };

  before(async () => {
    dir = await tempDir();
    receiver = await httpReceiver();
    flaky = await httpReceiver();
    flaky.answer = 'down';
    // Receivers on loopback must be allowed; two quick attempts make a dead letter within a second.
    const config = path.join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ alerts: { allowPrivateNetworks: true, maxAttempts: 2, retryBaseMilliseconds: 50, retryMaxMilliseconds: 100, sendTimeoutSeconds: 2 } }));
    server = await startServer(path.join(dir, 'data'), 0, { args: ['--config', config] });
    browser = await launchBrowser();
    ({ page, watch } = await watchedPage(browser, server.url));
    await login(page, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await receiver?.close();
    await flaky?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('refuses a webhook secret that is too short, with the API message in the form', async () => {
    await openTab('Destinations');
    await createWebhook('Too short', `${receiver.url}/hook`, 'short');
    const error = page.getByTestId('destination-form-error');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /at least 16 characters/);
    await page.getByTestId('destination-form').getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await page.getByTestId('destination-row').count(), 0);
  });

  test('creates a webhook destination, lists its target redacted, and a test message reaches the receiver', async () => {
    await createWebhook('Loopback receiver', `${receiver.url}/hook/secret-path`);
    const row = page.getByTestId('destination-row').filter({ hasText: 'Loopback receiver' });
    await row.waitFor();
    const target = (await row.locator('td').nth(2).textContent()) ?? '';
    assert.equal(target, `${receiver.url}/…/****`);
    assert.doesNotMatch(await page.content(), /secret-path|web-test-signing-secret/);
    await page.getByRole('button', { name: 'Send test message to Loopback receiver' }).click();
    await row.locator('[data-testid=test-outcome][data-ok=true]').waitFor();
    assert.match((await row.getByTestId('test-outcome').textContent()) ?? '', /^Delivered in \d+ ms$/);
    const [got] = await receiver.waitFor(1);
    assert.equal(got!.path, '/hook/secret-path');
    assert.match(String(got!.headers['x-yagura-signature']), /^v1=[0-9a-f]{64}$/);
    await screenshot(page, 'alerts-destinations');
  });

  test('shows a bad KQL filter\'s error at its position, then creates the rule', async () => {
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByTestId('rule-form');
    await form.getByLabel('Name').fill('Tor clients, High and worse');
    const filter = form.getByLabel(/^Filter/);
    await filter.fill('type:UnauthorizedAccess* and (');
    await form.getByLabel('Minimum band').selectOption('High');
    await form.getByLabel('Group by').selectOption('finding');
    await form.getByLabel('Loopback receiver').check();
    await form.getByRole('button', { name: 'Create rule' }).click();
    const error = page.getByTestId('rule-query-error');
    await error.waitFor();
    const expected = await apiGet<{ error: { code: string; position: number } }>(server.url, '/api/v1/alert-rules', { method: 'POST', body: { name: 'x', query: 'type:UnauthorizedAccess* and (', trigger: { kind: 'new' }, routes: [{ destination: 'none' }] } });
    assert.equal(expected.error.code, 'INVALID_QUERY');
    assert.equal(await error.getAttribute('data-position'), String(expected.error.position));
    assert.match((await error.textContent()) ?? '', new RegExp(`Position ${expected.error.position}:`));
    assert.equal(await filter.getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'alerts-rule-query-error');
    await filter.fill('type:UnauthorizedAccess*');
    await form.getByRole('button', { name: 'Create rule' }).click();
    const row = page.getByTestId('rule-row').filter({ hasText: 'Tor clients, High and worse' });
    await row.waitFor();
    assert.equal(await page.getByTestId('rule-form').count(), 0);
    const cells = await row.locator('td').allTextContents();
    assert.deepEqual(cells.slice(0, 6), ['Tor clients, High and worse', 'type:UnauthorizedAccess*', 'High', 'new', 'finding', 'Loopback receiver']);
  });

  test('alerts on a matching finding: the receiver gets it and the delivery log shows it sent, linked to the finding', async () => {
    const sentBefore = receiver.received.length;
    await ingest(server.url, [findingDoc({ id: 'alertweb01', severity: 8, updatedAt: new Date().toISOString(), createdAt: new Date().toISOString() })]);
    const got = await receiver.waitFor(sentBefore + 1, 10_000);
    const body = JSON.parse(got[sentBefore]!.body) as { kind: string; findings: Array<{ id: string }> };
    assert.deepEqual([body.kind, body.findings[0]?.id], ['new', 'alertweb01']);
    await page.getByRole('tab', { name: 'Delivery log' }).click();
    const row = page.locator('[data-testid=delivery-row][data-status=sent]');
    await row.first().waitFor({ timeout: 10_000 });
    const cells = await row.first().locator('td').allTextContents();
    assert.equal(cells[1], 'Tor clients, High and worse');
    assert.equal(cells[3], 'Loopback receiver');
    assert.equal(cells[4], '1');
    assert.equal(cells[5], 'sent');
    assert.match(cells[6] ?? '', /^\d+ ms$/);
    const link = row.first().getByRole('link');
    assert.equal(await link.getAttribute('href'), '/findings/111122223333/us-east-1/alertweb01');
    await screenshot(page, 'alerts-delivery-log');
    await link.click();
    await page.waitForURL(/\/findings\/111122223333\/us-east-1\/alertweb01$/);
    await page.getByTestId('archive-toggle').waitFor();
    // Alert messages link to `${publicUrl}/#/findings/…`: that address opens the same view.
    await page.goto(`${server.url}/#/findings/111122223333/us-east-1/alertweb01`);
    await page.waitForURL(/\/findings\/111122223333\/us-east-1\/alertweb01$/);
    await page.getByTestId('archive-toggle').waitFor();
  });

  test('a dry run over the last hour lists the finding the rule would have alerted on', async () => {
    await openTab('Rules');
    await page.getByRole('button', { name: 'Dry run Tor clients, High and worse' }).click();
    const panel = page.getByTestId('dry-run');
    await panel.getByLabel('Over').selectOption('now-1h');
    await panel.getByRole('button', { name: 'Run' }).click();
    await page.locator('[data-testid=dry-run][data-state=done]').waitFor();
    const alerts = panel.getByTestId('dry-run-alert');
    assert.equal(await alerts.count(), 1);
    assert.equal(await alerts.first().getByRole('link').getAttribute('href'), '/findings/111122223333/us-east-1/alertweb01');
    assert.match((await panel.getByTestId('dry-run-summary').textContent()) ?? '', /^1 finding\(s\) matched; 1 alert\(s\)/);
  });

  test('a receiver that is down ends as a dead letter, offered for retry, and a retry delivers it once the receiver is back', async () => {
    await openTab('Destinations');
    await createWebhook('Flaky receiver', `${flaky.url}/hook`);
    await page.getByTestId('destination-row').filter({ hasText: 'Flaky receiver' }).waitFor();
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'Edit Tor clients, High and worse' }).click();
    await page.getByTestId('rule-form').getByLabel('Flaky receiver').check();
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.getByTestId('rule-row').filter({ hasText: 'Loopback receiver, Flaky receiver' }).waitFor();

    await ingest(server.url, [findingDoc({ id: 'alertweb02', severity: 8.5, updatedAt: new Date().toISOString(), createdAt: new Date().toISOString() })]);
    await page.getByRole('tab', { name: 'Delivery log' }).click();
    await page.getByLabel('Status').selectOption('dead');
    // Rows appear only once they answer the dead-letter filter; the dead letter itself may take a refresh or two.
    await deliveriesFor('status=dead').waitFor();
    const dead = page.locator('[data-testid=delivery-row][data-status=dead]');
    await dead.first().waitFor({ timeout: 15_000 });
    assert.equal(await deliveriesFor('status=dead').count(), 1, 'the rows still answer the dead-letter filter');
    assert.equal(await page.locator('[data-testid=delivery-row]:not([data-status=dead])').count(), 0, 'only dead letters listed');
    const cells = await dead.first().locator('td').allTextContents();
    assert.equal(cells[3], 'Flaky receiver');
    assert.equal(cells[4], '2');
    assert.equal(cells[5], 'dead letter');
    assert.notEqual(cells[7], '', 'the last error is shown');
    await screenshot(page, 'alerts-dead-letter');

    flaky.answer = 200;
    await dead.first().getByRole('button', { name: /^Retry delivery/ }).click();
    await page.getByLabel('Status').selectOption('sent');
    await page.locator('[data-testid=delivery-row][data-status=sent]', { hasText: 'Flaky receiver' }).waitFor({ timeout: 10_000 });
    const [got] = await flaky.waitFor(1);
    assert.equal((JSON.parse(got!.body) as { findings: Array<{ id: string }> }).findings[0]?.id, 'alertweb02');
  });

  test('after a filter changes, the delivery log shows Loading… until that filter\'s answer, never the previous rows', async () => {
    const flakyId = (await apiGet<Listed<{ id: string; name: string }>>(server.url, '/api/v1/destinations'))['destinations']!.find((d) => d.name === 'Flaky receiver')!.id;
    await page.goto(`${server.url}/alerts?tab=deliveries`);
    await deliveriesFor('').waitFor();
    assert.ok((await page.locator(`[data-testid=delivery-row]:not([data-destination="${flakyId}"])`).count()) > 0, 'the unfiltered log has other destinations');
    const gate = await holdDeliveries((url) => url.searchParams.get('destination') === flakyId);
    try {
      await page.getByLabel('Destination').selectOption({ label: 'Flaky receiver' });
      await gate.held;
      // The request for the new filter is out, its answer held back: the old rows must be gone.
      assert.equal(await page.getByTestId('deliveries-table').getAttribute('data-state'), 'loading');
      assert.equal(await page.getByTestId('delivery-row').count(), 0, 'no rows of the previous filter');
      assert.equal(await page.getByTestId('deliveries-table').getByRole('status').textContent(), 'Loading…');
    } finally {
      await gate.release();
    }
    await deliveriesFor(`destination=${flakyId}`).waitFor();
    const destinations = await page.getByTestId('delivery-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-destination')));
    assert.ok(destinations.length > 0);
    assert.deepEqual(new Set(destinations), new Set([flakyId]));
  });

  test('drops an answer for the previous filters that arrives after the current filters\' answer', async () => {
    const flakyId = (await apiGet<Listed<{ id: string; name: string }>>(server.url, '/api/v1/destinations'))['destinations']!.find((d) => d.name === 'Flaky receiver')!.id;
    await page.goto(`${server.url}/alerts?tab=deliveries`);
    await deliveriesFor('').waitFor();
    const gate = await holdDeliveries((url) => !url.searchParams.has('destination'));
    await page.getByRole('button', { name: 'Refresh' }).click();
    const stale = await gate.held;
    await page.getByLabel('Destination').selectOption({ label: 'Flaky receiver' });
    const table = deliveriesFor(`destination=${flakyId}`);
    await table.waitFor();
    // Hold every later request (the log refreshes itself), so the next answer the view counts is the stale one.
    const later = await holdDeliveries(() => true);
    try {
      const answered = Number(await table.getAttribute('data-answers'));
      const staleDone = page.waitForEvent('requestfinished', (r) => r === stale);
      await gate.release();
      await staleDone;
      await page.locator(`[data-testid=deliveries-table][data-answers="${answered + 1}"]`).waitFor();
      assert.equal(await table.count(), 1, 'still showing the answer for the chosen filter');
      const destinations = await page.getByTestId('delivery-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-destination')));
      assert.ok(destinations.length > 0);
      assert.deepEqual(new Set(destinations), new Set([flakyId]));
    } finally {
      await gate.release();
      await later.release();
    }
  });

  test('disables and re-enables a rule, and deletes one only after confirmation', async () => {
    await openTab('Rules');
    const rules = async (): Promise<RuleJson[]> => (await apiGet<Listed<RuleJson>>(server.url, '/api/v1/alert-rules'))['rules']!;
    const toggle = page.getByRole('checkbox', { name: 'Enabled: Tor clients, High and worse' });
    await toggle.uncheck();
    await page.getByTestId('rule-row').locator('label', { hasText: /^off$/ }).waitFor();
    assert.equal((await rules())[0]!.enabled, false);
    await toggle.check();
    await page.getByTestId('rule-row').locator('label', { hasText: /^on$/ }).waitFor();
    assert.equal((await rules())[0]!.enabled, true);

    const created = await apiGet<RuleJson>(server.url, '/api/v1/alert-rules', { method: 'POST', body: { name: 'Short-lived', trigger: { kind: 'new' }, routes: [{ destination: (await rules())[0]!.routes[0]!.destination }] } });
    await page.reload();
    await page.getByRole('button', { name: 'Delete Short-lived' }).click();
    await page.getByRole('button', { name: 'Keep' }).click();
    await page.getByRole('button', { name: 'Delete Short-lived' }).waitFor();
    assert.equal((await rules()).length, 2, 'nothing deleted before confirmation');
    await page.getByRole('button', { name: 'Delete Short-lived' }).click();
    await page.getByRole('button', { name: 'Confirm delete' }).click();
    await page.locator(`[data-testid=rule-row][data-id="${created.id}"]`).waitFor({ state: 'detached' });
    assert.deepEqual((await rules()).map((r) => r.name), ['Tor clients, High and worse']);
  });

  test('renders rule, destination and finding text containing markup as text: no dialog, no injected element', async () => {
    await openTab('Destinations');
    await createWebhook(PAYLOAD, `${receiver.url}/hostile`);
    await page.getByTestId('destination-row').filter({ hasText: PAYLOAD }).waitFor();
    const destination = (await apiGet<Listed<{ id: string; name: string }>>(server.url, '/api/v1/destinations'))['destinations']!.find((d) => d.name === PAYLOAD)!;
    await apiGet(server.url, '/api/v1/alert-rules', { method: 'POST', body: { name: PAYLOAD, query: 'id:hostileweb', minBand: 'Low', trigger: { kind: 'new' }, routes: [{ destination: destination.id }] } });
    const sentBefore = receiver.received.length;
    await ingest(server.url, [findingDoc({ id: 'hostileweb', title: `${PAYLOAD} title`, updatedAt: new Date().toISOString(), createdAt: new Date().toISOString() })]);
    await receiver.waitFor(sentBefore + 1, 10_000);

    await openTab('Rules');
    await page.getByTestId('rule-row').filter({ hasText: PAYLOAD }).waitFor();
    await page.getByRole('button', { name: `Dry run ${PAYLOAD}` }).click();
    await page.getByTestId('dry-run').getByRole('button', { name: 'Run' }).click();
    await page.locator('[data-testid=dry-run-alert]', { hasText: `${PAYLOAD} title` }).waitFor();
    await page.getByRole('tab', { name: 'Delivery log' }).click();
    // The finding also matches the first rule; this row is the hostile rule's, to the hostile destination.
    const row = page.locator(`[data-testid=delivery-row][data-destination="${destination.id}"]`, { hasText: `${PAYLOAD} title` });
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await row.locator('td').nth(1).textContent(), PAYLOAD);
    assert.equal(await row.locator('td').nth(3).textContent(), PAYLOAD);
    assert.equal(await page.locator('img').count(), 0, 'no element made from the text');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await screenshot(page, 'alerts-injection-dark');
    assert.deepEqual(watch.dialogs, []);
  });

  test('moves between the tabs with the arrow keys, keeping the tab in the URL', async () => {
    await openTab('Rules');
    await page.getByRole('tab', { name: 'Rules' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(/\/alerts\?tab=destinations$/);
    assert.equal(await page.getByRole('tab', { name: 'Destinations' }).getAttribute('aria-selected'), 'true');
    await page.waitForFunction("document.activeElement?.id === 'tab-destinations'");
    await page.keyboard.press('ArrowLeft');
    await page.waitForURL(/\/alerts$/);
  });

  test('reported no CSP violation, script error, dialog or foreign request', () => {
    assert.deepEqual(watch.violations, []);
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(watch.dialogs, []);
    assert.deepEqual(watch.foreignRequests, []);
  });
});

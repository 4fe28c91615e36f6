// The Access area in Chromium: an administrator makes a key, sees it once, revokes it and finds the revocation in
// the audit log; the policy editor marks the element an error names; a restricted user sees no Access menu, gets
// the not-allowed page on a direct link, and an overview and search scoped by the server; a principal allowed no
// finding sees the refusal in each panel.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { findingDoc } from '../../fixtures/findings.js';
import { apiGet, ingest, KEY, launchBrowser, OVERVIEW_DRAWN, login, screenshot, startServer, tempDir, watchedPage, type RunningServer, type Watch } from './browser.js';

const TENANT_POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:*', Resource: 'arn:aws:guardduty:*:111111111111:detector/*/finding/*' }] };

async function call(base: string, key: string, pathAndQuery: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return fetch(`${base}${pathAndQuery}`, {
    method: init.method ?? 'GET',
    headers: { 'x-api-key': key, ...(init.body !== undefined && { 'content-type': 'application/json' }) },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
}

describe('web dashboard: the Access area', () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let watch: Watch;
  let tenantKey: string;

  before(async () => {
    dir = await tempDir();
    server = await startServer(path.join(dir, 'data'));
    const now = Date.now();
    await ingest(server.url, [
      ...Array.from({ length: 3 }, (_, i) => findingDoc({ id: `mine${i}`, accountId: '111111111111', severity: 8, createdAt: new Date(now - (i + 1) * 3_600_000).toISOString() })),
      ...Array.from({ length: 5 }, (_, i) => findingDoc({ id: `theirs${i}`, accountId: '222222222222', severity: 8, createdAt: new Date(now - (i + 1) * 3_600_000).toISOString() })),
    ]);
    for (const [url, body] of [['/api/v1/policies', { name: 'one-account', document: TENANT_POLICY }], ['/api/v1/roles', { name: 'tenant', policies: ['one-account'] }]] as const) {
      const res = await call(server.url, KEY, url, { method: 'POST', body });
      assert.equal(res.status, 201, await res.text());
    }
    tenantKey = ((await (await call(server.url, KEY, '/api/v1/keys', { method: 'POST', body: { name: 'tenant-key', role: 'tenant' } })).json()) as { key: string }).key;
    browser = await launchBrowser();
    ({ page, watch } = await watchedPage(browser, server.url));
    await login(page, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('an administrator creates a key, sees it once, revokes it, and finds the revocation in the audit log', async () => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Access' }).click();
    await page.getByTestId('access-users').waitFor();
    await page.getByRole('navigation', { name: 'Access' }).getByRole('link', { name: 'Keys' }).click();
    await page.getByTestId('access-keys').waitFor();
    await page.getByLabel('Key name').fill('rotation-key');
    await page.getByLabel('Owner name').fill('tenant');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-key-value').textContent()) ?? '';
    assert.match(key, /^yk_/);
    assert.match(await page.getByTestId('new-key').textContent() ?? '', /not shown again/);
    await screenshot(page, 'access-key-created');
    assert.equal((await call(server.url, key, '/api/v1/sessions/current')).status, 200, 'the key shown works');

    await page.getByRole('button', { name: 'I have stored it' }).click();
    assert.equal(await page.getByTestId('new-key').count(), 0);
    assert.ok(!(await page.content()).includes(key), 'the secret is gone from the page');
    const listed = await apiGet<{ keys: Array<{ id: string; name: string; prefix: string }> }>(server.url, '/api/v1/keys');
    const made = listed.keys.find((k) => k.name === 'rotation-key')!;
    assert.ok(!JSON.stringify(listed).includes(key), 'the list carries no secret');
    const row = page.locator(`[data-testid=key-row][data-prefix="${made.prefix}"]`);
    assert.equal(await row.getByTestId('key-state').textContent(), 'active');

    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Yes, revoke' }).click();
    await row.getByTestId('key-state').filter({ hasText: 'revoked' }).waitFor();
    assert.equal((await call(server.url, key, '/api/v1/sessions/current')).status, 401, 'the revoked key is refused');

    // The audit log is written in batches: search again until the entry is there.
    const q = encodeURIComponent('action:"yagura:DeleteKey"');
    const entry = page.locator('[data-testid=audit-row]', { hasText: `/api/v1/keys/:id` });
    for (let attempt = 0; attempt < 50 && (await entry.count()) === 0; attempt++) {
      await page.goto(`${server.url}/access/audit?q=${q}`);
      await page.locator('[data-testid=audit-results][data-state=ready]').waitFor();
    }
    assert.equal(await entry.count(), 1);
    const cells = await entry.locator('td').allTextContents();
    assert.ok(cells.includes('arn:yagura:iam:::role/Administrator'), cells.join(' | '));
    assert.ok(cells.includes('yagura:DeleteKey') && cells.includes('allowed') && cells.includes('DELETE /api/v1/keys/:id'), cells.join(' | '));
    assert.ok(cells.some((c) => c.endsWith(made.id)), 'the revoked key is the resource');
    await screenshot(page, 'access-audit');
  });

  test('the policy editor marks the element a validation error names and saves nothing', async () => {
    await page.goto(`${server.url}/access/policies`);
    await page.getByRole('button', { name: 'New policy' }).click();
    await page.getByLabel('Policy name').fill('typo-policy');
    const doc = { Version: '2012-10-17', Statement: [
      { Sid: 'One', Effect: 'Allow', Action: 'yagura:ListUsers', Resource: '*' },
      { Sid: 'Two', Effect: 'Allow', Action: 'yagura:ListRoles', Resource: '*' },
      { Sid: 'Three', Effect: 'Allow', Action: 'yagura:ListKeys', Resource: '*', Condition: { StringEqualz: { 'aws:username': 'alice' } } },
    ] };
    await page.getByLabel('Policy document (IAM JSON)').fill(JSON.stringify(doc, null, 2));
    await page.getByTestId('policy-editor').getByRole('button', { name: 'Save' }).click();
    const error = page.getByTestId('policy-error');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /Statement\[2\]\.Condition: unknown operator "StringEqualz"/);
    assert.equal(await error.getAttribute('data-located'), 'yes');
    assert.match((await page.getByTestId('policy-error-mark').textContent()) ?? '', /^"StringEqualz": \{/);
    const selected = await page.getByLabel('Policy document (IAM JSON)').evaluate((t: HTMLTextAreaElement) => t.value.slice(t.selectionStart, t.selectionEnd));
    assert.match(selected, /^"StringEqualz"/, 'the textarea selects the element');
    await screenshot(page, 'access-policy-error');
    assert.equal((await call(server.url, KEY, '/api/v1/policies/typo-policy')).status, 404, 'nothing was saved');
  });

  test('an administrator creates, edits and deletes a user, and moves a catalog account with new tags', async () => {
    await page.goto(`${server.url}/access/users`);
    await page.getByRole('button', { name: 'New user' }).click();
    const form = page.getByTestId('principal-form');
    await form.getByLabel('Name').fill('dana');
    await form.getByLabel('Policies (comma separated)').fill('one-account');
    await form.getByLabel('Tags (key=value, comma separated)').fill('team=blue, env=prod');
    await form.getByLabel(/^Password/).fill('a long enough password');
    await form.getByRole('button', { name: 'Save' }).click();
    const row = page.locator('[data-testid=principal-row][data-name=dana]');
    await row.getByRole('cell', { name: 'team=blue, env=prod' }).waitFor();
    const made = await (await call(server.url, KEY, '/api/v1/users/dana')).json() as { policies: string[]; tags: Record<string, string>; hasPassword: boolean };
    assert.deepEqual([made.policies, made.tags, made.hasPassword], [['one-account'], { team: 'blue', env: 'prod' }, true]);

    await row.getByRole('button', { name: 'Edit' }).click();
    await form.getByLabel('Policies (comma separated)').fill('');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'detached' });
    assert.deepEqual(((await (await call(server.url, KEY, '/api/v1/users/dana')).json()) as { policies: string[] }).policies, []);

    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Yes, delete' }).click();
    await row.waitFor({ state: 'detached' });
    assert.equal((await call(server.url, KEY, '/api/v1/users/dana')).status, 404);

    assert.equal((await call(server.url, KEY, '/api/v1/catalog/groups/payments', { method: 'PUT', body: { tags: { bu: 'payments' } } })).status, 200);
    await page.goto(`${server.url}/access/catalog`);
    const unassigned = page.locator('[data-testid=catalog-group][data-name=unassigned]');
    await unassigned.getByRole('button', { name: '▸ unassigned' }).click();
    const account = unassigned.locator('[data-testid=catalog-account][data-account="111111111111"]');
    await account.getByRole('button', { name: 'Edit Tags of 111111111111' }).click();
    await account.getByLabel('Tags of 111111111111').fill('env=prod');
    await account.getByRole('button', { name: 'Save' }).click();
    await account.getByText('env=prod').waitFor();
    await account.getByLabel('Group of 111111111111').selectOption('payments');
    await account.waitFor({ state: 'detached' });
    const moved = await (await call(server.url, KEY, '/api/v1/catalog/accounts/111111111111')).json() as { group: string; tags: Record<string, string> };
    assert.deepEqual([moved.group, moved.tags], ['payments', { env: 'prod' }]);
    await screenshot(page, 'access-catalog');
  });

  test('a restricted user sees no Access menu, gets "not allowed" on a direct link, and an overview and search scoped by the server', async () => {
    const { page: tenant, watch: tenantWatch } = await watchedPage(browser, server.url);
    await login(tenant, server.url, tenantKey);
    await tenant.locator(OVERVIEW_DRAWN).waitFor();
    assert.equal(await tenant.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Access' }).count(), 0, 'no Access menu');
    const scoped = await call(server.url, tenantKey, '/api/v1/aggregate', { method: 'POST', body: { aggs: { bands: { terms: { field: 'band', size: 4 } } } } });
    assert.equal(scoped.status, 200);
    assert.equal(((await scoped.json()) as { total: number }).total, 3, 'the API counts the one account only');
    assert.equal(await tenant.getByTestId('band-count-High').textContent(), '3', 'the overview counts what the API scoped');
    assert.equal(await tenant.locator('[data-testid=panel-open-longest] tbody tr').count(), 3);
    assert.match((await tenant.getByTestId('panel-accounts').innerHTML()), /111111111111/);
    assert.doesNotMatch((await tenant.getByTestId('panel-accounts').innerHTML()), /222222222222/);
    await screenshot(tenant, 'access-restricted-overview');
    await tenant.goto(`${server.url}/search`);
    await tenant.locator('[data-testid=results][data-state=ready]').waitFor();
    assert.match((await tenant.getByTestId('total').textContent()) ?? '', /^3 findings/);
    assert.equal(await tenant.getByTestId('result-row').count(), 3);
    for (const [url, action] of [['/access/users', 'yagura:ListUsers'], ['/access/keys', 'yagura:ListKeys'], ['/access/audit', 'yagura:SearchAuditLog']] as const) {
      await tenant.goto(`${server.url}${url}`);
      const denied = tenant.getByTestId('not-allowed');
      await denied.waitFor();
      assert.match((await denied.textContent()) ?? '', new RegExp(`do not allow ${action}`));
      assert.equal(await tenant.getByRole('navigation', { name: 'Access' }).count(), 0, 'no Access sub-menu either');
    }
    await screenshot(tenant, 'access-not-allowed');
    assert.deepEqual(tenantWatch.pageErrors, []);
    await tenant.context().close();
  });

  test('a principal allowed no finding at all gets the refusal in each panel and in the results, not a broken page', async () => {
    await call(server.url, KEY, '/api/v1/policies', { method: 'POST', body: { name: 'rules-only', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:ListAlertRules', Resource: '*' }] } } });
    await call(server.url, KEY, '/api/v1/roles', { method: 'POST', body: { name: 'rules-reader', policies: ['rules-only'] } });
    const key = ((await (await call(server.url, KEY, '/api/v1/keys', { method: 'POST', body: { name: 'rules', role: 'rules-reader' } })).json()) as { key: string }).key;
    const { page: reader, watch: readerWatch } = await watchedPage(browser, server.url);
    await login(reader, server.url, key);
    await reader.locator(OVERVIEW_DRAWN).waitFor();
    assert.ok((await reader.getByTestId('panel-denied').count()) >= 8, 'every finding panel says it is not allowed');
    assert.match((await reader.getByTestId('panel-denied').first().textContent()) ?? '', /^Not allowed: .*yagura:AggregateFindings/);
    assert.equal(await reader.getByTestId('band-count-High').textContent(), '—');
    // The session's permissions may answer after the panels: then the feed stops trying.
    await reader.locator('[data-testid=live-status]', { hasText: 'Live not allowed' }).waitFor();
    await screenshot(reader, 'access-denied-overview');
    await reader.goto(`${server.url}/search`);
    await reader.locator('[data-testid=results][data-state=error]').waitFor();
    assert.match((await reader.getByTestId('results').getByTestId('panel-denied').textContent()) ?? '', /yagura:SearchFindings/);
    assert.equal(await reader.getByTestId('query-error').count(), 0, 'a refusal is not a query error');
    assert.deepEqual(readerWatch.pageErrors, []);
    await reader.context().close();
  });

  test('reported no CSP violation, script error, dialog or foreign request', () => {
    assert.deepEqual(watch, { violations: [], dialogs: [], foreignRequests: [], pageErrors: [] });
  });
});

// Every string in a finding is attacker-controlled: payloads in every string field must render as text only,
// never as markup or script — no dialog, no injected element, no request to a foreign host, no CSP violation.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { findingDoc } from '../../fixtures/findings.js';
import { apiGet, ingest, KEY, launchBrowser, OVERVIEW_DRAWN, login, screenshot, startServer, tempDir, watchedPage, type RunningServer, type Watch } from './browser.js';

const PAYLOADS = [
  '<img src=x onerror="alert(1)">',
  '<script>alert(2)</script>',
  '"><svg onload=alert(3)>',
  'javascript:alert(4)',
  '<a href="https://evil.example/x" id="injected-link">click</a>',
  '<img src="https://evil.example/pixel.png" id="injected-img">',
  "'><iframe src=https://evil.example/frame></iframe>",
  '<style>@import "https://evil.example/a.css";</style>',
  '{{constructor.constructor("alert(5)")()}}',
  '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
];
/** Fields the ingest validates as identifiers or dates; every other string carries a payload. */
const KEPT = new Set(['id', 'accountId', 'region', 'updatedAt', 'createdAt', 'eventFirstSeen', 'eventLastSeen']);

let n = 0;
function poison(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return KEPT.has(key) ? value : `${PAYLOADS[n++ % PAYLOADS.length]} ${key}`;
  if (Array.isArray(value)) return value.map((v) => poison(v, key));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, poison(v, k)]));
  return value;
}

function hostileDoc(id: string, updatedAt: string, count: number): Record<string, unknown> {
  const base = findingDoc({
    id,
    createdAt: new Date(Date.now() - 3_600_000).toISOString(),
    updatedAt,
    count,
    extra: {
      resource: {
        resourceType: 'S3Bucket',
        s3BucketDetails: [{ name: 'bucket', arn: 'arn', tags: [{ key: 'k', value: 'v' }] }],
        kubernetesDetails: { kubernetesWorkloadDetails: { name: 'pod', namespace: 'ns' }, kubernetesUserDetails: { username: 'user' } },
        accessKeyDetails: { accessKeyId: 'AKIA', userName: 'someone' },
      },
    },
  });
  const doc = poison(base) as Record<string, unknown>;
  // Add the free-text places GuardDuty fills from the outside world: DNS names, user agents, S3 keys.
  const service = doc['service'] as Record<string, unknown>;
  service['action'] = {
    actionType: PAYLOADS[0],
    awsApiCallAction: {
      api: PAYLOADS[1],
      userAgent: PAYLOADS[2],
      remoteIpDetails: { ipAddressV4: '203.0.113.9', country: { countryName: PAYLOADS[3] }, organization: { org: PAYLOADS[4], asnOrg: PAYLOADS[5], asn: PAYLOADS[6] }, city: { cityName: PAYLOADS[7] } },
    },
    dnsRequestAction: { domain: PAYLOADS[8] },
  };
  service['additionalInfo'] = { value: `{"key":"${PAYLOADS[9]!.replaceAll('"', '\\"')}"}`, type: PAYLOADS[1], unusual: { s3Key: PAYLOADS[5] } };
  doc['description'] = PAYLOADS.join(' ');
  doc['title'] = `${PAYLOADS[0]} title ${count}`;
  doc['type'] = `${PAYLOADS[2]}:EC2/Injected`;
  return doc;
}

describe('web dashboard against hostile finding text', () => {
  let dir: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let watch: Watch;
  const now = Date.now();

  before(async () => {
    dir = await tempDir();
    server = await startServer(path.join(dir, 'data'));
    const versions = [hostileDoc('hostile1', new Date(now - 1_800_000).toISOString(), 1), hostileDoc('hostile1', new Date(now - 600_000).toISOString(), 2), hostileDoc('hostile2', new Date(now - 60_000).toISOString(), 1)];
    const answer = await ingest(server.url, versions);
    assert.equal(answer.accepted, 3);
    browser = await launchBrowser();
    ({ page, watch } = await watchedPage(browser, server.url));
    await login(page, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function assertInert(name: string): Promise<void> {
    const injected = await page.evaluate(`(() => {
      const q = 'img, svg, iframe, object, embed, meta[http-equiv], style, script:not([src^="/assets/"]), #injected-link, #injected-img, [onerror], [onload], a[href^="javascript:"], a[href*="evil.example"]:not([href^="/search?"])';
      return [...document.querySelectorAll(q)].map((e) => e.outerHTML.slice(0, 120));
    })()`);
    assert.deepEqual(injected, [], `${name}: injected elements`);
    assert.deepEqual(watch.dialogs, [], `${name}: dialogs`);
    assert.deepEqual(watch.foreignRequests, [], `${name}: foreign requests`);
    assert.deepEqual(watch.violations, [], `${name}: CSP violations`);
    await screenshot(page, `injection-${name}`);
  }

  test('the overview shows hostile types, organisations and countries as text', async () => {
    await page.locator(OVERVIEW_DRAWN).waitFor();
    await page.getByTestId('panel-remote-ips').getByText(PAYLOADS[5]!).waitFor();
    await page.getByTestId('panel-open-longest').getByText(`${PAYLOADS[2]}:EC2/Injected`).first().waitFor();
    await assertInert('overview');
  });

  test('the search view shows hostile values in every column and in the field sidebar as text', async () => {
    const cols = 'updatedAt,band,type,title,accountId,region,resourceType,resource,actionType,remoteIp,count,firstSeen,archived';
    await page.goto(`${server.url}/search?cols=${cols}`);
    await page.locator('[data-testid=results][data-state=ready]').waitFor();
    await page.getByRole('cell', { name: `${PAYLOADS[0]} title 2` }).waitFor();
    await page.locator('aside.fields').getByText(PAYLOADS[5]!).waitFor({ state: 'attached' });
    await assertInert('search');
  });

  test('a hostile query is echoed as text in the inline error', async () => {
    await page.goto(`${server.url}/search?q=${encodeURIComponent(`title:${PAYLOADS[1]} and (`)}`);
    await page.getByTestId('query-error').waitFor();
    await assertInert('query-error');
  });

  test('the finding view shows hostile summary, history changes and raw JSON as text', async () => {
    await page.goto(`${server.url}/findings/111122223333/us-east-1/hostile1`);
    await page.getByTestId('history').waitFor();
    assert.equal(await page.getByTestId('finding-title').textContent(), `${PAYLOADS[0]} title 2`);
    assert.match((await page.getByTestId('raw-json').textContent()) ?? '', /<script>alert\(2\)<\/script>/);
    assert.ok((await page.getByTestId('change').count()) > 0);
    await page.locator('dd[data-field=Organisation]', { hasText: PAYLOADS[5]! }).waitFor();
    await assertInert('finding');
  });

  /** Posts as the administrator; hostile text must be accepted where the API takes free text. */
  async function admin(url: string, body: unknown, method = 'POST'): Promise<void> {
    const res = await fetch(`${server.url}${url}`, { method, headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.ok(res.ok, `${method} ${url}: ${res.status} ${await res.text()}`);
  }

  test('the Access pages show hostile tags, descriptions, account names, Sids, errors and audit fields as text', async () => {
    await admin('/api/v1/users', { name: 'mallory', tags: { note: PAYLOADS[0] } });
    await admin('/api/v1/roles', { name: 'hostile-role', description: PAYLOADS[1], tags: { team: PAYLOADS[2] } });
    // Catalog tags are refused unless plain (letters, digits, _ . : / = + - @); an account's name is free text.
    await admin('/api/v1/catalog/groups/hostile', { tags: { bu: 'pay/ments' } }, 'PUT');
    await admin('/api/v1/catalog/accounts/111122223333', { group: 'hostile', name: PAYLOADS[4], tags: { env: 'javascript:alert' } }, 'PUT');
    const catalogPolicy = { Version: '2012-10-17', Statement: [{ Sid: PAYLOADS[6], Effect: 'Allow', Principal: { AWS: 'arn:yagura:iam:::user/mallory' }, Action: 'yagura:GetCatalogGroups', Resource: 'arn:yagura:catalog:::catalog' }] };
    await admin('/api/v1/catalog/policy', { document: catalogPolicy }, 'PUT');
    // A refused key is recorded with the prefix it presented.
    await fetch(`${server.url}/api/v1/findings`, { headers: { 'x-api-key': `yk_${PAYLOADS[7]}` } });

    await page.goto(`${server.url}/access/users`);
    await page.getByRole('cell', { name: `note=${PAYLOADS[0]}` }).waitFor();
    await assertInert('access-users');
    await page.goto(`${server.url}/access/roles`);
    await page.getByRole('cell', { name: PAYLOADS[1] }).waitFor();
    await page.getByRole('cell', { name: `team=${PAYLOADS[2]}` }).waitFor();
    await assertInert('access-roles');

    await page.goto(`${server.url}/access/catalog`);
    const group = page.locator('[data-testid=catalog-group][data-name=hostile]');
    await group.getByText('bu=pay/ments').waitFor();
    await group.getByRole('button', { name: '▸ hostile' }).click();
    await group.getByRole('cell', { name: PAYLOADS[4] }).waitFor();
    await group.getByText('env=javascript:alert').waitFor();
    assert.match(await page.getByTestId('catalog-policy').locator('textarea').inputValue(), /evil\.example\/frame/);
    await assertInert('access-catalog');

    const entries = await apiGet<{ entries: Array<{ keyPrefix: string | null }> }>(server.url, `/api/v1/audit?q=${encodeURIComponent('decision:unauthenticated')}`);
    const hostilePrefix = entries.entries.map((e) => e.keyPrefix).find((k) => k?.includes('<'));
    await page.goto(`${server.url}/access/audit?q=${encodeURIComponent('decision:unauthenticated')}`);
    await page.locator('[data-testid=audit-results][data-state=ready]').waitFor();
    if (hostilePrefix) await page.locator('[data-testid=audit-row] td', { hasText: hostilePrefix }).first().waitFor();
    await assertInert('access-audit');

    // A hostile Sid echoed in a validation error, and in the simulator's matched statements.
    await page.goto(`${server.url}/access/policies`);
    await page.getByRole('button', { name: 'New policy' }).click();
    await page.getByLabel('Policy name').fill('hostile-sid');
    await page.getByLabel('Policy document (IAM JSON)').fill(JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: PAYLOADS[8], Effect: 'Allow', Action: '*', Resource: '*' }] }));
    await page.getByTestId('policy-editor').getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('policy-error').getByText(/must be letters and digits only/).waitFor();
    await assertInert('access-policy-error');
    await page.goto(`${server.url}/access/simulator`);
    await page.locator('textarea[name=resource-policy]').fill(JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: PAYLOADS[9], Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:user/alice' }, Action: 'yagura:GetFinding', Resource: '*' }] }));
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByTestId('simulation').getByText(PAYLOADS[9]!, { exact: false }).waitFor();
    await assertInert('access-simulator');
  });

  test('hostile findings arriving live are shown as text', async () => {
    await page.goto(`${server.url}/search`);
    await page.locator('[data-testid=live-status]', { hasText: 'Live' }).waitFor();
    await ingest(server.url, [hostileDoc('hostile3', new Date().toISOString(), 1)]);
    await page.locator('[data-testid=result-row].highlight[data-key$="hostile3"]').waitFor({ timeout: 2000 });
    await page.goto(`${server.url}/`);
    await page.locator('[data-testid=live-status]', { hasText: 'Live' }).waitFor();
    await ingest(server.url, [hostileDoc('hostile4', new Date().toISOString(), 1)]);
    await page.getByTestId('fresh-finding').first().waitFor({ timeout: 2000 });
    await assertInert('live');
    assert.deepEqual(watch.pageErrors, []);
  });
});

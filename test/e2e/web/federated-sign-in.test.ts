// Federated sign-in in Chromium against `yagura serve` configured with a real slapd and a real OIDC issuer: LDAP and
// "Sign in with Test IdP" each end in a session whose header says who, as which role, via what and until when;
// logging out ends it; a wrong password, a provider that refuses and a choice between roles read as sentences.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { oidcProviderArn, webIdentityKeyPrefix } from '../../../src/auth/federation/oidc/web-identity-context.js';
import { OidcIssuer } from '../../support/oidc-issuer.js';
import { ldapSettings, startSlapd, type Slapd } from '../../support/slapd.js';
import { KEY, launchBrowser, screenshot, startServer, tempDir, watchedPage, type RunningServer, type Watch } from './browser.js';

const READ_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:*', Resource: '*' }] };
const PAYMENTS_SEC = 'cn=payments-sec,ou=groups,dc=example,dc=org';
const ANALYSTS = 'cn=analysts,ou=groups,dc=example,dc=org';

interface Current {
  readonly name: string;
  readonly principal: { readonly arn: string };
  readonly expiresAt: string;
  readonly roleSession?: { readonly source: string };
}

async function admin(base: string, method: string, route: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { 'x-api-key': KEY, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  assert.ok(res.ok, `${method} ${route}: ${res.status} ${await res.clone().text()}`);
  return res;
}

describe('web dashboard: LDAP and OpenID Connect sign-in', () => {
  let dir: string;
  let slapd: Slapd;
  let issuer: OidcIssuer;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let watch: Watch;

  /** A role that the test issuer's alice may assume. */
  const trustingAlice = (name: string): Record<string, unknown> => {
    const prefix = webIdentityKeyPrefix(issuer.issuer);
    return {
      name,
      policies: ['read-all'],
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Federated: oidcProviderArn(issuer.issuer) }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${prefix}:sub`]: 'alice', [`${prefix}:aud`]: issuer.clientId } } }],
      },
    };
  };

  /** The session behind the browser's cookie, as the API tells it. */
  const current = async (): Promise<Current> => {
    const cookie = (await page.context().cookies()).find((c) => c.name === 'yagura_session');
    assert.ok(cookie, 'the browser holds a session cookie');
    const res = await fetch(`${server.url}/api/v1/sessions/current`, { headers: { cookie: `yagura_session=${cookie.value}` } });
    assert.equal(res.status, 200);
    return (await res.json()) as Current;
  };

  /** The header's account line, once it shows when the session ends (parts it leaves out are empty). */
  const header = async (): Promise<{ name: string; role: string; source: string; until: string | null; arn: string | null }> => {
    const who = page.getByTestId('signed-in');
    await who.getByTestId('signed-in-until').waitFor();
    const part = async (id: string): Promise<string> => ((await who.getByTestId(id).count()) === 0 ? '' : ((await who.getByTestId(id).textContent()) ?? ''));
    return {
      name: await part('signed-in-name'),
      role: await part('signed-in-role'),
      source: await part('signed-in-source'),
      until: await who.getByTestId('signed-in-until').getAttribute('datetime'),
      arn: await who.getAttribute('data-arn'),
    };
  };

  const logOut = async (): Promise<void> => {
    const cookie = (await page.context().cookies()).find((c) => c.name === 'yagura_session')!;
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('API key').waitFor();
    assert.equal((await fetch(`${server.url}/api/v1/findings`, { headers: { cookie: `yagura_session=${cookie.value}` } })).status, 401, 'the old cookie no longer works');
  };

  const ldapSignIn = async (username: string, password: string): Promise<void> => {
    await page.goto(`${server.url}/`);
    await page.getByLabel('LDAP / Active Directory').check();
    await page.getByLabel('User name').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  };

  before(async () => {
    [issuer, slapd] = await Promise.all([OidcIssuer.start({ user: { sub: 'alice', claims: { email: 'alice@example.org', groups: ['secops'] } } }), startSlapd()]);
    dir = await tempDir();
    const config = path.join(dir, 'yagura.json');
    await writeFile(
      config,
      JSON.stringify({
        ldap: {
          ...ldapSettings(slapd, { plain: true }),
          roleMap: { [PAYMENTS_SEC]: 'ldap-payments' },
        },
        oidc: { providers: [{ id: 'test', displayName: 'Test IdP', issuer: issuer.issuer, clientId: issuer.clientId, clientSecret: issuer.clientSecret, allowInsecureHttp: true }] },
      }),
    );
    server = await startServer(path.join(dir, 'data'), 0, { args: ['--config', config] });
    await admin(server.url, 'POST', '/api/v1/policies', { name: 'read-all', document: READ_ALL });
    await admin(server.url, 'POST', '/api/v1/roles', { name: 'ldap-payments', policies: ['read-all'] });
    await admin(server.url, 'POST', '/api/v1/roles', trustingAlice('oidc-reader'));
    browser = await launchBrowser();
    ({ page, watch } = await watchedPage(browser, server.url));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await issuer?.stop();
    await slapd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the login page offers LDAP or a Yagura user, the provider, and an API key', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: 'Sign in with Test IdP' }).waitFor();
    assert.equal(await page.getByLabel('LDAP / Active Directory').isChecked(), true, 'LDAP is the default where it is configured');
    assert.equal(await page.getByLabel('Yagura user').isChecked(), false);
    for (const label of ['User name', 'API key']) assert.equal(await page.getByLabel(label).count(), 1, label);
    assert.equal(await page.getByLabel('Password', { exact: true }).count(), 1);
    assert.equal(await page.getByLabel('Role', { exact: true }).isVisible(), false, 'the role field waits under its disclosure');
    await page.getByText('Choose a role').click();
    assert.equal(await page.getByLabel('Role', { exact: true }).isVisible(), true);
    await screenshot(page, 'sign-in-methods');
  });

  test('a wrong LDAP password is refused with a readable alert and no session', async () => {
    await ldapSignIn('alice', 'not-her-password');
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: /\S/ }).waitFor();
    assert.equal(await alert.textContent(), 'The user name or password is not valid.');
    assert.equal((await page.context().cookies()).some((c) => c.name === 'yagura_session'), false);
    assert.equal(await page.getByRole('button', { name: 'Sign in', exact: true }).isEnabled(), true, 'no longer busy');
    await screenshot(page, 'sign-in-ldap-refused');
  });

  test('LDAP sign-in: the header shows the person, the role, "via LDAP" and when the session ends; logging out ends it', async () => {
    await ldapSignIn('alice', 'alice-password');
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    const shown = await header();
    const session = await current();
    assert.equal(shown.name, 'alice');
    assert.equal(shown.role, ' as ldap-payments');
    assert.equal(shown.source, ' via LDAP');
    assert.equal(shown.arn, 'arn:yagura:sts:::assumed-role/ldap-payments/alice');
    assert.equal(session.principal.arn, shown.arn);
    assert.equal(session.roleSession?.source, 'ldap');
    assert.equal(shown.until, session.expiresAt, 'the header says when the session ends');
    await screenshot(page, 'sign-in-ldap-header');
    await logOut();
  });

  test('a Yagura user signs in with the same form, choosing "Yagura user"; no role or provider is shown', async () => {
    await admin(server.url, 'POST', '/api/v1/users', { name: 'carol', policies: ['read-all'], password: 'carol-local-password' });
    await page.goto(`${server.url}/`);
    await page.getByLabel('Yagura user').check();
    await page.getByLabel('User name').fill('carol');
    await page.getByLabel('Password', { exact: true }).fill('carol-local-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    const shown = await header();
    assert.equal(shown.name, 'carol');
    assert.equal(shown.arn, 'arn:yagura:iam:::user/carol');
    assert.equal(shown.role, '');
    assert.equal(shown.source, '');
    assert.equal(shown.until, (await current()).expiresAt);
    await logOut();
  });

  test('"Sign in with Test IdP": the issuer approves, and the header names the provider', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    const shown = await header();
    const session = await current();
    assert.equal(shown.name, 'alice@example.org');
    assert.equal(shown.role, ' as oidc-reader');
    assert.equal(shown.source, ' via Test IdP');
    assert.equal(shown.arn, 'arn:yagura:sts:::assumed-role/oidc-reader/alice@example.org');
    assert.equal(session.roleSession?.source, 'oidc:test');
    assert.equal(shown.until, session.expiresAt);
    await screenshot(page, 'sign-in-oidc-header');
    await logOut();
  });

  test('a provider that refuses brings the person back to the login page with a sentence, not JSON', async () => {
    issuer.consent = 'deny';
    try {
      await page.goto(`${server.url}/`);
      await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();
      const alert = page.getByRole('alert').filter({ hasText: /\S/ });
      await alert.waitFor();
      assert.equal(await alert.textContent(), 'Test IdP did not sign you in, or no role accepts this identity.');
      assert.equal(new URL(page.url()).pathname + new URL(page.url()).search, '/', 'the error code is gone from the address');
      await screenshot(page, 'sign-in-oidc-refused');
    } finally {
      issuer.consent = 'approve';
    }
  });

  test('when the LDAP account maps to several roles, the page asks for one and signs in with it', async () => {
    await admin(server.url, 'POST', '/api/v1/roles', { name: 'analyst', policies: ['read-all'] });
    await admin(server.url, 'PUT', '/api/v1/federation/ldap/role-map', { map: { [ANALYSTS]: 'analyst' } });
    await ldapSignIn('alice', 'alice-password');
    const alert = page.getByRole('alert').filter({ hasText: /\S/ });
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /^Your account may use several roles \((analyst, ldap-payments|ldap-payments, analyst)\)\. Choose one and sign in again\.$/);
    const role = page.getByLabel('Role', { exact: true });
    assert.equal(await role.isVisible(), true, 'the role field opens by itself');
    assert.deepEqual((await role.locator('option').allTextContents()).slice(1).sort(), ['analyst', 'ldap-payments']);
    await screenshot(page, 'sign-in-choose-role');
    await role.selectOption('analyst');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    assert.equal((await header()).role, ' as analyst');
    assert.equal((await current()).principal.arn, 'arn:yagura:sts:::assumed-role/analyst/alice');
    await logOut();
  });

  test('when two roles trust the provider identity, the page offers both and the provider sign-in uses the one chosen', async () => {
    await admin(server.url, 'POST', '/api/v1/roles', trustingAlice('oidc-responder'));
    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();
    const alert = page.getByRole('alert').filter({ hasText: /\S/ });
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /^Test IdP signed you in with an identity that may use several roles \(.+\)\. Choose one and sign in again\.$/);
    const role = page.getByLabel('Role', { exact: true });
    assert.deepEqual((await role.locator('option').allTextContents()).slice(1).sort(), ['oidc-reader', 'oidc-responder']);
    await role.selectOption('oidc-responder');
    await page.getByRole('button', { name: 'Sign in with Test IdP' }).click();
    await page.getByRole('navigation', { name: 'Views' }).waitFor();
    const shown = await header();
    assert.equal(shown.role, ' as oidc-responder');
    assert.equal(shown.source, ' via Test IdP');
    await logOut();
  });

  test('reported no CSP violation, script error or dialog, and reached no host but Yagura and the identity provider', () => {
    assert.deepEqual(watch.violations, []);
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(watch.dialogs, []);
    assert.deepEqual(watch.foreignRequests.filter((u) => !u.startsWith(`${issuer.issuer}/`)), []);
    assert.ok(watch.foreignRequests.some((u) => u.startsWith(`${issuer.issuer}/authorize?`)), 'the browser went to the provider');
  });
});

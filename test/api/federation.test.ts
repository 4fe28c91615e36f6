// Federation end to end through the real app on a real port: an OIDC issuer with real signed tokens, a real
// OpenLDAP server, the AWS SDK's own STS client, and API requests signed by the AWS SDK's SigV4 signer.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { get } from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { oidcProviderArn, webIdentityKeyPrefix } from '../../src/auth/federation/oidc/web-identity-context.js';
import { eventOf, findingDoc } from '../fixtures/findings.js';
import { harness, type Harness } from '../support/harness.js';
import { OidcIssuer } from '../support/oidc-issuer.js';
import { ldapSettings, startSlapd, type Slapd } from '../support/slapd.js';

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

const READ_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:*', Resource: '*' }] };
const ONLY_ACCOUNT_1 = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'yagura:*', Resource: 'arn:aws:guardduty:*:111111111111:detector/*/finding/*' }] });

describe('federation', () => {
  let h: Harness;
  let url = '';
  let port = 0;
  let issuer: OidcIssuer;
  let slapd: Slapd;
  let clock = Date.now();
  /** The secret access key of an API key created in a test, searched for in the data folder at the end. */
  let signingSecret = '';

  const admin = async (method: 'POST' | 'PUT' | 'DELETE' | 'GET', route: string, payload?: unknown): Promise<Record<string, any>> => {
    const res = await h.app.inject({ method, url: route, headers: h.auth, ...(payload !== undefined && { payload: payload as Record<string, unknown> }) });
    assert.ok(res.statusCode < 300, `${method} ${route}: ${res.body}`);
    return res.body === '' ? {} : (res.json() as Record<string, any>);
  };

  /** A request signed as the AWS SDK signs, sent with fetch. */
  const signed = async (credentials: Credentials, route: string, options: { method?: string; body?: string; region?: string; service?: string } = {}): Promise<Response> => {
    const [pathname, query = ''] = route.split('?');
    const signer = new SignatureV4({ service: options.service ?? 'yagura', region: options.region ?? 'us-east-1', credentials, sha256: Hash.bind(null, 'sha256') });
    const request = new HttpRequest({
      method: options.method ?? 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: pathname!,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers: { host: `127.0.0.1:${port}`, ...(options.body !== undefined && { 'content-type': 'application/json' }) },
      ...(options.body !== undefined && { body: options.body }),
    });
    const done = await signer.sign(request, { signingDate: new Date(clock) });
    const headers = { ...done.headers } as Record<string, string>;
    delete headers.host;
    return fetch(`${url}${route}`, { method: request.method, headers, ...(options.body !== undefined && { body: options.body }) });
  };

  const sts = (credentials?: Credentials): STSClient =>
    new STSClient({ endpoint: url, region: 'us-east-1', credentials: credentials ?? { accessKeyId: 'unused', secretAccessKey: 'unused' }, maxAttempts: 1 });

  const assume = async (token: string, options: { role?: string; policy?: string; session?: string; duration?: number } = {}): Promise<Credentials & { arn: string }> => {
    const out = await sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: `arn:yagura:iam:::role/${options.role ?? 'oidc-reader'}`,
        RoleSessionName: options.session ?? 'alice-session',
        WebIdentityToken: token,
        ...(options.policy && { Policy: options.policy }),
        ...(options.duration && { DurationSeconds: options.duration }),
      }),
    );
    const c = out.Credentials!;
    return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken!, arn: out.AssumedRoleUser!.Arn! };
  };

  const stsForm = (fields: Record<string, string>): Promise<Response> =>
    fetch(`${url}/sts`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ Version: '2011-06-15', ...fields }).toString() });

  const xmlCode = (text: string): string | undefined => /<Code>([^<]+)<\/Code>/.exec(text)?.[1];

  before(async () => {
    [issuer, slapd] = await Promise.all([OidcIssuer.start({ user: { sub: 'alice', claims: { email: 'alice@example.org', groups: ['secops'] } } }), startSlapd()]);
    h = await harness(
      {},
      {
        now: () => clock,
        sessions: { maxAgeSeconds: 3600, idleSeconds: 3600 },
        federation: {
          oidc: { providers: [{ id: 'test', displayName: 'Test IdP', issuer: issuer.issuer, clientId: issuer.clientId, clientSecret: issuer.clientSecret, allowInsecureHttp: true }] },
          ldap: {
            ...ldapSettings(slapd, { plain: true }),
            roleMap: { 'cn=payments-sec,ou=groups,dc=example,dc=org': 'ldap-payments' },
          },
        },
      },
    );
    url = await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = Number(new URL(url).port);
    for (const [id, accountId] of [['f1', '111111111111'], ['f2', '111111111111'], ['f3', '222222222222']] as const) {
      await admin('POST', '/api/v1/events', [eventOf(findingDoc({ id, accountId }))]);
    }
    await admin('POST', '/api/v1/policies', { name: 'read-all', document: READ_ALL });
    const prefix = webIdentityKeyPrefix(issuer.issuer);
    await admin('POST', '/api/v1/roles', {
      name: 'oidc-reader',
      policies: ['read-all'],
      trustPolicy: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Federated: oidcProviderArn(issuer.issuer) }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${prefix}:sub`]: 'alice', [`${prefix}:aud`]: issuer.clientId } } }],
      },
    });
    await admin('POST', '/api/v1/roles', { name: 'ldap-payments', policies: ['read-all'] });
  });
  after(async () => {
    await h?.close();
    await issuer?.stop();
    await slapd?.stop();
  });

  test('the AWS SDK exchanges a trusted token for credentials that sign API requests, narrowed by the session policy', async () => {
    const credentials = await assume(await issuer.sign({ sub: 'alice', aud: issuer.clientId }), { policy: ONLY_ACCOUNT_1 });
    assert.match(credentials.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.equal(credentials.arn, 'arn:yagura:sts:::assumed-role/oidc-reader/alice-session');
    const res = await signed(credentials, '/api/v1/findings?size=10');
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { total: number; findings: { accountId: string }[] };
    assert.equal(body.total, 2, 'the session policy narrows the role (which may read all three) to one account');
    const who = await sts(credentials).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, 'arn:yagura:sts:::assumed-role/oidc-reader/alice-session');
    const post = await signed(credentials, '/api/v1/aggregate', { method: 'POST', body: JSON.stringify({ groupBy: 'accountId' }) });
    assert.ok(post.status === 200 || post.status === 400, `a signed POST with a body is verified with its body: ${post.status}`);
    assert.notEqual(post.status, 401);
  });

  test('a presigned URL made with the AWS SDK signer works until it expires', async () => {
    const credentials = await assume(await issuer.sign({ sub: 'alice', aud: issuer.clientId }));
    const signer = new SignatureV4({ service: 'yagura', region: 'us-east-1', credentials, sha256: Hash.bind(null, 'sha256') });
    const presigned = await signer.presign(
      new HttpRequest({ method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port, path: '/api/v1/findings', query: { size: '1' }, headers: { host: `127.0.0.1:${port}` } }),
      { signingDate: new Date(clock), expiresIn: 60 },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const ok = await fetch(`${url}/api/v1/findings?${query}`);
    assert.equal(ok.status, 200, await ok.clone().text());
    const saved = clock;
    clock += 61_000;
    try {
      const late = await fetch(`${url}/api/v1/findings?${query}`);
      assert.equal(late.status, 401);
      assert.equal(((await late.json()) as { error: { code: string } }).error.code, 'REQUEST_EXPIRED');
    } finally {
      clock = saved;
    }
  });

  test('tampered, wrong-region, replayed-after-skew and unsigned-token requests are refused', async () => {
    const credentials = await assume(await issuer.sign({ sub: 'alice', aud: issuer.clientId }));
    assert.equal((await signed(credentials, '/api/v1/findings?size=10')).status, 200);
    const otherPath = await fetch(`${url}/api/v1/findings?size=11`, { headers: Object.fromEntries((await signedHeaders(credentials, '/api/v1/findings?size=10')).entries()) });
    assert.equal(otherPath.status, 401);
    assert.equal(((await otherPath.json()) as { error: { code: string } }).error.code, 'INVALID_SIGNATURE');
    const sent = await signedHeaders(credentials, '/api/v1/findings');
    const otherBody = await fetch(`${url}/api/v1/findings`, { method: 'GET', headers: Object.fromEntries([...sent.entries()].map(([k, v]) => [k, k === 'authorization' ? v.replace(/Signature=(\w)/, (_m, c: string) => `Signature=${c === '0' ? '1' : '0'}`) : v])) });
    assert.equal(otherBody.status, 401, 'a changed signature');
    const region = await signed(credentials, '/api/v1/findings', { region: 'eu-west-1' });
    assert.equal(region.status, 401);
    const wrongService = await signed(credentials, '/api/v1/findings', { service: 'sts' });
    assert.equal(wrongService.status, 401);
    const saved = clock;
    clock -= 6 * 60_000;
    const old = await signedHeaders(credentials, '/api/v1/findings');
    clock = saved;
    const replay = await fetch(`${url}/api/v1/findings`, { headers: Object.fromEntries(old.entries()) });
    assert.equal(replay.status, 401);
    assert.equal(((await replay.json()) as { error: { code: string } }).error.code, 'REQUEST_EXPIRED');
    const noToken = await signed({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }, '/api/v1/findings');
    assert.equal(noToken.status, 401, 'temporary credentials need their session token');
    const wrongSecret = await signed({ ...credentials, secretAccessKey: 'x'.repeat(40) }, '/api/v1/findings');
    assert.equal(wrongSecret.status, 401);

    async function signedHeaders(c: Credentials, route: string): Promise<Map<string, string>> {
      const [pathname, query = ''] = route.split('?');
      const signer = new SignatureV4({ service: 'yagura', region: 'us-east-1', credentials: c, sha256: Hash.bind(null, 'sha256') });
      const s = await signer.sign(new HttpRequest({ method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port, path: pathname!, query: Object.fromEntries(new URLSearchParams(query)), headers: { host: `127.0.0.1:${port}` } }), { signingDate: new Date(clock) });
      return new Map(Object.entries(s.headers).filter(([k]) => k !== 'host'));
    }
  });

  test('revoking the credentials, or their expiry, refuses them at the next request', async () => {
    const credentials = await assume(await issuer.sign({ sub: 'alice', aud: issuer.clientId }), { duration: 900 });
    assert.equal((await signed(credentials, '/api/v1/findings')).status, 200);
    const listed = await admin('GET', '/api/v1/role-sessions');
    assert.ok(listed.roleSessions.some((s: { accessKeyId: string; subject: string }) => s.accessKeyId === credentials.accessKeyId && s.subject.endsWith(' alice')));
    assert.ok(!JSON.stringify(listed).includes(credentials.secretAccessKey) && !JSON.stringify(listed).includes(credentials.sessionToken!), 'never the secrets');
    await admin('DELETE', `/api/v1/role-sessions/${credentials.accessKeyId}`);
    const revoked = await signed(credentials, '/api/v1/findings');
    assert.equal(revoked.status, 401);
    await assert.rejects(sts(credentials).send(new GetCallerIdentityCommand({})), (e: Error) => e.name === 'InvalidClientTokenId');

    const short = await assume(await issuer.sign({ sub: 'alice', aud: issuer.clientId }), { duration: 900 });
    clock += 901_000;
    try {
      const expired = await signed(short, '/api/v1/findings');
      assert.equal(expired.status, 401);
      assert.equal(((await expired.json()) as { error: { code: string } }).error.code, 'EXPIRED_CREDENTIALS');
      await assert.rejects(sts(short).send(new GetCallerIdentityCommand({})), (e: Error) => e.name === 'ExpiredTokenException');
    } finally {
      clock -= 901_000;
    }
  });

  test('the live stream of a signed request ends when its temporary credentials are revoked', { timeout: 20_000 }, async () => {
    const credentials = await assume(await issuer.sign({ sub: 'alice', aud: issuer.clientId }));
    const res = await signed(credentials, '/api/v1/stream');
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    const first = await reader.read();
    assert.equal(first.done, false, 'the stream opened');
    await admin('DELETE', `/api/v1/role-sessions/${credentials.accessKeyId}`);
    let text = '';
    const deadline = Date.now() + 10_000;
    for (;;) {
      const next = await Promise.race([reader.read(), new Promise<{ done: true; value: undefined }>((r) => setTimeout(() => r({ done: true, value: undefined }), Math.max(0, deadline - Date.now())))]);
      if (next.done) break;
      text += new TextDecoder().decode(next.value);
    }
    await reader.cancel().catch(() => undefined);
    assert.match(text, /event: closed/, 'the server ended the stream by itself');
    assert.ok(Date.now() < deadline, 'within seconds of the revocation');
  });

  test("refusals carry STS's codes: untrusted subject, alg none, expired token, no trust policy, bad duration", async () => {
    // The SDK names its exceptions after STS's codes, some with an `Exception` suffix.
    const refusedWith = async (attempt: Promise<unknown>, code: string): Promise<void> => {
      await assert.rejects(attempt, (e: Error) => {
        assert.ok(e.name === code || e.name === `${code}Exception`, `${e.name}: ${e.message}`);
        return true;
      });
    };
    await refusedWith(assume(await issuer.sign({ sub: 'mallory', aud: issuer.clientId })), 'AccessDenied');
    await refusedWith(assume(await issuer.sign({ sub: 'alice', aud: issuer.clientId }, { hostile: 'none' })), 'InvalidIdentityToken');
    await refusedWith(assume(await issuer.sign({ sub: 'alice', aud: issuer.clientId }, { hostile: 'hs256-public-pem' })), 'InvalidIdentityToken');
    const past = Math.floor(Date.now() / 1000) - 7200;
    await refusedWith(assume(await issuer.sign({ sub: 'alice', aud: issuer.clientId, iat: past, exp: past + 600 })), 'ExpiredTokenException');
    await refusedWith(assume(await issuer.sign({ sub: 'alice', aud: 'someone-else' })), 'InvalidIdentityToken');
    await refusedWith(assume(await issuer.sign({ sub: 'alice', aud: issuer.clientId }), { role: 'ldap-payments' }), 'AccessDenied');
    await refusedWith(assume(await issuer.sign({ sub: 'alice', aud: issuer.clientId }), { duration: 60 }), 'ValidationError');
    const badPolicy = await stsForm({ Action: 'AssumeRoleWithWebIdentity', RoleArn: 'arn:yagura:iam:::role/oidc-reader', RoleSessionName: 'x1', WebIdentityToken: await issuer.sign({ sub: 'alice', aud: issuer.clientId }), Policy: '{"Version":"2012-10-17"' });
    assert.equal(xmlCode(await badPolicy.text()), 'MalformedPolicyDocument');
    const unknown = await stsForm({ Action: 'AssumeRole' });
    assert.equal(unknown.status, 400);
    assert.equal(xmlCode(await unknown.text()), 'InvalidAction');
  });

  test('AssumeRoleWithLDAPIdentity as MinIO defines it: the directory checks the password, the role map picks the role', async () => {
    const ok = await stsForm({ Action: 'AssumeRoleWithLDAPIdentity', LDAPUsername: 'alice', LDAPPassword: 'alice-password' });
    const text = await ok.text();
    assert.equal(ok.status, 200, text);
    assert.match(text, /^<AssumeRoleWithLDAPIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><AssumeRoleWithLDAPIdentityResult><Credentials><AccessKeyId>ASIA/);
    const credentials = {
      accessKeyId: /<AccessKeyId>([^<]+)</.exec(text)![1]!,
      secretAccessKey: /<SecretAccessKey>([^<]+)</.exec(text)![1]!,
      sessionToken: /<SessionToken>([^<]+)</.exec(text)![1]!,
    };
    const who = await sts(credentials).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, 'arn:yagura:sts:::assumed-role/ldap-payments/alice');

    const wrong = await stsForm({ Action: 'AssumeRoleWithLDAPIdentity', LDAPUsername: 'alice', LDAPPassword: 'not-her-password' });
    assert.equal(wrong.status, 403);
    assert.equal(xmlCode(await wrong.text()), 'AccessDenied');
    const empty = await stsForm({ Action: 'AssumeRoleWithLDAPIdentity', LDAPUsername: 'alice', LDAPPassword: '' });
    assert.equal(xmlCode(await empty.text()), 'ValidationError');
    const unmapped = await stsForm({ Action: 'AssumeRoleWithLDAPIdentity', LDAPUsername: 'bob', LDAPPassword: 'bob-password' });
    assert.equal(xmlCode(await unmapped.text()), 'AccessDenied', 'bob is only in analysts, which maps to no role');
    const injected = await stsForm({ Action: 'AssumeRoleWithLDAPIdentity', LDAPUsername: '*)(uid=*', LDAPPassword: 'alice-password' });
    assert.equal(xmlCode(await injected.text()), 'AccessDenied');

    // The map is editable through the API: analysts now map too, and bob gets in.
    await admin('PUT', '/api/v1/federation/ldap/role-map', { map: { 'CN=Analysts, OU=Groups, DC=example, DC=org': 'oidc-reader' } });
    const mapped = await stsForm({ Action: 'AssumeRoleWithLDAPIdentity', LDAPUsername: 'bob', LDAPPassword: 'bob-password' });
    assert.equal(mapped.status, 200);
    const entries = (await admin('GET', '/api/v1/federation/ldap/role-map')).entries as { source: string }[];
    assert.deepEqual(entries.map((e) => e.source).sort(), ['api', 'config']);
    const bad = await h.app.inject({ method: 'PUT', url: '/api/v1/federation/ldap/role-map', headers: h.auth, payload: { map: { 'not a dn': 'x' } } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'INVALID_ROLE_MAP');

    // Every issuance and refusal is in the audit log with its reason; the password never is.
    const audit = await admin('GET', '/api/v1/audit?q=' + encodeURIComponent('action:"sts:AssumeRoleWithLDAPIdentity"') + '&size=50');
    const items = audit.entries as { reason?: string; decision: string }[];
    assert.ok(items.some((e) => e.decision === 'denied' && /wrong-password|InvalidCredentials|password/i.test(e.reason ?? '')), JSON.stringify(items));
    assert.ok(items.some((e) => e.decision === 'allowed' && /issued ASIA/.test(e.reason ?? '')));
    assert.ok(!JSON.stringify(audit).includes('alice-password') && !JSON.stringify(audit).includes('not-her-password'));
  });

  test('failed LDAP sign-ins slow the user name down with a 429, never a lock', async () => {
    let throttled: Response | undefined;
    for (let i = 0; i < 8 && throttled === undefined; i++) {
      const res = await stsForm({ Action: 'AssumeRoleWithLDAPIdentity', LDAPUsername: 'carol', LDAPPassword: `wrong-${i}` });
      if (res.status === 429) throttled = res;
    }
    assert.ok(throttled, 'throttled after a few failures');
    assert.equal(xmlCode(await throttled.text()), 'Throttling');
    assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
  });

  test("failed password sign-ins of a local user slow that user name down too, not another's", async () => {
    await admin('POST', '/api/v1/users', { name: 'dora', password: 'dora-password-long-enough' });
    const login = (username: string, password: string) =>
      fetch(`${url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-yagura-request': '1' }, body: JSON.stringify({ username, password }) });
    let throttled: Response | undefined;
    for (let i = 0; i < 8 && throttled === undefined; i++) {
      const res = await login('dora', `wrong-${i}`);
      if (res.status === 429) throttled = res;
    }
    assert.ok(throttled, 'throttled after a few failures');
    assert.equal(((await throttled.json()) as { error: { code: string } }).error.code, 'SIGN_IN_THROTTLED');
    assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
    const other = await login('nobody-else', 'wrong');
    assert.equal(other.status, 401, 'another user name is not slowed');
  });

  test('the dashboard signs in with LDAP into a session bound to temporary credentials; logging out revokes them', async () => {
    const login = await fetch(`${url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-yagura-request': '1' },
      body: JSON.stringify({ ldapUsername: 'alice', ldapPassword: 'alice-password' }),
    });
    // alice's groups now map to two roles (the map was extended above): she must choose one.
    assert.equal(login.status, 400);
    assert.match(((await login.json()) as { error: { message: string } }).error.message, /several roles/);
    const chosen = await fetch(`${url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-yagura-request': '1' },
      body: JSON.stringify({ ldapUsername: 'alice', ldapPassword: 'alice-password', role: 'ldap-payments' }),
    });
    assert.equal(chosen.status, 201, await chosen.clone().text());
    const cookie = chosen.headers.get('set-cookie')!.split(';')[0]!;
    const current = await fetch(`${url}/api/v1/sessions/current`, { headers: { cookie } });
    const session = (await current.json()) as { principal: { arn: string }; roleSession: { source: string; expiresAt: string } };
    assert.equal(session.principal.arn, 'arn:yagura:sts:::assumed-role/ldap-payments/alice');
    assert.equal(session.roleSession.source, 'ldap');
    const out = await fetch(`${url}/api/v1/sessions/current`, { method: 'DELETE', headers: { cookie, 'x-yagura-request': '1' } });
    assert.equal(out.status, 204);
    assert.equal((await fetch(`${url}/api/v1/findings`, { headers: { cookie } })).status, 401);
    const sessions = (await admin('GET', '/api/v1/role-sessions')).roleSessions as { role: string; source: string; revokedAt: string | null }[];
    assert.ok(sessions.some((s) => s.source === 'ldap' && s.revokedAt !== null), 'the credentials behind the session were revoked');
  });

  test('the dashboard signs in with OIDC: code flow with PKCE, state bound to the browser, session cookie at the end', async () => {
    const methods = (await (await fetch(`${url}/api/v1/sessions/methods`)).json()) as { ldap: boolean; oidc: { id: string; url: string }[] };
    assert.equal(methods.ldap, true);
    assert.deepEqual(methods.oidc.map((p) => p.id), ['test']);
    const start = await fetch(`${url}${methods.oidc[0]!.url}`, { redirect: 'manual' });
    assert.equal(start.status, 302);
    const stateCookie = start.headers.get('set-cookie')!.split(';')[0]!;
    const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    assert.equal(authorize.status, 302);
    const callback = authorize.headers.get('location')!;
    assert.ok(callback.startsWith(`${url}/api/v1/sessions/oidc/callback?`));
    // Without the browser's state cookie (login CSRF), the callback is refused.
    const foreign = await fetch(callback, { redirect: 'manual' });
    assert.equal(foreign.status, 400);
    const start2 = await fetch(`${url}${methods.oidc[0]!.url}`, { redirect: 'manual' });
    const cookie2 = start2.headers.get('set-cookie')!.split(';')[0]!;
    const back = await fetch((await fetch(start2.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!, { redirect: 'manual', headers: { cookie: cookie2 } });
    assert.equal(back.status, 302, await back.clone().text());
    assert.equal(back.headers.get('location'), '/');
    const session = back.headers.get('set-cookie')!.split(/,(?=\s*yagura_)/).map((c) => c.trim().split(';')[0]!).find((c) => c.startsWith('yagura_session='))!;
    const current = (await (await fetch(`${url}/api/v1/sessions/current`, { headers: { cookie: session } })).json()) as { principal: { arn: string }; roleSession: { source: string } };
    assert.equal(current.principal.arn, 'arn:yagura:sts:::assumed-role/oidc-reader/alice@example.org');
    assert.equal(current.roleSession.source, 'oidc:test');
    assert.match(stateCookie, /^yagura_oidc_state=/);
  });

  test("an API key's SigV4 credentials sign requests until the key is revoked", async () => {
    const created = await admin('POST', '/api/v1/keys', { name: 'signer', role: 'oidc-reader' });
    assert.match(created.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    const credentials = { accessKeyId: created.accessKeyId as string, secretAccessKey: created.secretAccessKey as string };
    const res = await signed(credentials, '/api/v1/findings?size=5');
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(((await res.json()) as { total: number }).total, 3, "the role's policies, no session policy");
    const who = await sts(credentials).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, 'arn:yagura:iam:::role/oidc-reader');
    const withToken = await signed({ ...credentials, sessionToken: 'ygt_not-for-long-term-keys' }, '/api/v1/findings');
    assert.equal(withToken.status, 401, 'a long-term key signs without a session token');
    assert.ok(!JSON.stringify(await admin('GET', '/api/v1/keys')).includes(credentials.secretAccessKey), 'listed without the secret');
    await admin('DELETE', `/api/v1/keys/${created.id}`);
    assert.equal((await signed(credentials, '/api/v1/findings')).status, 401);
    signingSecret = credentials.secretAccessKey;
  });

  test('a failed OIDC sign-in sends a browser back to the login page with the error code; a script still gets JSON', async () => {
    // As a browser navigates (fetch cannot send Sec-Fetch-Mode: navigate).
    const navigate = (target: string, cookie?: string): Promise<{ status: number; type: string; location: string; cookie: string; body: string }> =>
      new Promise((resolve, reject) => {
        const headers = { 'sec-fetch-mode': 'navigate', accept: 'text/html', ...(cookie !== undefined && { cookie }) };
        get(target, { headers }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () =>
            resolve({ status: res.statusCode!, type: res.headers['content-type'] ?? '', location: res.headers.location ?? '', cookie: res.headers['set-cookie']?.[0]?.split(';')[0] ?? '', body }),
          );
        }).on('error', reject);
      });
    const unknown = await navigate(`${url}/api/v1/sessions/oidc/nobody`);
    assert.equal(unknown.status, 404, 'the status stays the error');
    assert.match(unknown.type, /^text\/html/);
    assert.match(unknown.body, /<meta http-equiv="refresh" content="0; url=\/login\?error=PROVIDER_NOT_FOUND">/);
    assert.match(unknown.body, /there is no OpenID Connect provider with this id/);
    assert.match((await fetch(`${url}/api/v1/sessions/oidc/nobody`)).headers.get('content-type') ?? '', /^application\/json/);

    issuer.consent = 'deny';
    try {
      const start = await navigate(`${url}/api/v1/sessions/oidc/test`);
      assert.equal(start.status, 302);
      const callback = (await fetch(start.location, { redirect: 'manual' })).headers.get('location')!;
      const refused = await navigate(callback, start.cookie);
      assert.equal(refused.status, 401);
      assert.match(refused.body, /url=\/login\?error=UNAUTHENTICATED&amp;provider=test"/);
    } finally {
      issuer.consent = 'approve';
    }
    const audit = await admin('GET', '/api/v1/audit?q=' + encodeURIComponent('route:"/api/v1/sessions/oidc/callback"') + '&size=50');
    assert.ok((audit.entries as { status: number; errorCode: string | null; reason: string | null }[]).some((e) => e.status === 401 && e.errorCode === 'UNAUTHENTICATED' && /the provider refused/.test(e.reason ?? '')), JSON.stringify(audit.entries));
  });

  test('no temporary secret, session token or API key appears in clear in any file of the data folder', async () => {
    const credentials = await assume(await issuer.sign({ sub: 'alice', aud: issuer.clientId }));
    const needles = [credentials.secretAccessKey, credentials.sessionToken!, h.key, signingSecret];
    assert.ok(signingSecret.length === 40);
    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.name !== 'master.key') files.push(full);
      }
    };
    await walk(h.dir);
    assert.ok(files.some((f) => f.endsWith('.db')), 'the database is among the files searched');
    for (const file of files) {
      const bytes = await readFile(file);
      for (const needle of needles) assert.equal(bytes.indexOf(Buffer.from(needle)), -1, `${path.relative(h.dir, file)} holds a secret in clear`);
    }
  });
});

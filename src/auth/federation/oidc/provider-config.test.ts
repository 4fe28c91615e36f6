// OpenID Connect providers in the configuration file and the environment: defaults, refusals, and how env merges in.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { oidcConfigSchema, oidcProviderFromEnv, oidcProviderSchema, withOidcProviderFromEnv } from './provider-config.js';

const BASE = { id: 'corp', issuer: 'https://login.example.org/realms/corp', clientId: 'yagura' };

function problem(input: unknown, schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } } = oidcProviderSchema): string {
  const result = schema.safeParse(input);
  assert.equal(result.success, false, 'expected the configuration to be refused');
  const issue = result.error!.issues[0]!;
  return `${issue.path.join('.')}: ${issue.message}`;
}

describe('OIDC provider configuration', () => {
  test('fills the defaults: audiences are the client id, the display name is the id, groups and scopes as usual', () => {
    assert.deepEqual(oidcProviderSchema.parse(BASE), {
      ...BASE,
      displayName: 'corp',
      audiences: ['yagura'],
      groupsClaim: 'groups',
      scopes: ['openid', 'profile', 'email'],
      allowInsecureHttp: false,
    });
  });

  test('an empty section has no providers', () => {
    assert.deepEqual(oidcConfigSchema.parse(undefined), { providers: [] });
  });

  test('refuses a plain-HTTP issuer unless it is on loopback and allowInsecureHttp says so', () => {
    assert.match(problem({ ...BASE, issuer: 'http://login.example.org' }), /^issuer: an issuer must be https/);
    assert.match(problem({ ...BASE, issuer: 'http://127.0.0.1:8080' }), /^issuer: an issuer must be https/);
    assert.match(problem({ ...BASE, issuer: 'http://login.example.org', allowInsecureHttp: true }), /allowInsecureHttp is only for an issuer on a loopback address/);
    assert.equal(oidcProviderSchema.safeParse({ ...BASE, issuer: 'http://127.0.0.1:8080', allowInsecureHttp: true }).success, true);
    assert.equal(oidcProviderSchema.safeParse({ ...BASE, issuer: 'http://localhost:8080/realms/x', allowInsecureHttp: true }).success, true);
  });

  test('refuses an issuer with a query or fragment, scopes without openid, a bad id and unknown options', () => {
    assert.match(problem({ ...BASE, issuer: 'https://login.example.org/?tenant=a' }), /^issuer: an issuer has no query or fragment/);
    assert.match(problem({ ...BASE, scopes: ['profile'] }), /^scopes: the scopes must include openid/);
    assert.match(problem({ ...BASE, id: 'Corp SSO' }), /^id: a provider id is 1 to 64 characters/);
    assert.match(problem({ ...BASE, clientSecretFile: '/x' }), /clientSecretFile/);
    assert.match(problem({ ...BASE, issuer: 'ftp://login.example.org' }), /^issuer:/);
  });

  test('refuses two providers with the same id or the same issuer', () => {
    assert.match(problem({ providers: [BASE, { ...BASE, issuer: 'https://other.example.org' }] }, oidcConfigSchema), /^providers.1.id: another provider has the id "corp"/);
    assert.match(problem({ providers: [BASE, { ...BASE, id: 'corp2' }] }, oidcConfigSchema), /^providers.1.issuer: another provider has the issuer/);
  });
});

describe('OIDC provider from the environment', () => {
  const env = {
    YAGURA_OIDC_ISSUER: 'https://login.example.org/realms/corp',
    YAGURA_OIDC_CLIENT_ID: 'yagura',
    YAGURA_OIDC_CLIENT_SECRET: 's3cret-value',
    YAGURA_OIDC_AUDIENCES: 'yagura, sts.yagura',
    YAGURA_OIDC_SCOPES: 'openid email groups',
    YAGURA_OIDC_GROUPS_CLAIM: 'roles',
  };

  test('no YAGURA_OIDC_* variable means no provider', () => {
    assert.equal(oidcProviderFromEnv({}), undefined);
    assert.deepEqual(withOidcProviderFromEnv({ providers: [BASE] }, {}), { providers: [BASE] });
  });

  test('the variables describe one provider, id "oidc" unless named, validated like the file', () => {
    const section = oidcConfigSchema.parse(withOidcProviderFromEnv(undefined, env));
    assert.deepEqual(section.providers[0], {
      id: 'oidc',
      displayName: 'oidc',
      issuer: 'https://login.example.org/realms/corp',
      clientId: 'yagura',
      clientSecret: 's3cret-value',
      audiences: ['yagura', 'sts.yagura'],
      scopes: ['openid', 'email', 'groups'],
      groupsClaim: 'roles',
      allowInsecureHttp: false,
    });
  });

  test('the variables override the file\'s provider of the same id, so the secret can stay out of the file', () => {
    const file = { providers: [{ ...BASE, id: 'oidc', displayName: 'Corp SSO' }, { ...BASE, id: 'other', issuer: 'https://other.example.org' }] };
    const section = oidcConfigSchema.parse(withOidcProviderFromEnv(file, { YAGURA_OIDC_CLIENT_SECRET: 'from-env' }));
    assert.equal(section.providers.length, 2);
    assert.equal(section.providers[0]!.displayName, 'Corp SSO');
    assert.equal(section.providers[0]!.clientSecret, 'from-env');
    assert.equal(section.providers[1]!.id, 'other');
  });

  test('a provider named by YAGURA_OIDC_PROVIDER_ID is added after the file\'s', () => {
    const section = oidcConfigSchema.parse(withOidcProviderFromEnv({ providers: [BASE] }, { ...env, YAGURA_OIDC_PROVIDER_ID: 'ci', YAGURA_OIDC_ISSUER: 'https://token.ci.example.org' }));
    assert.deepEqual(section.providers.map((p) => p.id), ['corp', 'ci']);
  });

  test('an incomplete or malformed environment is refused by the same schema', () => {
    assert.match(problem(withOidcProviderFromEnv(undefined, { YAGURA_OIDC_CLIENT_ID: 'yagura' }), oidcConfigSchema), /^providers.0.issuer/);
    assert.match(problem(withOidcProviderFromEnv(undefined, { ...env, YAGURA_OIDC_ALLOW_INSECURE_HTTP: 'yes' }), oidcConfigSchema), /^providers.0.allowInsecureHttp/);
  });
});

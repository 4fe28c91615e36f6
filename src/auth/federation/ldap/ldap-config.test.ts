// LDAP settings: MinIO's variable names over the config file's `ldap` section, validated once, errors in one line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ldapConfigSchema, LdapConfigError, mergeLdapSettings, resolveLdapConfig } from './ldap-config.js';

const FILE = {
  serverAddr: 'ldap.example.org:636',
  lookupBindDn: 'cn=yagura,ou=services,dc=example,dc=org',
  lookupBindPassword: 'file-secret',
  userDnSearchBaseDn: 'ou=people,dc=example,dc=org',
  userDnSearchFilter: '(uid=%s)',
};

const ENV = {
  YAGURA_LDAP_SERVER_ADDR: 'ad.example.org:3269',
  YAGURA_LDAP_LOOKUP_BIND_DN: 'CN=svc-yagura,OU=Services,DC=corp,DC=example,DC=org',
  YAGURA_LDAP_LOOKUP_BIND_PASSWORD: 'env-secret',
  YAGURA_LDAP_USER_DN_SEARCH_BASE_DN: 'OU=People,DC=corp,DC=example,DC=org',
  YAGURA_LDAP_USER_DN_SEARCH_FILTER: '(&(objectCategory=person)(sAMAccountName=%s))',
  YAGURA_LDAP_GROUP_SEARCH_BASE_DN: 'OU=Groups,DC=corp,DC=example,DC=org',
  YAGURA_LDAP_GROUP_SEARCH_FILTER: '(&(objectClass=group)(member:1.2.840.113556.1.4.1941:=%d))',
  YAGURA_LDAP_TLS_SKIP_VERIFY: 'off',
  YAGURA_LDAP_SERVER_STARTTLS: 'on',
  YAGURA_LDAP_SERVER_INSECURE: 'false',
  YAGURA_LDAP_TLS_CA_FILE: '/etc/yagura/corp-ca.pem',
  YAGURA_LDAP_ROLE_MAP: '{"CN=Payments-Sec,OU=Groups,DC=corp,DC=example,DC=org":"Administrator"}',
  YAGURA_LDAP_CONNECT_TIMEOUT_SECONDS: '2.5',
  YAGURA_LDAP_TIMEOUT_SECONDS: '8',
};

/** The one-line error resolveLdapConfig throws for these settings. */
function problem(file: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    resolveLdapConfig(file, env);
  } catch (error) {
    assert.ok(error instanceof LdapConfigError, String(error));
    assert.equal(error.code, 'INVALID_CONFIG');
    assert.ok(!error.message.includes('\n'), error.message);
    return error.message;
  }
  assert.fail('expected the settings to be refused');
}

test('LDAP is off when neither the file nor the environment sets anything', () => {
  assert.equal(resolveLdapConfig(undefined, {}), undefined);
  assert.equal(resolveLdapConfig(undefined, { YAGURA_LDAP_SERVER_ADDR: '' }), undefined);
});

test('reads the file section with LDAPS, no group search and no role as defaults', () => {
  const c = resolveLdapConfig(FILE, {})!;
  assert.deepEqual(c, { ...FILE, tlsSkipVerify: false, serverStartTls: false, serverInsecure: false, roleMap: {}, connectTimeoutSeconds: 5, timeoutSeconds: 10 });
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.roleMap));
});

test('reads every setting from its MinIO-named variable, and a variable wins over the file', () => {
  const c = resolveLdapConfig({ ...FILE, roleMap: { 'cn=x,dc=org': 'Other' } }, ENV)!;
  assert.deepEqual(c, {
    serverAddr: 'ad.example.org:3269',
    lookupBindDn: 'CN=svc-yagura,OU=Services,DC=corp,DC=example,DC=org',
    lookupBindPassword: 'env-secret',
    userDnSearchBaseDn: 'OU=People,DC=corp,DC=example,DC=org',
    userDnSearchFilter: '(&(objectCategory=person)(sAMAccountName=%s))',
    groupSearchBaseDn: 'OU=Groups,DC=corp,DC=example,DC=org',
    groupSearchFilter: '(&(objectClass=group)(member:1.2.840.113556.1.4.1941:=%d))',
    tlsSkipVerify: false,
    serverStartTls: true,
    serverInsecure: false,
    tlsCaFile: '/etc/yagura/corp-ca.pem',
    roleMap: { 'CN=Payments-Sec,OU=Groups,DC=corp,DC=example,DC=org': 'Administrator' },
    connectTimeoutSeconds: 2.5,
    timeoutSeconds: 8,
  });
});

test('merges without validating, so the configuration loader can validate the whole document once', () => {
  assert.deepEqual(mergeLdapSettings({ serverAddr: 'a:1', extra: true }, { YAGURA_LDAP_SERVER_INSECURE: 'on' }), { serverAddr: 'a:1', extra: true, serverInsecure: true });
  assert.equal(mergeLdapSettings(undefined, {}), undefined);
  // The schema the loader nests under `ldap` refuses what resolveLdapConfig refuses.
  assert.equal(ldapConfigSchema.safeParse({ ...FILE, extra: true }).success, false);
});

test('refuses bad values with one sentence naming the setting and its variable', () => {
  const cases: Array<[unknown, NodeJS.ProcessEnv, RegExp]> = [
    [{ ...FILE, serverAddr: undefined }, {}, /^invalid configuration: ldap\.serverAddr \(YAGURA_LDAP_SERVER_ADDR\): this setting is required$/],
    [FILE, { YAGURA_LDAP_SERVER_ADDR: 'ldaps://ldap.example.org' }, /ldap\.serverAddr \(YAGURA_LDAP_SERVER_ADDR\): the server address is host or host:port/],
    [FILE, { YAGURA_LDAP_SERVER_ADDR: 'ldap.example.org:70000' }, /ldap\.serverAddr.*between 1 and 65535/],
    [{ ...FILE, lookupBindPassword: '' }, {}, /ldap\.lookupBindPassword \(YAGURA_LDAP_LOOKUP_BIND_PASSWORD\): the lookup bind password must not be empty/],
    [{ ...FILE, lookupBindDn: 'svc-yagura' }, {}, /ldap\.lookupBindDn .*not a distinguished name/],
    [FILE, { YAGURA_LDAP_USER_DN_SEARCH_FILTER: '(uid=alice)' }, /ldap\.userDnSearchFilter \(YAGURA_LDAP_USER_DN_SEARCH_FILTER\): the filter must contain %s/],
    [FILE, { YAGURA_LDAP_USER_DN_SEARCH_FILTER: '(uid=%s' }, /ldap\.userDnSearchFilter .*not a valid LDAP search filter/],
    [{ ...FILE, groupSearchBaseDn: 'ou=groups,dc=example,dc=org' }, {}, /ldap\.groupSearchFilter .*set both or neither/],
    [{ ...FILE, groupSearchBaseDn: 'ou=groups,dc=org', groupSearchFilter: '(cn=admins)' }, {}, /ldap\.groupSearchFilter .*must contain %s or %d/],
    [FILE, { YAGURA_LDAP_SERVER_INSECURE: 'on', YAGURA_LDAP_SERVER_STARTTLS: 'on' }, /ldap\.serverStartTls .*cannot both be on/],
    [FILE, { YAGURA_LDAP_TLS_SKIP_VERIFY: 'yes' }, /^YAGURA_LDAP_TLS_SKIP_VERIFY must be on or off/],
    [FILE, { YAGURA_LDAP_TIMEOUT_SECONDS: 'ten' }, /^YAGURA_LDAP_TIMEOUT_SECONDS must be a number of seconds/],
    [FILE, { YAGURA_LDAP_TIMEOUT_SECONDS: '0' }, /ldap\.timeoutSeconds/],
    [FILE, { YAGURA_LDAP_ROLE_MAP: '{"cn=a,dc=org":' }, /^YAGURA_LDAP_ROLE_MAP must be a JSON object from DN to role name/],
    [FILE, { YAGURA_LDAP_ROLE_MAP: '["cn=a,dc=org"]' }, /ldap\.roleMap \(YAGURA_LDAP_ROLE_MAP\)/],
    [{ ...FILE, roleMap: { admins: 'Administrator' } }, {}, /ldap\.roleMap\["admins"\] \(YAGURA_LDAP_ROLE_MAP\): the key is not a distinguished name/],
    [{ ...FILE, roleMap: { 'cn=a,dc=org': 'has space' } }, {}, /ldap\.roleMap\["cn=a,dc=org"\].*role name/],
    [{ ...FILE, roleMap: { 'cn=a,dc=org': 'A', 'CN=A, DC=org': 'B' } }, {}, /ldap\.roleMap\["CN=A, DC=org"\].*same DN as "cn=a,dc=org"/],
    [{ ...FILE, colour: 'red' }, {}, /ldap.*colour/],
    ['ldap.example.org', {}, /^ldap must be an object/],
  ];
  for (const [file, env, expected] of cases) assert.match(problem(file, env), expected);
});

test('never puts the lookup password in an error', () => {
  const message = problem({ ...FILE, lookupBindPassword: 'x'.repeat(2000) }, {});
  assert.match(message, /ldap\.lookupBindPassword/);
  assert.ok(!message.includes('xxxx'));
  const wrongType = problem({ ...FILE, lookupBindPassword: 42 }, {});
  assert.match(wrongType, /ldap\.lookupBindPassword \(YAGURA_LDAP_LOOKUP_BIND_PASSWORD\): expected string, received number$/);
  assert.ok(!wrongType.includes('42'));
});

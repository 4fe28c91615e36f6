// LDAP sign-in against a real OpenLDAP server (slapd) holding test/fixtures/ldap/directory.ldif.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { Client } from 'ldapts';
import { LdapAuthError, type LdapAuthErrorCode, type LdapAuthReason } from '../../src/auth/federation/ldap/ldap-auth-error.js';
import { ldapConfigSchema, LdapConfigError } from '../../src/auth/federation/ldap/ldap-config.js';
import { buildLdapDirectory, LdapDirectory } from '../../src/auth/federation/ldap/ldap-directory.js';
import { sameDn } from '../../src/auth/federation/ldap/dn.js';
import { rolesFor } from '../../src/auth/federation/ldap/roles.js';
import { ldapSettings, startSlapd, type Slapd } from '../support/slapd.js';

let slapd: Slapd;

before(async () => {
  slapd = await startSlapd();
});

after(async () => {
  await slapd?.stop();
});

type Settings = Partial<Record<keyof import('../../src/auth/federation/ldap/ldap-config.js').LdapConfig, unknown>>;

/** Validated settings for the test directory: LDAPS (the default) with the lookup account and group search. */
function settings(overrides: Settings = {}): ReturnType<typeof ldapConfigSchema.parse> {
  const { tlsCaFile: _ca, ...common } = ldapSettings(slapd);
  return ldapConfigSchema.parse({
    ...common,
    connectTimeoutSeconds: 2,
    timeoutSeconds: 2,
    ...overrides,
  });
}

/** The directory client, trusting the test CA unless told not to. */
function directory(overrides: Settings = {}, trust: { testCa: boolean } = { testCa: true }): LdapDirectory {
  return new LdapDirectory(settings(overrides), trust.testCa ? slapd.caPem : undefined);
}

const UNTRUSTED = { testCa: false };

/** Asserts the sign-in is refused with this code and reason (or one of these reasons), and returns the error. */
async function refused(attempt: Promise<unknown>, code: LdapAuthErrorCode, reason: LdapAuthReason | readonly LdapAuthReason[]): Promise<LdapAuthError> {
  try {
    await attempt;
  } catch (error) {
    assert.ok(error instanceof LdapAuthError, `expected an LdapAuthError, got ${String(error)}`);
    const why = `${error.code}/${error.reason} (${error.detail ?? ''})`;
    assert.equal(error.code, code, why);
    assert.ok(typeof reason === 'string' ? error.reason === reason : reason.includes(error.reason), why);
    return error;
  }
  assert.fail(`expected ${code} (${reason}), but the sign-in succeeded`);
}

/**
 * slapd's numbers of the connections opened while `work` ran. slapd numbers connections in order; two marker
 * connections (anonymous binds with unique DNs) bracket the work, so log lines still in the pipe from earlier
 * tests cannot be miscounted.
 */
async function connectionsDuring(work: () => Promise<void>): Promise<number[]> {
  const before = await markerConnection();
  await work();
  const after = await markerConnection();
  return slapd.log
    .filter((line) => line.includes(' ACCEPT '))
    .map((line) => Number(/conn=(\d+)/.exec(line)![1]))
    .filter((conn) => conn > before && conn < after);
}

async function markerConnection(): Promise<number> {
  const dn = `cn=marker-${randomUUID()},dc=example,dc=org`;
  const client = new Client({ url: `ldap://127.0.0.1:${slapd.ldapPort}` });
  await client.bind(dn, '');
  await client.unbind();
  return Number(/conn=(\d+)/.exec(await slapd.waitForLog(new RegExp(`BIND dn="${dn}"`)))![1]);
}

/** Everything a caller or a log could print of the error. */
function printed(error: LdapAuthError): string {
  return `${error.message} ${error.detail ?? ''} ${error.stack ?? ''} ${JSON.stringify(error)}`;
}

test('signs a user in over LDAPS and returns her DN, her groups and her directory attributes', async () => {
  const identity = await directory().authenticate('alice', 'alice-password');
  assert.equal(identity.userDn, 'uid=alice,ou=people,dc=example,dc=org');
  assert.equal(identity.username, 'alice');
  assert.deepEqual([...identity.groups].sort(), ['cn=analysts,ou=groups,dc=example,dc=org', 'cn=payments-sec,ou=groups,dc=example,dc=org']);
  assert.deepEqual(identity.attributes, { uid: 'alice', cn: 'Alice Martin', mail: 'alice@example.org', displayName: 'Alice Martin' });
});

test('refuses a wrong password without the password appearing in the error', async () => {
  const error = await refused(directory().authenticate('alice', 'not-alices-password'), 'InvalidCredentials', 'wrong-password');
  assert.ok(!printed(error).includes('not-alices-password'));
});

test('refuses an unknown user and a disabled account exactly as a wrong password; only the reason differs', async () => {
  const wrong = await refused(directory().authenticate('alice', 'guess'), 'InvalidCredentials', 'wrong-password');
  const unknown = await refused(directory().authenticate('nobody', 'guess'), 'InvalidCredentials', 'unknown-user');
  // dave's password is right: the directory refuses the bind because ppolicy locks his account.
  const disabled = await refused(directory().authenticate('dave', 'dave-password'), 'InvalidCredentials', 'account-disabled');
  assert.equal(unknown.message, wrong.message);
  assert.equal(disabled.message, wrong.message);
});

test('refuses an empty password before any connection, though this directory takes a DN with no password as an anonymous bind', async () => {
  // The hazard is real: slapd here (allow bind_anon_dn), like Active Directory, answers success to this bind.
  const raw = new Client({ url: `ldap://127.0.0.1:${slapd.ldapPort}` });
  await raw.bind('uid=alice,ou=people,dc=example,dc=org', '');
  await raw.unbind();

  const opened = await connectionsDuring(async () => {
    await refused(directory().authenticate('alice', ''), 'ValidationError', 'empty-password');
    // With a lookup password the directory refuses, any bind would have failed as lookup-bind-failed instead.
    await refused(directory({ lookupBindPassword: 'wrong-lookup-password' }).authenticate('alice', ''), 'ValidationError', 'empty-password');
  });
  assert.deepEqual(opened, [], 'no connection reached slapd');
});

test('refuses empty, oversized and control-character usernames and oversized passwords before any connection', async () => {
  const unreachable = directory({ serverAddr: '127.0.0.1:1' });
  await refused(unreachable.authenticate('', 'alice-password'), 'ValidationError', 'empty-username');
  await refused(unreachable.authenticate('a'.repeat(257), 'alice-password'), 'ValidationError', 'username-too-long');
  await refused(unreachable.authenticate('alice\u0000', 'alice-password'), 'ValidationError', 'username-not-text');
  await refused(unreachable.authenticate('alice\n', 'alice-password'), 'ValidationError', 'username-not-text');
  await refused(unreachable.authenticate('alice', 'x'.repeat(1025)), 'ValidationError', 'password-too-long');
});

test('injection in the username never matches another user: filter syntax arrives escaped, as plain characters', async () => {
  // Unescaped, the first payload would match every person.
  const raw = new Client({ url: `ldap://127.0.0.1:${slapd.ldapPort}` });
  await raw.bind(slapd.lookup.dn, slapd.lookup.password);
  const { searchEntries } = await raw.search('ou=people,dc=example,dc=org', { filter: '(&(objectClass=inetOrgPerson)(uid=*)(uid=*))' });
  await raw.unbind();
  assert.ok(searchEntries.length > 2);

  const payloads = ['*)(uid=*', 'admin)(|(x=*', '*', 'adm*', '\\', 'admin\\29', '%d', '%s', 'admin)(uid=admin'];
  for (const username of payloads) {
    for (const password of ['admin-password', 'alice-password']) {
      await refused(directory().authenticate(username, password), 'InvalidCredentials', 'unknown-user');
    }
  }
  await refused(directory().authenticate('admin\u0000', 'admin-password'), 'ValidationError', 'username-not-text');
});

test("searches groups with the user's DN escaped for the filter, even when it holds an escaped comma", async () => {
  const identity = await directory().authenticate('eve', 'eve-password');
  // slapd spells the comma \2C; the DN is the same.
  assert.ok(sameDn(identity.userDn, 'cn=Smith\\, Eve,ou=people,dc=example,dc=org'), identity.userDn);
  assert.deepEqual(identity.groups, ['cn=eve-team,ou=groups,dc=example,dc=org']);
});

test('refuses a user search filter that matches more than one entry', async () => {
  await refused(directory({ userDnSearchFilter: '(sn=%s)' }).authenticate('Martin', 'alice-password'), 'InvalidCredentials', 'ambiguous-user');
});

test('maps group and user DNs to roles whatever their case and spacing; no mapping gives no role', async () => {
  const roleMap = {
    'CN=Payments-Sec, OU=Groups, DC=Example, DC=Org': 'Administrator',
    'cn=analysts,ou=groups,dc=example,dc=org': 'Analyst',
    'UID=bob , ou=People,dc=example,dc=org': 'Reviewer',
  };
  const ldap = directory({ roleMap });
  assert.deepEqual(rolesFor(await ldap.authenticate('alice', 'alice-password'), roleMap), ['Administrator', 'Analyst']);
  assert.deepEqual(rolesFor(await ldap.authenticate('bob', 'bob-password'), roleMap), ['Analyst', 'Reviewer']);
  assert.deepEqual(rolesFor(await ldap.authenticate('carol', 'carol-password'), roleMap), []);
});

test('LDAPS trusts the test CA when given it, refuses the server without it, and accepts it with tlsSkipVerify', async () => {
  assert.equal((await buildLdapDirectory(settings({ tlsCaFile: slapd.caFile })).authenticate('alice', 'alice-password')).username, 'alice');
  await refused(directory({}, UNTRUSTED).authenticate('alice', 'alice-password'), 'DirectoryUnavailable', 'tls-failed');
  assert.equal((await directory({ tlsSkipVerify: true }, UNTRUSTED).authenticate('alice', 'alice-password')).username, 'alice');
});

test('refuses a CA file that cannot be read with a sentence naming the setting', () => {
  assert.throws(() => buildLdapDirectory(settings({ tlsCaFile: '/nonexistent/ca.pem' })), (e: unknown) => e instanceof LdapConfigError && /ldap\.tlsCaFile \(YAGURA_LDAP_TLS_CA_FILE\): cannot read/.test(e.message));
});

test('StartTLS upgrades the plain connection before the first bind, and refuses an untrusted certificate', async () => {
  const [conn] = await connectionsDuring(async () => {
    const identity = await directory({ serverAddr: `127.0.0.1:${slapd.ldapPort}`, serverStartTls: true }).authenticate('alice', 'alice-password');
    assert.equal(identity.userDn, 'uid=alice,ou=people,dc=example,dc=org');
  });
  const ops = slapd.log.filter((line) => line.includes(`conn=${conn} op=`));
  assert.match(ops[0]!, /op=0 EXT oid=1\.3\.6\.1\.4\.1\.1466\.20037$/, 'the first operation on the connection is the StartTLS request');
  assert.ok(ops.findIndex((line) => / STARTTLS$/.test(line)) < ops.findIndex((line) => line.includes(' BIND ')), 'StartTLS comes before any bind');

  await refused(directory({ serverAddr: `127.0.0.1:${slapd.ldapPort}`, serverStartTls: true }, UNTRUSTED).authenticate('alice', 'alice-password'), 'DirectoryUnavailable', 'tls-failed');
});

test('speaks plain LDAP only when serverInsecure says so', async () => {
  assert.equal((await directory({ serverAddr: `127.0.0.1:${slapd.ldapPort}`, serverInsecure: true }).authenticate('alice', 'alice-password')).username, 'alice');
  // The default is LDAPS: a TLS handshake with a plain LDAP port fails (slapd resets it) rather than falling back.
  const error = await refused(directory({ serverAddr: `127.0.0.1:${slapd.ldapPort}` }).authenticate('alice', 'alice-password'), 'DirectoryUnavailable', ['tls-failed', 'unreachable']);
  assert.ok(!printed(error).includes('alice-password'));
});

test('a lookup account the directory refuses is DirectoryUnavailable, not the user being wrong', async () => {
  const error = await refused(directory({ lookupBindPassword: 'wrong-lookup-password' }).authenticate('alice', 'alice-password'), 'DirectoryUnavailable', 'lookup-bind-failed');
  assert.ok(!printed(error).includes('wrong-lookup-password') && !printed(error).includes('alice-password'));
});

test('closes every connection it opens, after success and after refusal', async () => {
  const opened = await connectionsDuring(async () => {
    await directory().authenticate('alice', 'alice-password');
    await refused(directory().authenticate('alice', 'guess'), 'InvalidCredentials', 'wrong-password');
    await refused(directory().authenticate('nobody', 'guess'), 'InvalidCredentials', 'unknown-user');
  });
  assert.equal(opened.length, 3);
  for (const conn of opened) await slapd.waitForLog(new RegExp(`conn=${conn} fd=\\d+ closed`));
});

/** A TCP server that accepts connections and never answers: a directory that hangs. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

async function timed<T>(work: Promise<T>): Promise<[T, number]> {
  const start = Date.now();
  const result = await work;
  return [result, Date.now() - start];
}

test('an unreachable directory is DirectoryUnavailable at once', async () => {
  // A port that was just listening and is now closed: connections are refused.
  const server = await silentServer();
  await server.close();
  const port = server.port;
  const [, ms] = await timed(refused(directory({ serverAddr: `127.0.0.1:${port}` }).authenticate('alice', 'alice-password'), 'DirectoryUnavailable', 'unreachable'));
  // The refusal is immediate; the bound is the 2 s connect timeout, generous for a busy machine.
  assert.ok(ms < 2000, `took ${ms} ms`);
});

test('a directory that accepts connections but never answers is DirectoryUnavailable after the timeout, in every mode', async () => {
  const silent = await silentServer();
  try {
    const quick = { serverAddr: `127.0.0.1:${silent.port}`, connectTimeoutSeconds: 0.3, timeoutSeconds: 0.3 };
    for (const mode of [{}, { serverStartTls: true }, { serverInsecure: true }]) {
      const [error, ms] = await timed(refused(directory({ ...quick, ...mode }).authenticate('alice', 'alice-password'), 'DirectoryUnavailable', 'timeout'));
      assert.ok(ms < 3000, `${JSON.stringify(mode)} took ${ms} ms (${error.detail ?? ''})`);
    }
  } finally {
    await silent.close();
  }
});

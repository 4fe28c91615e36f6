// A real OpenLDAP server for tests: Debian's slapd on loopback, ldap:// (with StartTLS) and ldaps:// with a test CA.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const MODULES = '/usr/lib/ldap';
const SCHEMAS = ['core', 'cosine', 'inetorgperson', 'nis'].map((name) => `/etc/ldap/schema/${name}.schema`);

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/ldap');

export interface Slapd {
  readonly host: '127.0.0.1';
  /** Plain LDAP, where StartTLS is offered. */
  readonly ldapPort: number;
  readonly ldapsPort: number;
  /** PEM of the CA that signed the server's certificate (for 127.0.0.1 and localhost), and its file. */
  readonly caPem: string;
  readonly caFile: string;
  readonly baseDn: string;
  /** The service account the fixture defines for user and group searches. */
  readonly lookup: { readonly dn: string; readonly password: string };
  /** slapd's "stats" log so far, one line per entry (connections, binds, searches, StartTLS). */
  readonly log: readonly string[];
  /** Resolves with the first line from index `from` on matching `pattern`. */
  waitForLog(pattern: RegExp, from?: number, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export interface SlapdOptions {
  /** LDIF loaded before start; test/fixtures/ldap/directory.ldif by default. */
  readonly fixture?: string;
}

/** Fails (never skips) with a sentence saying what to install when slapd or its modules are missing. */
function checkInstalled(): void {
  const missing = [SLAPD, SLAPADD, `${MODULES}/back_mdb.so`, `${MODULES}/ppolicy.so`, ...SCHEMAS].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(`the LDAP tests need OpenLDAP's slapd: install the slapd and ldap-utils packages (apt-get install slapd ldap-utils); missing ${missing.join(', ')}`);
  }
}

/** Starts slapd on free loopback ports with the fixture loaded; resolves once both ports accept connections. */
export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  checkInstalled();
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-slapd-'));
  try {
    const caFile = await makeCertificates(dir);
    const config = await writeConfig(dir);
    // slapadd loads the LDIF offline, which is quicker than ldapadd and may set ppolicy's lock attribute.
    await run(SLAPADD, ['-q', '-f', config, '-l', options.fixture ?? path.join(FIXTURES, 'directory.ldif')]);
    // Another process can take a port between our check and slapd's bind; try fresh ports then.
    for (let attempt = 1; ; attempt++) {
      const [ldapPort, ldapsPort] = await freePorts(2);
      try {
        return await launch(dir, config, caFile, ldapPort!, ldapsPort!);
      } catch (error) {
        if (attempt >= 3 || !/Address already in use|bind\(\d+\) failed/.test((error as Error).message)) throw error;
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function launch(dir: string, config: string, caFile: string, ldapPort: number, ldapsPort: number): Promise<Slapd> {
  const urls = `ldap://127.0.0.1:${ldapPort}/ ldaps://127.0.0.1:${ldapsPort}/`;
  // -d 256 keeps slapd in the foreground (so it is our child to stop) and writes the stats log to stderr.
  const child = spawn(SLAPD, ['-f', config, '-h', urls, '-d', '256'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  let partial = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    log.push(...lines);
  });
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `slapd exited (${signal ?? code}): ${[...log, partial].slice(-5).join(' | ')}`));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(ldapPort, () => exited);
    await waitForPort(ldapsPort, () => exited);
  } catch (error) {
    await stopChild(child);
    process.removeListener('exit', killOnExit);
    throw error;
  }
  return {
    host: '127.0.0.1',
    ldapPort,
    ldapsPort,
    caPem: await readFile(caFile, 'utf8'),
    caFile,
    baseDn: 'dc=example,dc=org',
    lookup: { dn: 'cn=yagura-lookup,ou=services,dc=example,dc=org', password: 'lookup-secret' },
    log,
    waitForLog: async (pattern, from = 0, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const line = log.slice(from).find((l) => pattern.test(l));
        if (line !== undefined) return line;
        if (Date.now() > deadline) throw new Error(`slapd logged nothing matching ${pattern} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    stop,
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

/** Polls until the port accepts a TCP connection; a busy machine may take seconds, so the limit is generous. */
async function waitForPort(port: number, exited: () => string | undefined, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = exited();
    if (why !== undefined) throw new Error(why);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`slapd did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** A throwaway CA and a server certificate for 127.0.0.1 and localhost, made with the openssl CLI. */
async function makeCertificates(dir: string): Promise<string> {
  const tls = path.join(dir, 'tls');
  await mkdir(tls);
  const file = (name: string): string => path.join(tls, name);
  const openssl = async (args: string[]): Promise<void> => {
    try {
      await run('openssl', args);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('the LDAP tests make their test CA with the openssl command: install the openssl package');
      throw error;
    }
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', '/CN=Yagura test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await openssl(['req', '-new', ...ec, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
  await openssl(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-set_serial', `0x${Date.now().toString(16)}`,
    '-days', '2', '-copy_extensions', 'copy', '-out', file('server.pem')]);
  return file('ca.pem');
}

async function writeConfig(dir: string): Promise<string> {
  const db = path.join(dir, 'db');
  await mkdir(db);
  const file = path.join(dir, 'slapd.conf');
  await writeFile(
    file,
    [
      ...SCHEMAS.map((schema) => `include ${schema}`),
      `modulepath ${MODULES}`,
      'moduleload back_mdb',
      'moduleload ppolicy',
      `pidfile ${path.join(dir, 'slapd.pid')}`,
      `argsfile ${path.join(dir, 'slapd.args')}`,
      // As Active Directory does, accept a bind with a DN and an empty password as anonymous: the tests prove
      // the client refuses an empty password itself instead of relying on the server.
      'allow bind_anon_dn',
      `TLSCACertificateFile ${path.join(dir, 'tls/ca.pem')}`,
      `TLSCertificateFile ${path.join(dir, 'tls/server.pem')}`,
      `TLSCertificateKeyFile ${path.join(dir, 'tls/server.key')}`,
      'database mdb',
      'maxsize 33554432',
      'suffix "dc=example,dc=org"',
      'rootdn "cn=manager,dc=example,dc=org"',
      `directory ${db}`,
      'overlay ppolicy',
      'ppolicy_default "cn=default,ou=policies,dc=example,dc=org"',
      'ppolicy_use_lockout',
      // Passwords only serve binds; signed-in accounts read the rest; anonymous clients read nothing.
      'access to attrs=userPassword by anonymous auth by * none',
      'access to * by users read by * none',
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * The `ldap` settings that reach the fixture directory: LDAPS with the test CA by default, or `plain` LDAP (the
 * tests that run `yagura serve` from a configuration file), with the lookup account and group search.
 */
export function ldapSettings(slapd: Slapd, options: { readonly plain?: boolean } = {}): Record<string, unknown> {
  return {
    ...(options.plain ? { serverAddr: `127.0.0.1:${slapd.ldapPort}`, serverInsecure: true } : { serverAddr: `127.0.0.1:${slapd.ldapsPort}`, tlsCaFile: slapd.caFile }),
    lookupBindDn: slapd.lookup.dn,
    lookupBindPassword: slapd.lookup.password,
    userDnSearchBaseDn: 'ou=people,dc=example,dc=org',
    userDnSearchFilter: '(&(objectClass=inetOrgPerson)(uid=%s))',
    groupSearchBaseDn: 'ou=groups,dc=example,dc=org',
    groupSearchFilter: '(&(objectClass=groupOfNames)(member=%d))',
  };
}

// LDAP settings with MinIO's names: the config file's `ldap` section and YAGURA_LDAP_* variables (which win).
import { z } from 'zod';
import { NAME_PATTERN } from '../../principals/names.js';
import { normalizeDn } from './dn.js';
import { filterTemplateProblem } from './filter-template.js';

export class LdapConfigError extends Error {
  /** The same code as the configuration loader's ConfigError, so the composition root reports both alike. */
  readonly code = 'INVALID_CONFIG';
}

const dn = (what: string): z.ZodString =>
  z.string().min(1, `the ${what} must not be empty`).max(2048).refine((text) => normalizeDn(text) !== undefined, `the ${what} is not a distinguished name (RFC 4514), e.g. ou=people,dc=example,dc=org`);

const filterTemplate = (placeholders: ReadonlyArray<'%s' | '%d'>): z.ZodString =>
  z.string().min(1).max(4096).superRefine((template, ctx) => {
    const problem = filterTemplateProblem(template, placeholders);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });

/** host, host:port or [IPv6]:port; the port defaults to 636 for LDAPS and 389 otherwise. */
const SERVER_ADDR = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}))(?::(\d{1,5}))?$/;

/**
 * DN of a user or group → Yagura role name. DNs match by normal form (see normalizeDn), so two keys naming
 * the same DN are refused rather than one silently winning.
 */
export const roleMapSchema = z
  .record(z.string().max(2048), z.string().regex(NAME_PATTERN, 'a role name is 1 to 64 characters among A-Z a-z 0-9 + = , . @ _ -'))
  .superRefine((map, ctx) => {
    const seen = new Map<string, string>();
    for (const key of Object.keys(map)) {
      const normal = normalizeDn(key);
      if (normal === undefined || normal === '') {
        ctx.addIssue({ code: 'custom', path: [key], message: 'the key is not a distinguished name (RFC 4514), e.g. cn=admins,ou=groups,dc=example,dc=org' });
      } else if (seen.has(normal)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `the key names the same DN as "${seen.get(normal)}"` });
      } else {
        seen.set(normal, key);
      }
    }
  });

export type LdapRoleMap = Readonly<Record<string, string>>;

export const ldapConfigSchema = z
  .object({
    /** host:port of the directory (MinIO's SERVER_ADDR). */
    serverAddr: z
      .string()
      .regex(SERVER_ADDR, 'the server address is host or host:port, e.g. ldap.example.org:636')
      .refine((text) => {
        const port = SERVER_ADDR.exec(text)?.[1];
        return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
      }, 'the port must be between 1 and 65535'),
    /** The service account that searches users and groups; required, as MinIO requires it. */
    lookupBindDn: dn('lookup bind DN'),
    lookupBindPassword: z.string().min(1, 'the lookup bind password must not be empty (an empty password is an anonymous bind)').max(1024),
    userDnSearchBaseDn: dn('user search base DN'),
    /** `%s` is the username, escaped; e.g. `(&(objectClass=person)(uid=%s))`. */
    userDnSearchFilter: filterTemplate(['%s']),
    groupSearchBaseDn: dn('group search base DN').optional(),
    /** `%s` is the username and `%d` the user's DN, both escaped; e.g. `(&(objectClass=groupOfNames)(member=%d))`. */
    groupSearchFilter: filterTemplate(['%s', '%d']).optional(),
    /** Accept any server certificate: for testing only. */
    tlsSkipVerify: z.boolean().default(false),
    /** Connect with plain LDAP and upgrade with StartTLS before any bind. */
    serverStartTls: z.boolean().default(false),
    /** Plain ldap:// with no TLS at all; passwords then cross the network in clear. */
    serverInsecure: z.boolean().default(false),
    /** PEM file of the CA(s) that signed the directory's certificate, when it is not a public one. */
    tlsCaFile: z.string().min(1).max(4096).optional(),
    roleMap: roleMapSchema.default({}),
    /** Time to open the TCP connection (and, for LDAPS, finish the TLS handshake). */
    connectTimeoutSeconds: z.number().min(0.1).max(120).default(5),
    /** Time each LDAP operation (bind, search, StartTLS) may take. */
    timeoutSeconds: z.number().min(0.1).max(300).default(10),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.serverInsecure && c.serverStartTls) {
      ctx.addIssue({ code: 'custom', path: ['serverStartTls'], message: 'serverInsecure (no TLS) and serverStartTls cannot both be on' });
    }
    if ((c.groupSearchBaseDn === undefined) !== (c.groupSearchFilter === undefined)) {
      ctx.addIssue({ code: 'custom', path: [c.groupSearchBaseDn === undefined ? 'groupSearchBaseDn' : 'groupSearchFilter'], message: 'groupSearchBaseDn and groupSearchFilter go together: set both or neither' });
    }
  });

export type LdapConfig = Readonly<z.infer<typeof ldapConfigSchema>>;

type Kind = 'string' | 'boolean' | 'number' | 'json';

/** Each variable, the setting it fills, and how its text is read. Kept in the order of docs/federation.md. */
export const LDAP_ENV: ReadonlyArray<readonly [env: string, key: keyof LdapConfig, kind: Kind]> = [
  ['YAGURA_LDAP_SERVER_ADDR', 'serverAddr', 'string'],
  ['YAGURA_LDAP_LOOKUP_BIND_DN', 'lookupBindDn', 'string'],
  ['YAGURA_LDAP_LOOKUP_BIND_PASSWORD', 'lookupBindPassword', 'string'],
  ['YAGURA_LDAP_USER_DN_SEARCH_BASE_DN', 'userDnSearchBaseDn', 'string'],
  ['YAGURA_LDAP_USER_DN_SEARCH_FILTER', 'userDnSearchFilter', 'string'],
  ['YAGURA_LDAP_GROUP_SEARCH_BASE_DN', 'groupSearchBaseDn', 'string'],
  ['YAGURA_LDAP_GROUP_SEARCH_FILTER', 'groupSearchFilter', 'string'],
  ['YAGURA_LDAP_TLS_SKIP_VERIFY', 'tlsSkipVerify', 'boolean'],
  ['YAGURA_LDAP_SERVER_STARTTLS', 'serverStartTls', 'boolean'],
  ['YAGURA_LDAP_SERVER_INSECURE', 'serverInsecure', 'boolean'],
  ['YAGURA_LDAP_TLS_CA_FILE', 'tlsCaFile', 'string'],
  ['YAGURA_LDAP_ROLE_MAP', 'roleMap', 'json'],
  ['YAGURA_LDAP_CONNECT_TIMEOUT_SECONDS', 'connectTimeoutSeconds', 'number'],
  ['YAGURA_LDAP_TIMEOUT_SECONDS', 'timeoutSeconds', 'number'],
];

/** MinIO writes on/off; true/false and 1/0 are accepted too. */
const BOOLEANS: Readonly<Record<string, boolean>> = { on: true, off: false, true: true, false: false, '1': true, '0': false };

function readEnvValue(name: string, kind: Kind, text: string): unknown {
  switch (kind) {
    case 'string':
      return text;
    case 'boolean': {
      const value = BOOLEANS[text.toLowerCase()];
      if (value === undefined) throw new LdapConfigError(`${name} must be on or off (or true/false), not "${text}"`);
      return value;
    }
    case 'number':
      if (!/^\d+(?:\.\d+)?$/.test(text)) throw new LdapConfigError(`${name} must be a number of seconds, not "${text}"`);
      return Number(text);
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new LdapConfigError(`${name} must be a JSON object from DN to role name: ${(error as Error).message.replace(/\s+/g, ' ')}`);
      }
  }
}

/**
 * The `ldap` section with YAGURA_LDAP_* variables laid over it (a variable wins over the file; empty variables
 * are ignored), not yet validated: undefined when neither sets anything, i.e. LDAP sign-in is off. The
 * configuration loader can put this back into the raw document before validating it all at once.
 */
export function mergeLdapSettings(fileSection: unknown, env: NodeJS.ProcessEnv): Record<string, unknown> | undefined {
  if (fileSection !== undefined && (fileSection === null || typeof fileSection !== 'object' || Array.isArray(fileSection))) {
    throw new LdapConfigError('ldap must be an object of LDAP settings');
  }
  const merged: Record<string, unknown> = { ...(fileSection as Record<string, unknown> | undefined) };
  for (const [name, key, kind] of LDAP_ENV) {
    const text = env[name];
    if (text !== undefined && text !== '') merged[key] = readEnvValue(name, kind, text);
  }
  return Object.keys(merged).length === 0 ? undefined : merged;
}

/**
 * Merges the file's `ldap` section with the environment and validates the result once: the frozen settings,
 * undefined when LDAP is not configured, or LdapConfigError with one sentence naming the setting (and the
 * variable that sets it). Secret values never appear in the sentence.
 */
export function resolveLdapConfig(fileSection: unknown, env: NodeJS.ProcessEnv = process.env): LdapConfig | undefined {
  const merged = mergeLdapSettings(fileSection, env);
  if (merged === undefined) return undefined;
  const result = ldapConfigSchema.safeParse(merged);
  if (!result.success) throw new LdapConfigError(describeIssue(result.error, merged));
  return deepFreeze(result.data);
}

function describeIssue(error: z.ZodError, input: Record<string, unknown>): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'ldap: the LDAP settings are not valid';
  const [key, ...rest] = issue.path.map(String);
  const env = LDAP_ENV.find(([, k]) => k === key)?.[0];
  const where = `ldap${key === undefined ? '' : `.${key}`}${rest.map((part) => `["${part}"]`).join('')}`;
  const missing = issue.code === 'invalid_type' && rest.length === 0 && key !== undefined && input[key] === undefined;
  const message = missing ? 'this setting is required' : issue.message.replace(/^Invalid input: /, '');
  return `invalid configuration: ${where}${env === undefined ? '' : ` (${env})`}: ${message.replace(/\s+/g, ' ')}`;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

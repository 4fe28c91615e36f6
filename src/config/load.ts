// Loads configuration from defaults, a JSON file, YAGURA_* variables and flags (later wins), then freezes it.
import { STORE_ENV } from '../store/postgres/postgres-config.js';
import { LdapConfigError, mergeLdapSettings } from '../auth/federation/ldap/ldap-config.js';
import { withOidcProviderFromEnv } from '../auth/federation/oidc/provider-config.js';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends Error {
  readonly code = 'INVALID_CONFIG';
}

type Raw = Record<string, unknown>;

/** Environment variables and the option each sets. Numbers are parsed; anything else is a string. */
const ENV: ReadonlyArray<readonly [string, readonly string[], 'string' | 'number' | 'boolean']> = [
  ...STORE_ENV,
  ['YAGURA_DATA', ['dataDir'], 'string'],
  ['YAGURA_HOST', ['host'], 'string'],
  ['YAGURA_PORT', ['port'], 'number'],
  ['YAGURA_LOG_LEVEL', ['logLevel'], 'string'],
  ['YAGURA_BOOTSTRAP_KEY', ['bootstrapKey'], 'string'],
  ['YAGURA_DEMO', ['demo'], 'boolean'],
  ['YAGURA_MAX_BODY_BYTES', ['ingest', 'maxBodyBytes'], 'number'],
  ['YAGURA_MAX_ITEMS_PER_REQUEST', ['ingest', 'maxItemsPerRequest'], 'number'],
  ['YAGURA_ARCHIVE_ROLL_SECONDS', ['archive', 'rollSeconds'], 'number'],
  ['YAGURA_ARCHIVE_ROLL_BYTES', ['archive', 'rollBytes'], 'number'],
  ['YAGURA_ARCHIVE_URL', ['archive', 'url'], 'string'],
  ['YAGURA_ARCHIVE_ENDPOINT', ['archive', 'endpoint'], 'string'],
  ['YAGURA_ARCHIVE_FORCE_PATH_STYLE', ['archive', 'forcePathStyle'], 'boolean'],
  ['YAGURA_ARCHIVE_REGION', ['archive', 'region'], 'string'],
  ['YAGURA_ARCHIVE_SSE', ['archive', 'sse'], 'string'],
  ['YAGURA_ARCHIVE_SSE_KMS_KEY_ID', ['archive', 'sseKmsKeyId'], 'string'],
  ['YAGURA_INSECURE_HTTP', ['insecureHttp'], 'boolean'],
  ['YAGURA_TLS_CERT_FILE', ['tls', 'certFile'], 'string'],
  ['YAGURA_TLS_KEY_FILE', ['tls', 'keyFile'], 'string'],
  ['YAGURA_PUBLIC_URL', ['publicUrl'], 'string'],
  ['YAGURA_ALERTS_ALLOW_PRIVATE_NETWORKS', ['alerts', 'allowPrivateNetworks'], 'boolean'],
  ['YAGURA_ALERTS_CLAIM_SECONDS', ['alerts', 'claimSeconds'], 'number'],
  ['YAGURA_SIGV4_REGION', ['sts', 'sigv4Region'], 'string'],
  ['YAGURA_STS_MAX_DURATION_SECONDS', ['sts', 'maxDurationSeconds'], 'number'],
];

function setPath(target: Raw, path: readonly string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const child = node[part];
    node[part] = child !== null && typeof child === 'object' && !Array.isArray(child) ? { ...(child as Raw) } : {};
    node = node[part] as Raw;
  }
  node[path[path.length - 1]!] = value;
}

function fromEnv(env: NodeJS.ProcessEnv, into: Raw): void {
  for (const [name, path, kind] of ENV) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    let value: unknown = text;
    if (kind === 'number') {
      value = /^\d+$/.test(text) ? Number(text) : NaN;
      if (Number.isNaN(value)) throw new ConfigError(`${name} must be a whole number, not "${text}"`);
    } else if (kind === 'boolean') {
      if (!['true', 'false', '1', '0'].includes(text)) throw new ConfigError(`${name} must be true or false, not "${text}"`);
      value = text === 'true' || text === '1';
    }
    setPath(into, path, value);
  }
}

function readFile(file: string): Raw {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the configuration file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('it must hold a JSON object');
    return parsed as Raw;
  } catch (error) {
    throw new ConfigError(`the configuration file ${file} is not valid: ${(error as Error).message}`);
  }
}

/** The first problem zod found, as one sentence naming the option. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'the configuration is not valid';
  const where = issue.path.length > 0 ? issue.path.join('.') : 'configuration';
  return `${where}: ${issue.message}`;
}

export interface LoadOptions {
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Values from command-line flags; undefined entries are left out. */
  readonly overrides?: Raw;
}

/** Builds the validated, frozen configuration; throws ConfigError with one clear sentence. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.YAGURA_CONFIG;
  const raw: Raw = file ? readFile(file) : {};
  fromEnv(env, raw);
  // LDAP and OIDC read their own variables (MinIO's names for LDAP), laid over the file's sections.
  try {
    const ldap = mergeLdapSettings(raw.ldap, env);
    if (ldap !== undefined) raw.ldap = ldap;
  } catch (error) {
    if (error instanceof LdapConfigError) throw new ConfigError(error.message);
    throw error;
  }
  const oidc = withOidcProviderFromEnv(raw.oidc, env);
  if (oidc !== undefined) raw.oidc = oidc;
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) setPath(raw, key.split('.'), value);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`invalid configuration: ${describeIssue(result.error)}`);
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

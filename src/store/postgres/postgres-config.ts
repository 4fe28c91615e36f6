// Configuration of the PostgreSQL store (`store.url` / YAGURA_DATABASE_URL, pool size, TLS) and the pool it gives.
import { readFileSync } from 'node:fs';
import type { PoolConfig } from 'pg';
import { z } from 'zod';
import { PostgresStoreError } from './postgres-errors.js';

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * The `store` section for a PostgreSQL store. Without `url` Yagura keeps its embedded SQLite store.
 * TLS: `disable` (loopback or a trusted network only), `require` (encrypted, server not verified),
 * `verify-full` (encrypted, certificate chain and host name checked against `caFile` or the system's roots).
 */
export const storeConfigSchema = z
  .object({
    url: z
      .string()
      .max(2048)
      .regex(POSTGRES_URL, 'store.url must be a postgres:// or postgresql:// URL')
      .optional(),
    /** Connections each instance opens at most. */
    poolSize: z.number().int().min(1).max(1000).default(10),
    connectTimeoutSeconds: z.number().int().min(1).max(600).default(10),
    /** A search or aggregation running longer is cancelled by the server (statement_timeout). */
    statementTimeoutSeconds: z.number().int().min(1).max(3600).default(30),
    /** A connection idle this long is closed. */
    idleTimeoutSeconds: z.number().int().min(1).max(86_400).default(60),
    tls: z
      .object({
        mode: z.enum(['disable', 'require', 'verify-full']).default('disable'),
        /** PEM bundle of the certificate authorities to trust instead of the system's. */
        caFile: z.string().min(1).optional(),
        /** Client certificate and key, for servers that authenticate clients by certificate. */
        certFile: z.string().min(1).optional(),
        keyFile: z.string().min(1).optional(),
      })
      .strict()
      .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), 'store.tls.certFile and store.tls.keyFile go together')
      .refine((t) => t.mode !== 'disable' || (t.caFile === undefined && t.certFile === undefined), 'store.tls files need store.tls.mode require or verify-full')
      .prefault({}),
  })
  .strict()
  .prefault({});

export type StoreConfig = z.infer<typeof storeConfigSchema>;

/** The environment variables of the `store` section, in the shape config/load.ts maps variables to options. */
export const STORE_ENV: ReadonlyArray<readonly [string, readonly string[], 'string' | 'number' | 'boolean']> = [
  ['YAGURA_DATABASE_URL', ['store', 'url'], 'string'],
  ['YAGURA_DATABASE_POOL_SIZE', ['store', 'poolSize'], 'number'],
  ['YAGURA_DATABASE_STATEMENT_TIMEOUT_SECONDS', ['store', 'statementTimeoutSeconds'], 'number'],
  ['YAGURA_DATABASE_TLS_MODE', ['store', 'tls', 'mode'], 'string'],
  ['YAGURA_DATABASE_TLS_CA_FILE', ['store', 'tls', 'caFile'], 'string'],
  ['YAGURA_DATABASE_TLS_CERT_FILE', ['store', 'tls', 'certFile'], 'string'],
  ['YAGURA_DATABASE_TLS_KEY_FILE', ['store', 'tls', 'keyFile'], 'string'],
];

/** The URL with its password replaced, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparseable URL';
  }
}

/** Where the URL points, without credentials: `host:port/database`. */
export function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return 'an unparseable URL';
  }
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new PostgresStoreError('STORE_CONFIG_INVALID', `cannot read store.tls.${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
}

/**
 * The `pg` pool options for a validated configuration. Files are read here, once. Every connection commits
 * synchronously (an acknowledged write survives a crash of the server) and carries the statement timeout.
 */
export function poolConfig(config: StoreConfig, applicationName = 'yagura'): PoolConfig {
  if (config.url === undefined) throw new PostgresStoreError('STORE_CONFIG_INVALID', 'store.url is not set');
  let parsed: URL;
  try {
    parsed = new URL(config.url);
  } catch {
    throw new PostgresStoreError('STORE_CONFIG_INVALID', 'store.url is not a valid URL');
  }
  // TLS is configured here and only here: libpq's sslmode in the URL would be read by pg differently.
  if (parsed.searchParams.has('sslmode') || parsed.searchParams.has('ssl')) {
    throw new PostgresStoreError('STORE_CONFIG_INVALID', `set TLS with store.tls.mode, not in the URL (${redactUrl(config.url)})`);
  }
  const tls = config.tls;
  const ssl: PoolConfig['ssl'] =
    tls.mode === 'disable'
      ? false
      : {
          rejectUnauthorized: tls.mode === 'verify-full',
          ...(tls.caFile !== undefined && { ca: readPem(tls.caFile, 'caFile') }),
          ...(tls.certFile !== undefined && { cert: readPem(tls.certFile, 'certFile') }),
          ...(tls.keyFile !== undefined && { key: readPem(tls.keyFile, 'keyFile') }),
        };
  return {
    connectionString: config.url,
    ssl,
    max: config.poolSize,
    connectionTimeoutMillis: config.connectTimeoutSeconds * 1000,
    idleTimeoutMillis: config.idleTimeoutSeconds * 1000,
    statement_timeout: config.statementTimeoutSeconds * 1000,
    application_name: applicationName,
    // Commits are durable before they are acknowledged, whatever the server's default says.
    options: '-c synchronous_commit=on',
  };
}

// One ldapts connection per sign-in: LDAPS, StartTLS or (when told) plain LDAP, with timeouts and coded failures.
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, ResultCodeError } from 'ldapts';
import { LdapAuthError } from './ldap-auth-error.js';
import type { LdapConfig } from './ldap-config.js';

/** What a connection needs, resolved once from the configuration. */
export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
  readonly mode: 'ldaps' | 'starttls' | 'insecure';
  readonly tls: ConnectionOptions;
  readonly connectTimeoutMs: number;
  readonly timeoutMs: number;
}

export function connectionSettings(config: LdapConfig, ca: string | undefined): ConnectionSettings {
  const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(config.serverAddr)!;
  const host = m[1] ?? m[2]!;
  const mode = config.serverInsecure ? 'insecure' : config.serverStartTls ? 'starttls' : 'ldaps';
  const tls: ConnectionOptions = {
    // StartTLS upgrades an existing socket, where Node knows no host to check the certificate against.
    host,
    ...(isIP(host) === 0 && { servername: host }),
    ...(ca !== undefined && { ca }),
    rejectUnauthorized: !config.tlsSkipVerify,
    minVersion: 'TLSv1.2',
  };
  return {
    host,
    port: m[3] !== undefined ? Number(m[3]) : mode === 'ldaps' ? 636 : 389,
    mode,
    tls,
    connectTimeoutMs: Math.round(config.connectTimeoutSeconds * 1000),
    timeoutMs: Math.round(config.timeoutSeconds * 1000),
  };
}

/**
 * A connected client, upgraded with StartTLS when so configured. ldapts reconnects silently when a connection
 * drops, which after StartTLS would resend a password in clear; `ensureOpen` refuses any connection but this one.
 */
export class LdapConnection {
  /** Set once the first operation (or StartTLS) has opened the connection. */
  private opened = false;

  private constructor(
    readonly client: Client,
    private readonly settings: ConnectionSettings,
  ) {}

  static async open(settings: ConnectionSettings): Promise<LdapConnection> {
    const url = `${settings.mode === 'ldaps' ? 'ldaps' : 'ldap'}://${isIP(settings.host) === 6 ? `[${settings.host}]` : settings.host}:${settings.port}`;
    const client = new Client({
      url,
      connectTimeout: settings.connectTimeoutMs,
      timeout: settings.timeoutMs,
      // Given to a ldap:// client, TLS options would make ldapts speak TLS at once instead of StartTLS.
      ...(settings.mode === 'ldaps' && { tlsOptions: settings.tls }),
    });
    const connection = new LdapConnection(client, settings);
    try {
      if (settings.mode === 'starttls') await connection.startTls();
      return connection;
    } catch (error) {
      await connection.close();
      throw toLdapAuthError(error);
    }
  }

  /** Throws DirectoryUnavailable if the connection the sign-in started on is gone. */
  ensureOpen(): void {
    if (this.opened && !this.client.isConnected) throw new LdapAuthError('DirectoryUnavailable', 'unreachable', 'the connection closed during sign-in');
    this.opened = true;
  }

  /** ldapts bounds the StartTLS request but not the handshake that follows; a stalled handshake ends here. */
  private async startTls(): Promise<void> {
    this.opened = true;
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LdapAuthError('DirectoryUnavailable', 'timeout', 'the StartTLS handshake timed out')), this.settings.timeoutMs);
    });
    try {
      await Promise.race([this.client.startTLS({ ...this.settings.tls }), stalled]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.unbind();
    } catch {
      // The socket is destroyed whether or not the unbind request could be sent.
    }
  }
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ETIMEDOUT', 'EADDRNOTAVAIL']);

/**
 * Any failure talking to the directory as a coded error. The detail is a Node error code or an LDAP result
 * name, never a message: ldapts messages can quote the filter, and so the username.
 */
export function toLdapAuthError(error: unknown): LdapAuthError {
  if (error instanceof LdapAuthError) return error;
  if (error instanceof ResultCodeError) return new LdapAuthError('DirectoryUnavailable', 'directory-error', `${error.name} (${error.code})`);
  const code = typeof (error as NodeJS.ErrnoException | undefined)?.code === 'string' ? (error as NodeJS.ErrnoException).code! : undefined;
  const message = error instanceof Error ? error.message : '';
  if (code !== undefined && UNREACHABLE.has(code)) return new LdapAuthError('DirectoryUnavailable', 'unreachable', code);
  if (code !== undefined && (/CERT|SIGNATURE|ISSUER|ALTNAME|^ERR_SSL|^ERR_TLS/.test(code))) return new LdapAuthError('DirectoryUnavailable', 'tls-failed', code);
  if (/timed? ?out/i.test(message)) return new LdapAuthError('DirectoryUnavailable', 'timeout', /Connection timeout/.test(message) ? 'connect timeout' : 'operation timeout');
  if (/Connection closed|Socket error|Socket connection not established/.test(message)) return new LdapAuthError('DirectoryUnavailable', 'unreachable', 'connection closed');
  return new LdapAuthError('DirectoryUnavailable', 'directory-error', code ?? (error instanceof Error ? error.name : 'unknown'));
}

// Secure defaults for the listener: plain HTTP only on loopback unless the operator says otherwise.
import { isIP } from 'node:net';

export class ListenPolicyError extends Error {
  readonly code = 'INSECURE_LISTEN_ADDRESS';
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return h.slice(7).startsWith('127.');
  return false;
}

/** Refuses plain HTTP on an address other hosts can reach, unless acknowledged with insecureHttp. */
export function checkListenAddress(host: string, tls: boolean, insecureHttp: boolean): void {
  if (tls || insecureHttp || isLoopbackHost(host)) return;
  throw new ListenPolicyError(
    `refusing to serve plain HTTP on ${host}, which other hosts can reach: configure tls.certFile and tls.keyFile (YAGURA_TLS_CERT_FILE, YAGURA_TLS_KEY_FILE), or pass --insecure-http to acknowledge plain HTTP (e.g. behind a TLS-terminating proxy)`,
  );
}

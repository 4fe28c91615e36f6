// Requires a valid credential on every /api route: an API key (`Authorization: Bearer <key>` or
// `X-Api-Key: <key>`) or the dashboard's session cookie, which must also pass the CSRF check to change state.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashKey, type Identity } from '../auth/api-keys.js';
import type { Principal } from '../auth/principals/principal.js';
import type { KeyResolution, PrincipalResolver } from '../auth/principals/resolver.js';
import type { Sessions } from '../auth/sessions.js';
import { isLongTermAccessKeyId } from '../auth/principals/signing-keys.js';
import { ApiError } from './api-error.js';
import { permissionOf } from './route-permissions.js';
import { routePath } from './route-path.js';
import { isRefusal, signatureOf, verifySigned, type SignatureRefusal, type SignedRequestOptions } from './signed-requests.js';

declare module 'fastify' {
  interface FastifyRequest {
    identity?: Identity;
    /** Who is calling and the identity policies in effect; set on every authenticated request. */
    principal?: Principal;
    /** The request's credentials resolved again, as of now; undefined once they are no longer valid. */
    reauthenticate?: () => Promise<Principal | undefined>;
    /** Set when the request was authenticated by the session cookie. */
    session?: { readonly token: string; readonly expiresAt: number };
  }
}

export const SESSION_COOKIE = 'yagura_session';
/** The header the dashboard sends on every call; a cross-site form or image cannot set it. */
export const CSRF_HEADER = 'x-yagura-request';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The key a request presents, if any. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1] : undefined;
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

/**
 * Refuses a cookie-borne request that a foreign page could have caused: it must carry our custom header
 * (which no cross-site form can send without a CORS preflight we never grant) and, when the browser names
 * an Origin, that origin must be this server.
 */
export function checkCsrf(request: FastifyRequest): void {
  if (request.headers[CSRF_HEADER] !== '1') {
    throw new ApiError(403, 'CSRF_REJECTED', `a request authenticated by the session cookie must carry the header "X-Yagura-Request: 1"`);
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !sameHost(origin, request.host)) {
    throw new ApiError(403, 'CSRF_REJECTED', 'the request comes from another origin than this server');
  }
}

/**
 * Whether an Origin names the host (with port) the request was sent to. The scheme is left out on purpose:
 * behind a TLS-terminating proxy the browser's origin is https while this server sees plain HTTP.
 */
function sameHost(origin: string, host: string): boolean {
  try {
    const o = new URL(origin);
    // Parsed with the origin's scheme on both sides, so a default port (`:80`, `:443`) compares equal to none.
    return o.host === new URL(`${o.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

const KEY_REFUSALS: Readonly<Record<'unknown' | 'revoked' | 'expired', string>> = {
  unknown: 'the API key is not valid',
  revoked: 'the API key was revoked',
  expired: 'the API key has expired',
};

/** Why a key is refused; revoked and expired are only said of a key whose whole secret matched. */
export function keyRefusal(resolution: KeyResolution & { ok: false }): string {
  return KEY_REFUSALS[resolution.reason];
}

/** Resolves the request's key or session cookie to its principal, as of now; throws 401 ApiError when it is not valid. */
async function credentialsOf(request: FastifyRequest, resolver: PrincipalResolver, sessions: Sessions | undefined, roleSessions?: SignedRequestOptions['roleSessions']): Promise<Principal> {
  const challenge = { 'www-authenticate': 'Bearer realm="yagura"' };
  const key = presentedKey(request);
  if (key !== undefined) {
    const resolved = await resolver.byKey(key);
    if (!resolved.ok) throw new ApiError(401, 'UNAUTHENTICATED', keyRefusal(resolved), challenge);
    request.identity = { keyId: resolved.key.id, name: resolved.key.name };
    return resolved.principal;
  }
  const token = sessions && request.cookies[SESSION_COOKIE];
  if (sessions === undefined || token === undefined || token === '') {
    throw new ApiError(401, 'UNAUTHENTICATED', 'this API needs an API key in "Authorization: Bearer <key>" or "X-Api-Key: <key>"', challenge);
  }
  const resolved = await sessions.resolve(token);
  if (resolved === undefined) throw new ApiError(401, 'UNAUTHENTICATED', 'the session has expired or was closed; log in again', challenge);
  // The session's key, user or temporary credentials are resolved again on every request: revoking them ends it.
  let principal: Principal | undefined;
  let refusal = 'the session has ended because its key is no longer valid; log in again';
  if (resolved.accessKeyId !== undefined) {
    const byCredentials = await roleSessions?.principalByAccessKeyId(resolved.accessKeyId);
    if (byCredentials?.ok === true) principal = byCredentials.principal;
    else refusal = `the session has ended because its temporary credentials ${byCredentials?.reason === 'expired' ? 'expired' : 'were revoked'}; log in again`;
  } else if (resolved.userName !== undefined) {
    principal = await resolver.byUser(resolved.userName);
    refusal = 'the session has ended because its user was removed; log in again';
  } else {
    const byKey = await resolver.byKeyId(resolved.keyId);
    if (byKey.ok) principal = byKey.principal;
    else refusal = `the session has ended because ${byKey.reason === 'expired' ? 'its API key has expired' : 'its API key was revoked'}; log in again`;
  }
  if (principal === undefined) {
    await sessions.close(token);
    throw new ApiError(401, 'UNAUTHENTICATED', refusal, challenge);
  }
  request.identity = { keyId: resolved.keyId || (resolved.accessKeyId ?? `user:${resolved.userName}`), name: resolved.name };
  request.session = { token, expiresAt: resolved.expiresAt };
  return { ...principal, sessionId: hashKey(token).slice(0, 16) };
}

/** A refused signature as the API answers it: 401 for credentials, 403 for a token the request did not sign. */
export function signatureError(refusal: SignatureRefusal): ApiError {
  const challenge = { 'www-authenticate': 'AWS4-HMAC-SHA256' };
  switch (refusal.code) {
    case 'IncompleteSignature':
    case 'SignatureDoesNotMatch':
      return new ApiError(401, 'INVALID_SIGNATURE', refusal.message, challenge);
    case 'RequestExpired':
      return new ApiError(401, 'REQUEST_EXPIRED', refusal.message, challenge);
    case 'ExpiredToken':
      return new ApiError(401, 'EXPIRED_CREDENTIALS', refusal.message, challenge);
    case 'AccessDenied':
      return new ApiError(403, 'ACCESS_DENIED', refusal.message);
    default:
      return new ApiError(401, 'UNAUTHENTICATED', refusal.message, challenge);
  }
}

export function registerAuthentication(app: FastifyInstance, resolver: PrincipalResolver, sessions?: Sessions, signed?: SignedRequestOptions): void {
  app.addHook('onRequest', async (request) => {
    const path = routePath(request);
    if (!path.startsWith('/api/')) return;
    // Public API routes (login authenticates itself with the key in its body) are named in the one table.
    if (permissionOf(request.method, path)?.kind === 'public') return;
    if (signed !== undefined) {
      const signature = signatureOf(request);
      if (isRefusal(signature)) {
        request.auditDetail = { reason: signature.reason };
        throw signatureError(signature);
      }
      // Verified with its body in preValidation below; nothing is decided on it before.
      if (signature !== undefined) {
        request.signature = signature;
        return;
      }
    }
    const principal = await credentialsOf(request, resolver, sessions, signed?.roleSessions);
    if (request.session !== undefined && !SAFE_METHODS.has(request.method)) checkCsrf(request);
    request.principal = principal;
    // Long-lived requests (the live stream) ask again, so that a revoked key or a changed policy ends them.
    request.reauthenticate = () => credentialsOf(request, resolver, sessions, signed?.roleSessions).catch(() => undefined);
  });
  if (signed === undefined) return;
  app.addHook('preValidation', async (request) => {
    const signature = request.signature;
    if (signature === undefined) return;
    const result = await verifySigned(request, signature, 'yagura', signed);
    if (!result.ok) {
      request.auditDetail = { reason: result.refusal.reason };
      throw signatureError(result.refusal);
    }
    request.principal = result.principal;
    request.identity = { keyId: signature.accessKeyId, name: result.principal.arn };
    // A presigned URL's X-Amz-* parameters are the signature, not the route's: the route sees only its own.
    if (signature.form === 'query' && request.query !== null && typeof request.query === 'object') {
      const query = request.query as Record<string, unknown>;
      for (const name of Object.keys(query)) if (/^x-amz-/i.test(name)) delete query[name];
    }
    request.reauthenticate = async () => {
      if (isLongTermAccessKeyId(signature.accessKeyId)) {
        const key = await signed.signingKeys?.resolve(signature.accessKeyId);
        return key?.ok === true ? key.principal : undefined;
      }
      const again = await signed.roleSessions.principalByAccessKeyId(signature.accessKeyId);
      return again.ok ? again.principal : undefined;
    };
  });
}

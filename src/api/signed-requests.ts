// AWS Signature Version 4 on Yagura's own routes: temporary credentials from the STS endpoint sign requests as they
// sign AWS's. The signature covers the body, so it is checked once the body is read (preValidation), and the
// request is authorized only after that.
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principals/principal.js';
import { parseSigV4, type SigV4Parsed } from '../auth/sigv4/parse-sigv4.js';
import { SigV4Error } from '../auth/sigv4/sigv4-error.js';
import { splitTarget, type SigV4Request } from '../auth/sigv4/sigv4-request.js';
import { verifySigV4 } from '../auth/sigv4/verify-sigv4.js';
import type { RoleSessions } from '../auth/sts/role-sessions.js';
import { isLongTermAccessKeyId, type SigningKeys } from '../auth/principals/signing-keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The SigV4 claims of a signed request, set when it arrives; verified once its body is read. */
    signature?: SigV4Parsed;
  }
}

export interface SignedRequestOptions {
  readonly roleSessions: RoleSessions;
  /** SigV4 credentials of long-lived API keys (`AKIA…`). */
  readonly signingKeys?: SigningKeys | undefined;
  /** `YAGURA_SIGV4_REGION`. */
  readonly region: string;
  readonly now: () => number;
}

/** Why a signed request is refused: a SigV4 or STS-style code, a sentence for the caller, a reason for the audit log. */
export interface SignatureRefusal {
  readonly code: 'IncompleteSignature' | 'SignatureDoesNotMatch' | 'RequestExpired' | 'InvalidClientTokenId' | 'ExpiredToken' | 'AccessDenied';
  readonly message: string;
  readonly reason: string;
}

export type SignedResult = { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly refusal: SignatureRefusal };

function sigv4RequestOf(request: FastifyRequest): SigV4Request {
  const { rawPath, rawQuery } = splitTarget(request.raw.url ?? '/');
  return {
    method: request.raw.method ?? request.method,
    rawPath,
    rawQuery,
    // Repeated headers must be seen as sent (Node's `headers` joins them); an injected request has only `headers`.
    headers: request.raw.headersDistinct ?? request.headers,
    ...(request.rawBody !== undefined && { body: request.rawBody }),
  };
}

/** The request's SigV4 claims, undefined when it is not signed; a malformed signature is a refusal. */
export function signatureOf(request: FastifyRequest): SigV4Parsed | SignatureRefusal | undefined {
  try {
    return parseSigV4(sigv4RequestOf(request));
  } catch (error) {
    if (error instanceof SigV4Error) return { code: 'IncompleteSignature', message: error.message, reason: `malformed signature: ${error.message}` };
    throw error;
  }
}

export function isRefusal(value: SigV4Parsed | SignatureRefusal | undefined): value is SignatureRefusal {
  return value !== undefined && 'reason' in value;
}

const REFUSED_CREDENTIALS: Readonly<Record<'unknown' | 'expired' | 'revoked' | 'role-gone', SignatureRefusal>> = {
  unknown: { code: 'InvalidClientTokenId', message: 'the security token included in the request is invalid', reason: 'unknown access key ID or session token' },
  expired: { code: 'ExpiredToken', message: 'the security token included in the request is expired', reason: 'temporary credentials expired' },
  revoked: { code: 'InvalidClientTokenId', message: 'the security token included in the request is invalid', reason: 'temporary credentials revoked' },
  'role-gone': { code: 'InvalidClientTokenId', message: 'the security token included in the request is invalid', reason: 'the role of the credentials no longer exists' },
};

/** The credentials an access key ID names: temporary ones (with their session token) or an API key's. */
async function credentialsOf(parsed: SigV4Parsed, options: SignedRequestOptions): Promise<{ ok: true; principal: Principal; secretAccessKey: string } | { ok: false; reason: keyof typeof REFUSED_CREDENTIALS }> {
  if (isLongTermAccessKeyId(parsed.accessKeyId) && options.signingKeys !== undefined) {
    // A long-term key signs without a session token; one sent with it is a mistake or a forgery.
    if (parsed.sessionToken !== undefined) return { ok: false, reason: 'unknown' };
    return options.signingKeys.resolve(parsed.accessKeyId);
  }
  return options.roleSessions.resolve(parsed.accessKeyId, parsed.sessionToken);
}

/** Verifies a signed request (its body read) against its credentials, for `service`; the principal, or why not. */
export async function verifySigned(request: FastifyRequest, parsed: SigV4Parsed, service: string, options: SignedRequestOptions): Promise<SignedResult> {
  const resolved = await credentialsOf(parsed, options);
  if (!resolved.ok) return { ok: false, refusal: REFUSED_CREDENTIALS[resolved.reason] };
  try {
    await verifySigV4(sigv4RequestOf(request), parsed, resolved.secretAccessKey, { region: options.region, service, now: options.now() });
  } catch (error) {
    if (!(error instanceof SigV4Error)) throw error;
    return { ok: false, refusal: { code: error.code, message: error.message, reason: `${error.code}: ${error.message} (${parsed.accessKeyId})` } };
  }
  return { ok: true, principal: resolved.principal };
}

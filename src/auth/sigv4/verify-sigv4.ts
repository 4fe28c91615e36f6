// Verifies a parsed SigV4 request: its time, scope, payload hash and signature, the canonical request built by @smithy/signature-v4.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SigV4Parsed } from './parse-sigv4.js';
import { SigV4Error } from './sigv4-error.js';
import { headersByName, queryParameters, type SigV4Request } from './sigv4-request.js';

export interface SigV4Expectation {
  /** The region requests must be scoped to (`YAGURA_SIGV4_REGION`). */
  readonly region: string;
  /** `yagura` for the API, `sts` for the STS endpoint. */
  readonly service: string;
  /** The server's time, epoch milliseconds. */
  readonly now: number;
  /** How far the request's time may be from `now`; 300 (five minutes) as AWS. */
  readonly maxSkewSeconds?: number;
}

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const SHA256_HEX = /^[0-9a-f]{64}$/i;
/** Headers smithy adds to the request it signs; they count only when the client signed them too. */
const SIGNER_ADDED_HEADERS = ['x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token'];

/**
 * Accepts the request when `parsed` is a valid SigV4 signature of it with `secretAccessKey`, made within the
 * allowed time, for `expectation`'s region and service; otherwise throws `SigV4Error`. It does not look up the
 * access key nor judge the session token: the caller resolves `parsed.accessKeyId` (unknown → `InvalidClientTokenId`)
 * and checks that `parsed.sessionToken` belongs to that key.
 */
export async function verifySigV4(request: SigV4Request, parsed: SigV4Parsed, secretAccessKey: string, expectation: SigV4Expectation): Promise<void> {
  const headers = headersByName(request);
  const signed = new Set(parsed.signedHeaders);
  checkSignedHeaders(headers, signed);
  checkTime(parsed, expectation);
  checkScope(parsed, expectation);
  if (headers.has('x-amz-security-token') && !signed.has('x-amz-security-token')) {
    throw new SigV4Error('AccessDenied', 'the request carries an X-Amz-Security-Token header that is not among its signed headers');
  }
  const query = queryParameters(request.rawQuery);
  const payloadHash = payloadHashOf(request, headers, parsed.form === 'query' ? query.get('X-Amz-Content-Sha256')?.[0] : undefined);
  const expected = await expectedSignature(request, parsed, secretAccessKey, headers, query, payloadHash);
  const matches = expected.length === parsed.signature.length && timingSafeEqual(Buffer.from(expected, 'latin1'), Buffer.from(parsed.signature, 'latin1'));
  if (!matches) {
    throw new SigV4Error('SignatureDoesNotMatch', 'the request signature does not match the signature calculated with the secret key of the access key');
  }
}

function checkSignedHeaders(headers: Map<string, readonly string[]>, signed: ReadonlySet<string>): void {
  if (!signed.has('host')) throw new SigV4Error('IncompleteSignature', 'the Host header must be among the signed headers');
  // smithy drops `date` from the request it signs (it writes its own X-Amz-Date), so a signed Date cannot be checked.
  if (signed.has('date')) throw new SigV4Error('IncompleteSignature', 'signing the Date header is not supported; sign X-Amz-Date instead');
  for (const name of signed) {
    if (!headers.has(name)) throw new SigV4Error('IncompleteSignature', `the signed header "${name}" is not in the request`);
  }
}

function checkTime(parsed: SigV4Parsed, { now, maxSkewSeconds = 300 }: SigV4Expectation): void {
  const skew = maxSkewSeconds * 1000;
  const signedAt = amzDateOf(parsed.signedAt);
  if (parsed.signedAt - now > skew) {
    throw new SigV4Error('RequestExpired', `the request is signed at ${signedAt}, more than ${maxSkewSeconds} seconds after the server's time ${amzDateOf(now)}`);
  }
  if (parsed.form === 'query') {
    const expiresAt = parsed.signedAt + (parsed.expiresSeconds ?? 0) * 1000;
    if (now > expiresAt) throw new SigV4Error('RequestExpired', `the presigned request expired at ${amzDateOf(expiresAt)}; it is now ${amzDateOf(now)}`);
  } else if (now - parsed.signedAt > skew) {
    throw new SigV4Error('RequestExpired', `the request is signed at ${signedAt}, more than ${maxSkewSeconds} seconds before the server's time ${amzDateOf(now)}`);
  }
}

function checkScope(parsed: SigV4Parsed, { region, service }: SigV4Expectation): void {
  const day = amzDateOf(parsed.signedAt).slice(0, 8);
  if (parsed.date !== day) {
    throw new SigV4Error('SignatureDoesNotMatch', `the date in the credential scope (${parsed.date}) is not the day the request is signed (${day})`);
  }
  if (parsed.region !== region) throw new SigV4Error('SignatureDoesNotMatch', `the credential should be scoped to the region "${region}", not "${parsed.region}"`);
  if (parsed.service !== service) throw new SigV4Error('SignatureDoesNotMatch', `the credential should be scoped to the service "${service}", not "${parsed.service}"`);
}

/**
 * The payload hash the client signed, checked against the body: `X-Amz-Content-Sha256` (for a presigned request also
 * from the query, where smithy's presigner moves it), which must be the body's SHA-256 or `UNSIGNED-PAYLOAD`; absent,
 * smithy hashes the body itself. Undefined when smithy should hash the body.
 */
function payloadHashOf(request: SigV4Request, headers: Map<string, readonly string[]>, fromQuery: string | undefined): string | undefined {
  const values = headers.get('x-amz-content-sha256');
  if (values !== undefined && values.length !== 1) throw new SigV4Error('IncompleteSignature', 'the request carries X-Amz-Content-Sha256 more than once');
  const claimed = values?.[0]?.trim() ?? fromQuery;
  if (claimed === undefined || claimed === UNSIGNED_PAYLOAD) return claimed;
  if (!SHA256_HEX.test(claimed)) {
    throw new SigV4Error('IncompleteSignature', `X-Amz-Content-Sha256 must be the body's SHA-256 in hexadecimal or ${UNSIGNED_PAYLOAD}; streaming payloads are not supported`);
  }
  const actual = createHash('sha256').update(request.body ?? new Uint8Array()).digest('hex');
  if (claimed.toLowerCase() !== actual) throw new SigV4Error('SignatureDoesNotMatch', 'the body does not match the SHA-256 given in X-Amz-Content-Sha256');
  return claimed;
}

/**
 * The signature smithy computes for the request as received. The path goes in as received: smithy normalises it
 * and escapes it again, as every AWS SDK does when it signs the already-escaped path it sends. The query goes in
 * decoded, for smithy to escape once. Only the signed headers go in, so the canonical request lists exactly those.
 */
async function expectedSignature(
  request: SigV4Request,
  parsed: SigV4Parsed,
  secretAccessKey: string,
  headers: Map<string, readonly string[]>,
  query: Map<string, readonly string[]>,
  payloadHash: string | undefined,
): Promise<string> {
  const signedHeaders: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const name of parsed.signedHeaders) {
    // Repeated headers are signed as their trimmed values joined by commas; smithy trims and folds spaces in each.
    signedHeaders[name] = (headers.get(name) ?? []).map((value) => value.trim()).join(',');
  }
  if (payloadHash !== undefined) signedHeaders['x-amz-content-sha256'] = payloadHash;
  const queryBag: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, values] of query) queryBag[name] = values.length === 1 ? (values[0] ?? '') : [...values];
  const signer = new SignatureV4({
    credentials: { accessKeyId: parsed.accessKeyId, secretAccessKey },
    region: parsed.region,
    service: parsed.service,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
    applyChecksum: false,
  });
  const toSign = new HttpRequest({
    method: request.method,
    protocol: 'https:',
    path: request.rawPath,
    query: queryBag,
    headers: signedHeaders,
    ...(request.body !== undefined && request.body.length > 0 && { body: request.body }),
  });
  const result = await signer.sign(toSign, {
    signingDate: new Date(parsed.signedAt),
    signableHeaders: new Set(parsed.signedHeaders),
    unsignableHeaders: new Set(SIGNER_ADDED_HEADERS.filter((name) => !parsed.signedHeaders.includes(name))),
  });
  const authorization = String(result.headers['authorization'] ?? '');
  const m = /SignedHeaders=([^,]*), Signature=([0-9a-f]{64})$/.exec(authorization);
  // The canonical request must list the headers the client listed; otherwise it cannot be the one the client signed.
  if (!m || m[1] !== parsed.signedHeaders.join(';')) {
    throw new SigV4Error('SignatureDoesNotMatch', 'the signed headers must be listed in lower case and sorted, as SigV4 requires');
  }
  return m[2] ?? '';
}

/** `20261207T101500Z`, SigV4's form of a time given in epoch milliseconds. */
function amzDateOf(at: number): string {
  return new Date(at).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

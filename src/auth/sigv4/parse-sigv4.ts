// Recognises an AWS Signature Version 4 request, in its Authorization-header or presigned-query form, and reads what it claims.
import { SigV4Error } from './sigv4-error.js';
import { headersByName, queryParameters, type SigV4Request } from './sigv4-request.js';

/** What a SigV4 request claims; nothing of it is trusted until `verifySigV4` accepts the request. */
export interface SigV4Parsed {
  readonly form: 'header' | 'query';
  readonly accessKeyId: string;
  /** The credential scope's date, `YYYYMMDD`. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
  /** Lower-case header names, as the client listed them. */
  readonly signedHeaders: readonly string[];
  /** 64 lower-case hex digits. */
  readonly signature: string;
  /** When the client says it signed, in epoch milliseconds: `X-Amz-Date`, or else the `Date` header. */
  readonly signedAt: number;
  /** `X-Amz-Security-Token`, from the header or the query. */
  readonly sessionToken?: string;
  /** `X-Amz-Expires` of a presigned request. */
  readonly expiresSeconds?: number;
}

const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** AWS's limit for presigned URLs: one week. */
const MAX_PRESIGNED_EXPIRES_SECONDS = 7 * 24 * 3600;

const QUERY_SIGNATURE_PARAMETERS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature'];
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;
const SIGNATURE = /^[0-9a-f]{64}$/i;

/**
 * Reads a request's SigV4 signature: `undefined` when the request is not signed with SigV4 at all (no `AWS4-`
 * Authorization header, no `X-Amz-Algorithm`/`X-Amz-Credential`/`X-Amz-Signature` in the query), the claims when
 * it is; throws `SigV4Error` `IncompleteSignature` when it is signed but malformed.
 */
export function parseSigV4(request: SigV4Request): SigV4Parsed | undefined {
  const headers = headersByName(request);
  const query = queryParameters(request.rawQuery);
  const authorization = headers.get('authorization');
  const headerForm = authorization !== undefined && authorization.some((value) => value.trimStart().startsWith('AWS4-'));
  const queryForm = QUERY_SIGNATURE_PARAMETERS.some((name) => query.has(name));
  if (!headerForm && !queryForm) return undefined;
  if (queryForm && authorization !== undefined) {
    throw incomplete('a presigned request must not also carry an Authorization header; use one or the other');
  }
  const token = sessionTokenOf(headers, query);
  return headerForm ? fromHeader(single(authorization, 'Authorization'), headers, token) : fromQuery(query, token);
}

function fromHeader(authorization: string, headers: Map<string, readonly string[]>, sessionToken: string | undefined): SigV4Parsed {
  const text = authorization.trim();
  const space = text.search(/\s/);
  const algorithm = space < 0 ? text : text.slice(0, space);
  checkAlgorithm(algorithm);
  const fields = new Map<string, string>();
  for (const part of text.slice(algorithm.length).split(',')) {
    const field = part.trim();
    const eq = field.indexOf('=');
    const name = eq < 0 ? field : field.slice(0, eq);
    if (eq < 0 || !['Credential', 'SignedHeaders', 'Signature'].includes(name)) {
      throw incomplete(`the Authorization header must read "${SIGV4_ALGORITHM} Credential=..., SignedHeaders=..., Signature=..."`);
    }
    if (fields.has(name)) throw incomplete(`the Authorization header names ${name} twice`);
    fields.set(name, field.slice(eq + 1));
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((name) => !fields.has(name));
  if (missing.length > 0) throw incomplete(`the Authorization header lacks ${missing.join(', ')}`);
  const amzDate = headers.get('x-amz-date');
  const date = headers.get('date');
  let signedAt: number;
  if (amzDate !== undefined) signedAt = parseAmzDate(single(amzDate, 'X-Amz-Date'), 'the X-Amz-Date header');
  else if (date !== undefined) signedAt = parseHttpDate(single(date, 'Date'));
  else throw incomplete('a signed request needs an X-Amz-Date or a Date header');
  return {
    form: 'header',
    ...parseCredential(fields.get('Credential') ?? ''),
    signedHeaders: parseSignedHeaders(fields.get('SignedHeaders') ?? ''),
    signature: parseSignature(fields.get('Signature') ?? ''),
    signedAt,
    ...(sessionToken !== undefined && { sessionToken }),
  };
}

function fromQuery(query: Map<string, readonly string[]>, sessionToken: string | undefined): SigV4Parsed {
  const parameter = (name: string): string => {
    const values = query.get(name);
    if (values === undefined) throw incomplete(`a presigned request needs the query parameter ${name}`);
    return single(values, name);
  };
  checkAlgorithm(parameter('X-Amz-Algorithm'));
  const credential = parseCredential(parameter('X-Amz-Credential'));
  const signedAt = parseAmzDate(parameter('X-Amz-Date'), 'X-Amz-Date');
  const expires = parameter('X-Amz-Expires');
  const expiresSeconds = /^\d{1,7}$/.test(expires) ? Number(expires) : Number.NaN;
  if (!(expiresSeconds >= 1 && expiresSeconds <= MAX_PRESIGNED_EXPIRES_SECONDS)) {
    throw incomplete(`X-Amz-Expires must be a number of seconds from 1 to ${MAX_PRESIGNED_EXPIRES_SECONDS} (one week)`);
  }
  return {
    form: 'query',
    ...credential,
    signedHeaders: parseSignedHeaders(parameter('X-Amz-SignedHeaders')),
    signature: parseSignature(parameter('X-Amz-Signature')),
    signedAt,
    expiresSeconds,
    ...(sessionToken !== undefined && { sessionToken }),
  };
}

function checkAlgorithm(algorithm: string): void {
  if (algorithm !== SIGV4_ALGORITHM) {
    throw incomplete(`the signing algorithm "${algorithm.slice(0, 40)}" is not supported; only ${SIGV4_ALGORITHM} is`);
  }
}

/** `AKID/20261207/us-east-1/yagura/aws4_request`. */
function parseCredential(credential: string): Pick<SigV4Parsed, 'accessKeyId' | 'date' | 'region' | 'service'> {
  const parts = credential.split('/');
  const [accessKeyId = '', date = '', region = '', service = '', terminator = ''] = parts;
  if (parts.length !== 5 || accessKeyId === '' || region === '' || service === '' || !/^\d{8}$/.test(date)) {
    throw incomplete('the credential must read "<access key id>/<YYYYMMDD>/<region>/<service>/aws4_request"');
  }
  if (terminator !== 'aws4_request') throw incomplete('the credential scope must end with "aws4_request"');
  return { accessKeyId, date, region, service };
}

function parseSignedHeaders(list: string): readonly string[] {
  const names = list.split(';');
  if (names.some((name) => !HEADER_NAME.test(name))) {
    throw incomplete('SignedHeaders must list lower-case header names separated by ";"');
  }
  if (new Set(names).size !== names.length) throw incomplete('SignedHeaders names a header twice');
  return names;
}

function parseSignature(signature: string): string {
  if (!SIGNATURE.test(signature)) throw incomplete('the signature must be 64 hexadecimal digits');
  return signature.toLowerCase();
}

/** `20261207T101500Z`, the only form SigV4 signs; a date that does not exist (month 13) is refused, not rolled over. */
function parseAmzDate(text: string, what: string): number {
  const m = AMZ_DATE.exec(text);
  const at = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : Number.NaN;
  if (Number.isNaN(at) || new Date(at).toISOString().replace(/[-:]|\.\d{3}/g, '') !== text) {
    throw incomplete(`${what} must be a UTC time such as 20261207T101500Z`);
  }
  return at;
}

function parseHttpDate(text: string): number {
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw incomplete('the Date header is not a valid HTTP date');
  return at;
}

/** The token from the header or the query; both are allowed only when they agree. */
function sessionTokenOf(headers: Map<string, readonly string[]>, query: Map<string, readonly string[]>): string | undefined {
  const fromHeader = headers.get('x-amz-security-token');
  const fromQuery = query.get('X-Amz-Security-Token');
  const header = fromHeader === undefined ? undefined : single(fromHeader, 'X-Amz-Security-Token');
  const inQuery = fromQuery === undefined ? undefined : single(fromQuery, 'X-Amz-Security-Token');
  if (header !== undefined && inQuery !== undefined && header.trim() !== inQuery) {
    throw incomplete('the request carries two different X-Amz-Security-Token values, in a header and in the query');
  }
  return inQuery ?? header?.trim();
}

function single(values: readonly string[], name: string): string {
  if (values.length !== 1) throw incomplete(`the request carries ${name} more than once`);
  return values[0] ?? '';
}

function incomplete(message: string): SigV4Error {
  return new SigV4Error('IncompleteSignature', message);
}

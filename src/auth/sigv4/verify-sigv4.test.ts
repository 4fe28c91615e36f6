// Requests signed by the AWS SDK's own signer (@smithy/signature-v4, `sign` and `presign`) are accepted, and refused once changed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Hash } from '@smithy/hash-node';
import { HttpRequest, type IHttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { parseSigV4, type SigV4Parsed } from './parse-sigv4.js';
import { SigV4Error, type SigV4ErrorCode } from './sigv4-error.js';
import type { SigV4Request } from './sigv4-request.js';
import { verifySigV4, type SigV4Expectation } from './verify-sigv4.js';

const CREDENTIALS = {
  accessKeyId: 'ASIAYAGURAEXAMPLE001',
  secretAccessKey: 'yJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzEXAMPLE//session+token/with=padding==',
};
const SIGNED_AT = Date.parse('2026-12-07T10:15:00Z');
const API: SigV4Expectation = { region: 'us-east-1', service: 'yagura', now: SIGNED_AT };
const HOST = 'yagura.example.org:8443';

/** The signer as the AWS SDK builds it for a service other than S3. */
function signer(options: { region?: string; service?: string; applyChecksum?: boolean; sessionToken?: boolean } = {}): SignatureV4 {
  const { sessionToken = true, ...rest } = options;
  return new SignatureV4({
    credentials: sessionToken ? CREDENTIALS : { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: CREDENTIALS.secretAccessKey },
    region: rest.region ?? 'us-east-1',
    service: rest.service ?? 'yagura',
    sha256: Hash.bind(null, 'sha256'),
    ...(rest.applyChecksum !== undefined && { applyChecksum: rest.applyChecksum }),
  });
}

function apiRequest(overrides: Partial<ConstructorParameters<typeof HttpRequest>[0]> = {}): HttpRequest {
  return new HttpRequest({ method: 'GET', protocol: 'https:', hostname: 'yagura.example.org', port: 8443, path: '/api/findings', headers: { host: HOST }, ...overrides });
}

/** The SDK's query-string escaping (RFC 3986: `encodeURIComponent`, plus `!'()*`). */
const escape = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The request as the server receives it: the SDK sends `path` as it is and writes the query as its query builder does. */
function received(request: IHttpRequest): SigV4Request {
  const query = request.query ?? {};
  const rawQuery = Object.keys(query)
    .sort()
    .flatMap((key) => {
      const value = query[key];
      const values = Array.isArray(value) ? value : [value ?? ''];
      return values.map((v) => `${escape(key)}=${escape(v)}`);
    })
    .join('&');
  const body = request.body === undefined ? {} : { body: Buffer.from(request.body as string | Uint8Array) };
  return { method: request.method, rawPath: request.path, rawQuery, headers: { ...request.headers }, ...body };
}

async function check(request: SigV4Request, expectation: Partial<SigV4Expectation> = {}): Promise<SigV4Parsed> {
  const parsed = parseSigV4(request);
  assert.ok(parsed, 'the request is recognised as SigV4');
  await verifySigV4(request, parsed, CREDENTIALS.secretAccessKey, { ...API, ...expectation });
  return parsed;
}

async function refusal(promise: Promise<unknown>): Promise<SigV4ErrorCode> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SigV4Error, `a SigV4Error, not ${String(error)}`);
    assert.ok(!error.message.includes(CREDENTIALS.secretAccessKey), 'the message never holds the secret');
    assert.ok(!/[0-9a-f]{64}/.test(error.message), 'the message never holds a signature');
    return error.code;
  }
  assert.fail('the request was accepted');
}

const signed = async (request: HttpRequest, options: Parameters<typeof signer>[0] = {}): Promise<SigV4Request> =>
  received(await signer(options).sign(request, { signingDate: new Date(SIGNED_AT) }));

const presigned = async (request: HttpRequest, expiresIn = 900): Promise<SigV4Request> =>
  received(await signer().presign(request, { signingDate: new Date(SIGNED_AT), expiresIn }));

const withHeaders = (request: SigV4Request, headers: Record<string, string>): SigV4Request => ({ ...request, headers: { ...request.headers, ...headers } });

describe('requests the SDK signer signs are accepted', () => {
  test('a GET with a session token, read back as the SDK signed it', async () => {
    const parsed = await check(await signed(apiRequest({ query: { severity: '7', limit: '50' } })));
    assert.equal(parsed.form, 'header');
    assert.equal(parsed.accessKeyId, CREDENTIALS.accessKeyId);
    assert.equal(parsed.sessionToken, CREDENTIALS.sessionToken);
    assert.equal(parsed.region, 'us-east-1');
    assert.equal(parsed.service, 'yagura');
    assert.equal(parsed.date, '20261207');
    assert.equal(parsed.signedAt, SIGNED_AT);
    assert.ok(parsed.signedHeaders.includes('x-amz-security-token'));
  });

  test('a POST whose JSON body the SDK hashed into X-Amz-Content-Sha256', async () => {
    const request = await signed(apiRequest({ method: 'POST', path: '/api/alerts/rules', headers: { host: HOST, 'content-type': 'application/json' }, body: '{"name":"high"}' }));
    assert.ok(request.headers['x-amz-content-sha256']);
    await check(request);
  });

  test('a POST signed without X-Amz-Content-Sha256, as the AWS CLI signs services other than S3, by hashing the body', async () => {
    const request = await signed(apiRequest({ method: 'POST', headers: { host: HOST, 'content-type': 'application/json' }, body: '{"a":1}' }), { applyChecksum: false });
    assert.equal(request.headers['x-amz-content-sha256'], undefined);
    await check(request);
  });

  test('a request that declares UNSIGNED-PAYLOAD, whatever its body', async () => {
    const request = await signed(apiRequest({ method: 'PUT', headers: { host: HOST, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: 'anything' }));
    await check({ ...request, body: Buffer.from('something else') });
  });

  test('a path with escaped and non-ASCII characters and a query with reserved characters, escaped again as the SDK does', async () => {
    const path = '/api/saved-queries/caf%C3%A9%20%2F%20bar/a%2Bb';
    const query = { q: 'severity >= 7 AND type:"Recon:EC2/*"', 'tag:env': 'prod/eu', empty: '', many: ['b', 'a'] };
    await check(await signed(apiRequest({ path, query })));
  });

  test('a query a client escaped more than the canonical form (`%7E`, `%2D`) still verifies', async () => {
    const request = await signed(apiRequest({ query: { name: 'a-b~c' } }));
    await check({ ...request, rawQuery: 'name=a%2Db%7Ec' });
  });

  test('a presigned GET carrying its session token in the query', async () => {
    const parsed = await check(await presigned(apiRequest({ path: '/api/findings/export', query: { format: 'csv' } })), { now: SIGNED_AT + 899_000 });
    assert.equal(parsed.form, 'query');
    assert.equal(parsed.expiresSeconds, 900);
    assert.equal(parsed.sessionToken, CREDENTIALS.sessionToken);
  });

  test('a request dated by its Date header when it has no X-Amz-Date', async () => {
    const request = received(await signer().sign(apiRequest(), { signingDate: new Date(SIGNED_AT), unsignableHeaders: new Set(['x-amz-date']) }));
    const { 'x-amz-date': amzDate, ...headers } = request.headers;
    assert.equal(amzDate, '20261207T101500Z');
    await check({ ...request, headers: { ...headers, date: new Date(SIGNED_AT).toUTCString() } });
  });

  test('a request signed exactly five minutes before or after the server time', async () => {
    const request = await signed(apiRequest());
    await check(request, { now: SIGNED_AT + 300_000 });
    await check(request, { now: SIGNED_AT - 300_000 });
  });
});

describe('changed, replayed or misdirected requests are refused', () => {
  const post = (): HttpRequest =>
    apiRequest({ method: 'POST', path: '/api/alerts/rules', headers: { host: HOST, 'content-type': 'application/json', 'x-yagura-tenant': 'blue' }, body: '{"name":"high"}' });

  test('a changed body, whether the SDK sent its hash or not', async () => {
    const withHash = await signed(post());
    assert.equal(await refusal(check({ ...withHash, body: Buffer.from('{"name":"low"}') })), 'SignatureDoesNotMatch');
    const withoutHash = await signed(post(), { applyChecksum: false });
    assert.equal(await refusal(check({ ...withoutHash, body: Buffer.from('{"name":"low"}') })), 'SignatureDoesNotMatch');
    assert.equal(await refusal(check({ ...withoutHash, body: undefined })), 'SignatureDoesNotMatch');
  });

  test('a changed signed header', async () => {
    const request = await signed(post());
    assert.equal(await refusal(check(withHeaders(request, { 'x-yagura-tenant': 'red' }))), 'SignatureDoesNotMatch');
    assert.equal(await refusal(check(withHeaders(request, { 'content-type': 'text/plain' }))), 'SignatureDoesNotMatch');
    assert.equal(await refusal(check(withHeaders(request, { host: 'evil.example.org' }))), 'SignatureDoesNotMatch');
  });

  test('a changed path or query', async () => {
    const request = await signed(apiRequest({ path: '/api/findings/abc', query: { limit: '10' } }));
    assert.equal(await refusal(check({ ...request, rawPath: '/api/findings/abd' })), 'SignatureDoesNotMatch');
    assert.equal(await refusal(check({ ...request, rawQuery: 'limit=11' })), 'SignatureDoesNotMatch');
    assert.equal(await refusal(check({ ...request, rawQuery: 'limit=10&account=222222222222' })), 'SignatureDoesNotMatch');
    assert.equal(await refusal(check({ ...request, method: 'DELETE' })), 'SignatureDoesNotMatch');
  });

  test('a request replayed more than five minutes after it was signed, or dated more than five minutes ahead', async () => {
    const request = await signed(apiRequest());
    assert.equal(await refusal(check(request, { now: SIGNED_AT + 301_000 })), 'RequestExpired');
    assert.equal(await refusal(check(request, { now: SIGNED_AT - 301_000 })), 'RequestExpired');
    assert.equal(await refusal(check(request, { now: SIGNED_AT + 60_000, maxSkewSeconds: 30 })), 'RequestExpired');
  });

  test('a request signed for another region or another service', async () => {
    assert.equal(await refusal(check(await signed(apiRequest(), { region: 'eu-west-1' }))), 'SignatureDoesNotMatch');
    assert.equal(await refusal(check(await signed(apiRequest(), { service: 'sts' }))), 'SignatureDoesNotMatch');
    assert.equal(await refusal(check(await signed(apiRequest()), { service: 'sts' })), 'SignatureDoesNotMatch');
  });

  test('a request whose credential scope names another day than its X-Amz-Date', async () => {
    const lateNight = Date.parse('2026-12-07T23:58:00Z');
    const request = received(await signer().sign(apiRequest(), { signingDate: new Date(lateNight) }));
    const moved = withHeaders(request, { 'x-amz-date': '20261208T000100Z' });
    assert.equal(await refusal(check(moved, { now: Date.parse('2026-12-08T00:00:00Z') })), 'SignatureDoesNotMatch');
  });

  test('a request signed with another secret', async () => {
    const request = await signed(apiRequest());
    const parsed = parseSigV4(request);
    assert.ok(parsed);
    assert.equal(await refusal(verifySigV4(request, parsed, 'not-the-secret', API)), 'SignatureDoesNotMatch');
  });

  test('a presigned URL once it has expired, or with its expiry changed', async () => {
    const request = await presigned(apiRequest(), 60);
    await check(request, { now: SIGNED_AT + 60_000 });
    assert.equal(await refusal(check(request, { now: SIGNED_AT + 61_000 })), 'RequestExpired');
    const extended = { ...request, rawQuery: request.rawQuery.replace('X-Amz-Expires=60', 'X-Amz-Expires=3600') };
    assert.equal(await refusal(check(extended, { now: SIGNED_AT + 120_000 })), 'SignatureDoesNotMatch');
    const beyondAWeek = { ...request, rawQuery: request.rawQuery.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801') };
    assert.throws(() => parseSigV4(beyondAWeek), { code: 'IncompleteSignature' });
  });

  test('a session token added after signing, in a header or in the presigned query', async () => {
    const request = await signed(apiRequest(), { sessionToken: false });
    assert.equal(await refusal(check(withHeaders(request, { 'X-Amz-Security-Token': CREDENTIALS.sessionToken }))), 'AccessDenied');
    const url = received(await signer({ sessionToken: false }).presign(apiRequest(), { signingDate: new Date(SIGNED_AT) }));
    const withToken = { ...url, rawQuery: `${url.rawQuery}&X-Amz-Security-Token=${escape(CREDENTIALS.sessionToken)}` };
    assert.equal(await refusal(check(withToken)), 'SignatureDoesNotMatch');
  });

  test('a signed session token swapped for another', async () => {
    const request = await signed(apiRequest());
    assert.equal(await refusal(check(withHeaders(request, { 'x-amz-security-token': 'another-token' }))), 'SignatureDoesNotMatch');
  });

  test('a request that does not sign its Host header', async () => {
    const unsigned = apiRequest({ headers: {} });
    const request = received(await signer().sign(unsigned, { signingDate: new Date(SIGNED_AT) }));
    assert.equal(await refusal(check(withHeaders(request, { host: HOST }))), 'IncompleteSignature');
  });

  test('a request that lists a signed header it does not carry, or signs the Date header', async () => {
    const request = await signed(apiRequest());
    const authorization = String(request.headers['authorization']);
    const missing = withHeaders(request, { authorization: authorization.replace('SignedHeaders=', 'SignedHeaders=accept;') });
    assert.equal(await refusal(check(missing)), 'IncompleteSignature');
    const dated = withHeaders(request, { authorization: authorization.replace('SignedHeaders=', 'SignedHeaders=date;'), date: new Date(SIGNED_AT).toUTCString() });
    assert.equal(await refusal(check(dated)), 'IncompleteSignature');
  });

  test('an X-Amz-Content-Sha256 that is neither a SHA-256 nor UNSIGNED-PAYLOAD', async () => {
    const request = await signed(apiRequest({ method: 'PUT', headers: { host: HOST, 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' }, body: 'x' }));
    assert.equal(await refusal(check(request)), 'IncompleteSignature');
  });
});

// Recognising SigV4 requests: which requests are not SigV4 at all, what a signed one claims, and which are malformed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSigV4 } from './parse-sigv4.js';
import { splitTarget, type SigV4Request } from './sigv4-request.js';

const CREDENTIAL = 'AKIDEXAMPLE/20261207/us-east-1/yagura/aws4_request';
const SIGNATURE = '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31';
const AUTHORIZATION = `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=${SIGNATURE}`;
const PRESIGNED =
  `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(CREDENTIAL)}&X-Amz-Date=20261207T101500Z` +
  `&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIGNATURE}`;

function request(headers: Record<string, string | string[]>, target = '/api/findings'): SigV4Request {
  return { method: 'GET', ...splitTarget(target), headers: { host: 'yagura.example.org', ...headers } };
}

const signedRequest = (headers: Record<string, string | string[]> = {}): SigV4Request =>
  request({ authorization: AUTHORIZATION, 'x-amz-date': '20261207T101500Z', ...headers });

describe('requests that are not SigV4', () => {
  test('are told apart by undefined: no credentials, a bearer key, Signature Version 2, an unrelated query', () => {
    assert.equal(parseSigV4(request({})), undefined);
    assert.equal(parseSigV4(request({ authorization: 'Bearer ygr_0123456789abcdef' })), undefined);
    assert.equal(parseSigV4(request({ authorization: 'AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=' })), undefined);
    assert.equal(parseSigV4(request({}, '/api/findings?X-Amz-Date=20261207T101500Z&limit=5')), undefined);
  });
});

describe('a SigV4 request reads as what it claims', () => {
  test('in the Authorization header form', () => {
    assert.deepEqual(parseSigV4(signedRequest({ 'X-Amz-Security-Token': 'token/+=' })), {
      form: 'header',
      accessKeyId: 'AKIDEXAMPLE',
      date: '20261207',
      region: 'us-east-1',
      service: 'yagura',
      signedHeaders: ['host', 'x-amz-date'],
      signature: SIGNATURE,
      signedAt: Date.parse('2026-12-07T10:15:00Z'),
      sessionToken: 'token/+=',
    });
  });

  test('in the presigned query form, the token decoded from the query', () => {
    assert.deepEqual(parseSigV4(request({}, `/api/findings?format=csv&${PRESIGNED}&X-Amz-Security-Token=a%2Fb%2Bc%3D`)), {
      form: 'query',
      accessKeyId: 'AKIDEXAMPLE',
      date: '20261207',
      region: 'us-east-1',
      service: 'yagura',
      signedHeaders: ['host'],
      signature: SIGNATURE,
      signedAt: Date.parse('2026-12-07T10:15:00Z'),
      expiresSeconds: 900,
      sessionToken: 'a/b+c=',
    });
  });

  test('with its time from the Date header when there is no X-Amz-Date, and an upper-case signature in lower case', () => {
    const parsed = parseSigV4(request({ authorization: AUTHORIZATION.replace(SIGNATURE, SIGNATURE.toUpperCase()), date: 'Mon, 07 Dec 2026 10:15:00 GMT' }));
    assert.equal(parsed?.signedAt, Date.parse('2026-12-07T10:15:00Z'));
    assert.equal(parsed?.signature, SIGNATURE);
  });

  test('whatever the order of the three fields and the spaces around them', () => {
    const authorization = `AWS4-HMAC-SHA256 Signature=${SIGNATURE},Credential=${CREDENTIAL} ,  SignedHeaders=host;x-amz-date`;
    assert.equal(parseSigV4(signedRequest({ authorization }))?.accessKeyId, 'AKIDEXAMPLE');
  });
});

describe('a malformed SigV4 request is refused with IncompleteSignature', () => {
  const malformed: Readonly<Record<string, SigV4Request>> = {
    'another algorithm (SigV4a)': signedRequest({ authorization: AUTHORIZATION.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256') }),
    'no Signature field': signedRequest({ authorization: AUTHORIZATION.replace(/, Signature=.*$/, '') }),
    'an unknown field': signedRequest({ authorization: `${AUTHORIZATION}, Extra=1` }),
    'a field given twice': signedRequest({ authorization: `${AUTHORIZATION}, Signature=${SIGNATURE}` }),
    'a credential without a region': signedRequest({ authorization: AUTHORIZATION.replace('/us-east-1/', '/') }),
    'a credential scope not ending in aws4_request': signedRequest({ authorization: AUTHORIZATION.replace('aws4_request', 'aws5_request') }),
    'a credential scope date that is not YYYYMMDD': signedRequest({ authorization: AUTHORIZATION.replace('20261207', '2026-12-07') }),
    'a signature that is not 64 hex digits': signedRequest({ authorization: AUTHORIZATION.replace(SIGNATURE, 'zz') }),
    'signed header names in upper case': signedRequest({ authorization: AUTHORIZATION.replace('host;x-amz-date', 'Host;X-Amz-Date') }),
    'a signed header named twice': signedRequest({ authorization: AUTHORIZATION.replace('host;x-amz-date', 'host;host;x-amz-date') }),
    'no X-Amz-Date nor Date': request({ authorization: AUTHORIZATION }),
    'an X-Amz-Date in another format': signedRequest({ 'x-amz-date': '2026-12-07T10:15:00Z' }),
    'an X-Amz-Date that does not exist': signedRequest({ 'x-amz-date': '20261307T101500Z' }),
    'a Date header that is not a date': request({ authorization: AUTHORIZATION, date: 'yesterday' }),
    'two Authorization headers': signedRequest({ authorization: [AUTHORIZATION, AUTHORIZATION] }),
    'two different session tokens, in a header and the query': request({ authorization: AUTHORIZATION, 'x-amz-date': '20261207T101500Z', 'x-amz-security-token': 'a' }, '/?X-Amz-Security-Token=b'),
    'a presigned request without X-Amz-Date': request({}, `/?${PRESIGNED.replace('&X-Amz-Date=20261207T101500Z', '')}`),
    'a presigned request valid for more than a week': request({}, `/?${PRESIGNED.replace('X-Amz-Expires=900', 'X-Amz-Expires=604801')}`),
    'a presigned request with X-Amz-Expires=0': request({}, `/?${PRESIGNED.replace('X-Amz-Expires=900', 'X-Amz-Expires=0')}`),
    'a presigned request that also has an Authorization header': request({ authorization: 'Bearer x' }, `/?${PRESIGNED}`),
    'a presigned request with its signature twice': request({}, `/?${PRESIGNED}&X-Amz-Signature=${SIGNATURE}`),
  };
  for (const [what, req] of Object.entries(malformed)) {
    test(what, () => {
      assert.throws(() => parseSigV4(req), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'IncompleteSignature');
        assert.ok(!error.message.includes(SIGNATURE), 'the message does not repeat the signature');
        return true;
      });
    });
  }
});

// End to end: the AWS SDK's own STS client signs GetCallerIdentity, a node:http server verifies it with this module.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { XMLBuilder } from 'fast-xml-parser';
import { parseSigV4, type SigV4Parsed } from './parse-sigv4.js';
import { SigV4Error } from './sigv4-error.js';
import { splitTarget, type SigV4Request } from './sigv4-request.js';
import { verifySigV4 } from './verify-sigv4.js';

const CREDENTIALS = {
  accessKeyId: 'ASIAYAGURASTSTEST001',
  secretAccessKey: 'stsSecretKeyForTheEndToEndTest/0123456789',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE/sts+session/token==',
};
const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const xml = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@' });

interface Seen {
  readonly request: SigV4Request;
  readonly parsed: SigV4Parsed;
}

/** Verifies every request as the STS endpoint will, and answers GetCallerIdentity or an STS error document. */
async function handle(req: IncomingMessage, res: ServerResponse, seen: Seen[]): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const request: SigV4Request = { method: req.method ?? 'GET', ...splitTarget(req.url ?? '/'), headers: req.headersDistinct, body: Buffer.concat(chunks) };
  const requestId = randomUUID();
  let document: unknown;
  try {
    const parsed = parseSigV4(request);
    if (parsed === undefined) throw new SigV4Error('IncompleteSignature', 'the request is not signed');
    // The caller's part of the contract: an unknown key, or a token that is not the key's, is InvalidClientTokenId.
    if (parsed.accessKeyId !== CREDENTIALS.accessKeyId) throw new SigV4Error('InvalidClientTokenId', 'the security token included in the request is invalid');
    await verifySigV4(request, parsed, CREDENTIALS.secretAccessKey, { region: 'us-east-1', service: 'sts', now: Date.now() });
    if (parsed.sessionToken !== CREDENTIALS.sessionToken) throw new SigV4Error('InvalidClientTokenId', 'the security token included in the request is invalid');
    seen.push({ request, parsed });
    res.statusCode = 200;
    document = {
      GetCallerIdentityResponse: {
        '@xmlns': STS_NAMESPACE,
        GetCallerIdentityResult: { Arn: 'arn:aws:sts::123456789012:assumed-role/Analyst/alice', UserId: 'AROAEXAMPLE:alice', Account: '123456789012' },
        ResponseMetadata: { RequestId: requestId },
      },
    };
  } catch (error) {
    if (!(error instanceof SigV4Error)) throw error;
    res.statusCode = error.code === 'IncompleteSignature' ? 400 : 403;
    document = { ErrorResponse: { '@xmlns': STS_NAMESPACE, Error: { Type: 'Sender', Code: error.code, Message: error.message }, RequestId: requestId } };
  }
  res.setHeader('content-type', 'text/xml');
  res.end(xml.build(document));
}

describe("the AWS SDK's STS client against a server that verifies with this module", () => {
  const seen: Seen[] = [];
  let server: Server;
  let endpoint = '';

  before(async () => {
    server = createServer((req, res) => {
      handle(req, res, seen).catch((error: unknown) => res.destroy(error as Error));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = (path: string, credentials = CREDENTIALS): STSClient =>
    new STSClient({ region: 'us-east-1', endpoint: `${endpoint}${path}`, credentials, maxAttempts: 1 });

  for (const path of ['', '/sts']) {
    test(`GetCallerIdentity sent to "${path || '/'}" verifies as a form-encoded POST signed for the service sts`, async () => {
      const sts = client(path);
      const answer = await sts.send(new GetCallerIdentityCommand({}));
      sts.destroy();
      assert.equal(answer.Account, '123456789012');
      assert.equal(answer.Arn, 'arn:aws:sts::123456789012:assumed-role/Analyst/alice');
      const last = seen.at(-1);
      assert.ok(last);
      assert.equal(last.request.method, 'POST');
      // An endpoint with a path gets the operation's path `/` appended: the SDK posts to `/sts/`, not `/sts`.
      assert.equal(last.request.rawPath, `${path}/`);
      assert.match(String(last.request.headers['content-type']), /^application\/x-www-form-urlencoded/);
      assert.equal(Buffer.from(last.request.body ?? []).toString('utf8'), 'Action=GetCallerIdentity&Version=2011-06-15');
      assert.equal(last.parsed.form, 'header');
      assert.equal(last.parsed.service, 'sts');
      assert.equal(last.parsed.sessionToken, CREDENTIALS.sessionToken);
    });
  }

  test("a client with the wrong secret gets STS's SignatureDoesNotMatch, which the SDK reads as the error's name", async () => {
    const sts = client('', { ...CREDENTIALS, secretAccessKey: 'wrongSecretKeyForTheEndToEndTest/987654' });
    await assert.rejects(sts.send(new GetCallerIdentityCommand({})), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(error.name, 'SignatureDoesNotMatch');
      assert.equal(error.$metadata?.httpStatusCode, 403);
      return true;
    });
    sts.destroy();
  });

  test('a client with an unknown access key gets InvalidClientTokenId', async () => {
    const sts = client('', { ...CREDENTIALS, accessKeyId: 'ASIAUNKNOWNKEY000000' });
    await assert.rejects(sts.send(new GetCallerIdentityCommand({})), { name: 'InvalidClientTokenId' });
    sts.destroy();
  });
});

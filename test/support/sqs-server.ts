// A minimal SQS-compatible endpoint on a free loopback port, for tests with the real @aws-sdk/client-sqs: the AWS
// JSON 1.0 protocol (POST /, X-Amz-Target: AmazonSQS.<Operation>) the installed client speaks, and the queue
// semantics the collectors rely on — long polling, visibility timeouts, receipt handles, receive counts.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface StoredMessage {
  readonly id: string;
  readonly body: string;
  visibleAt: number;
  receiveCount: number;
  /** The handle of the latest receive; only it deletes the message or changes its visibility. */
  receiptHandle: string | undefined;
}

export interface SqsServer {
  /** The queue's URL (`http://127.0.0.1:<port>/000000000000/<name>`). */
  readonly queueUrl: string;
  /** Puts a message on the queue as S3 (or anyone) would. */
  send(body: string): string;
  /** Messages still on the queue, visible or in flight. */
  messages(): ReadonlyArray<{ id: string; body: string; receiveCount: number; inFlight: boolean }>;
  /** Every message in flight becomes visible now, as if its visibility timeout had passed. */
  lapse(): void;
  /** Operations served, by name (`ReceiveMessage`, `ChangeMessageVisibility`, …). */
  calls(operation: string): number;
  /** Requests that carried no SigV4 Authorization header (the SDK always signs). */
  readonly unsigned: number;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/x-amz-json-1.0';
const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

export async function startSqsServer(name = 'yagura-export'): Promise<SqsServer> {
  const queue: StoredMessage[] = [];
  const calls = new Map<string, number>();
  let unsigned = 0;
  let closing = false;
  let queueUrl = '';

  const fail = (res: ServerResponse, status: number, type: string, queryCode: string, message: string): void => {
    res.writeHead(status, { 'content-type': JSON_TYPE, 'x-amzn-query-error': `${queryCode};Sender` });
    res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${type}`, message }));
  };
  const answer = (res: ServerResponse, body: unknown): void => {
    res.writeHead(200, { 'content-type': JSON_TYPE });
    res.end(JSON.stringify(body));
  };
  const visible = (now: number): StoredMessage[] => queue.filter((m) => m.visibleAt <= now);

  const serve = async (req: IncomingMessage, res: ServerResponse, input: Record<string, unknown>, operation: string): Promise<void> => {
    if (input.QueueUrl !== queueUrl) return fail(res, 400, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    switch (operation) {
      case 'SendMessage': {
        const body = String(input.MessageBody ?? '');
        const id = randomUUID();
        queue.push({ id, body, visibleAt: Date.now() + Number(input.DelaySeconds ?? 0) * 1000, receiveCount: 0, receiptHandle: undefined });
        return answer(res, { MessageId: id, MD5OfMessageBody: md5(body) });
      }
      case 'ReceiveMessage': {
        const max = Number(input.MaxNumberOfMessages ?? 1);
        const deadline = Date.now() + Number(input.WaitTimeSeconds ?? 0) * 1000;
        // Long polling: wait for a visible message until the wait time ends (or the client goes away).
        while (visible(Date.now()).length === 0 && Date.now() < deadline && !closing && !req.socket.destroyed) await new Promise((r) => setTimeout(r, 10));
        const now = Date.now();
        const timeout = Number(input.VisibilityTimeout ?? 30);
        const taken = visible(now).slice(0, max);
        for (const m of taken) {
          m.visibleAt = now + timeout * 1000;
          m.receiveCount++;
          m.receiptHandle = randomUUID();
        }
        return answer(res, {
          Messages: taken.map((m) => ({
            MessageId: m.id,
            ReceiptHandle: m.receiptHandle,
            MD5OfBody: md5(m.body),
            Body: m.body,
            Attributes: { ApproximateReceiveCount: String(m.receiveCount) },
          })),
        });
      }
      case 'DeleteMessage': {
        // As SQS does: a handle from an earlier receive succeeds but deletes nothing.
        const i = queue.findIndex((m) => m.receiptHandle !== undefined && m.receiptHandle === input.ReceiptHandle);
        if (i !== -1) queue.splice(i, 1);
        return answer(res, {});
      }
      case 'ChangeMessageVisibility': {
        const m = queue.find((x) => x.receiptHandle !== undefined && x.receiptHandle === input.ReceiptHandle);
        if (m === undefined) return fail(res, 400, 'ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
        if (m.visibleAt <= Date.now()) return fail(res, 400, 'MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight', 'The message is not in flight.');
        m.visibleAt = Date.now() + Number(input.VisibilityTimeout ?? 0) * 1000;
        return answer(res, {});
      }
      default:
        return fail(res, 400, 'InvalidAction', 'InvalidAction', `${operation} is not served by this test queue`);
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (req.method !== 'POST' || !target.startsWith('AmazonSQS.') || !String(req.headers['content-type'] ?? '').startsWith(JSON_TYPE)) {
        return fail(res, 400, 'InvalidAction', 'InvalidAction', 'expected POST with X-Amz-Target: AmazonSQS.<Operation> and an AWS JSON 1.0 body');
      }
      if (!/^AWS4-HMAC-SHA256 Credential=/.test(String(req.headers.authorization ?? ''))) unsigned++;
      const operation = target.slice('AmazonSQS.'.length);
      calls.set(operation, (calls.get(operation) ?? 0) + 1);
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return fail(res, 400, 'SerializationException', 'SerializationException', 'the body is not JSON');
      }
      serve(req, res, input, operation).catch((error: Error) => fail(res, 500, 'InternalError', 'InternalError', error.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  queueUrl = `http://127.0.0.1:${port}/000000000000/${name}`;
  return {
    queueUrl,
    send(body: string): string {
      const id = randomUUID();
      queue.push({ id, body, visibleAt: Date.now(), receiveCount: 0, receiptHandle: undefined });
      return id;
    },
    lapse(): void {
      for (const m of queue) m.visibleAt = Math.min(m.visibleAt, Date.now());
    },
    messages: () => queue.map((m) => ({ id: m.id, body: m.body, receiveCount: m.receiveCount, inFlight: m.visibleAt > Date.now() })),
    calls: (operation) => calls.get(operation) ?? 0,
    get unsigned(): number {
      return unsigned;
    },
    async close(): Promise<void> {
      closing = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

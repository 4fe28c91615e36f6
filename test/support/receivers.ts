// Real alert receivers on loopback: an HTTP server that records requests and an SMTP server that records mail.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

export interface HttpReceiver {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Status answered to the next requests (200 by default); `down` closes connections without answering. */
  answer: number | 'down';
  /** Resolves once at least n requests were received. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

async function waitUntil<T>(items: T[], n: number, timeoutMs: number, what: string): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  while (items.length < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} ${what}, got ${items.length} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return items;
}

export async function httpReceiver(port = 0): Promise<HttpReceiver> {
  const received: ReceivedRequest[] = [];
  const receiver = {
    url: '',
    received,
    answer: 200 as number | 'down',
    waitFor: (n: number, timeoutMs = 5000) => waitUntil(received, n, timeoutMs, 'requests'),
    close: async (): Promise<void> => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (receiver.answer === 'down') {
        req.socket.destroy();
        return;
      }
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      res.writeHead(receiver.answer, { 'content-type': 'text/plain' }).end(receiver.answer < 300 ? 'ok' : 'unavailable');
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

export interface SmtpReceiver {
  readonly port: number;
  readonly messages: ParsedMail[];
  waitFor(n: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) without TLS or auth, parsing every message it accepts. */
export async function smtpReceiver(): Promise<SmtpReceiver> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    waitFor: (n, timeoutMs = 5000) => waitUntil(messages, n, timeoutMs, 'emails'),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

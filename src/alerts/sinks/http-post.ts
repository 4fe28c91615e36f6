// POSTs a JSON body to an alert receiver with a timeout, no redirects, and the network policy applied.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { checkedAddress, guardedLookup, RefusedAddressError, systemResolver, type NetworkPolicy, type Resolver } from './network-policy.js';
import type { SendResult } from './sink.js';

/** Bytes of a receiver's answer kept for the error a person reads; the rest is read and dropped. */
const ANSWER_KEPT = 4096;

/** 408 and 429 and every 5xx are worth retrying; other 4xx mean the receiver will never take this message. */
function permanent(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/**
 * One POST with Node's HTTP client rather than `fetch`: only it lets the connection use our `lookup`, which
 * checks the addresses the socket connects to (see `guardedLookup`). It never follows a redirect.
 */
function post(target: URL, body: string, headers: Readonly<Record<string, string>>, signal: AbortSignal, policy: NetworkPolicy, resolve: Resolver): Promise<{ status: number; text: string }> {
  return new Promise((done, fail) => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) }, lookup: guardedLookup(policy, resolve), signal }, (res: IncomingMessage) => {
      const kept: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < ANSWER_KEPT) kept.push(chunk);
        size += chunk.length;
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, text: Buffer.concat(kept).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

export async function postJson(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number,
  policy: NetworkPolicy,
  resolve: Resolver = systemResolver,
): Promise<SendResult> {
  const target = new URL(url);
  // A name is resolved once, by the connection, which refuses a private answer (guardedLookup); an address
  // literal is never looked up, so it is checked here. A name that does not resolve fails the send, to be retried.
  if (isIP(target.hostname.replace(/^\[|\]$/g, '')) !== 0) {
    const checked = await checkedAddress(target.hostname, policy);
    if ('refused' in checked) return { ok: false, error: checked.refused, permanent: checked.permanent };
  }
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const answer = await post(target, body, { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Yagura-Alerts/0.1', ...headers }, signal, policy, resolve);
    if (answer.status >= 200 && answer.status < 300) return { ok: true, status: answer.status };
    const text = answer.text.slice(0, 200);
    return { ok: false, error: `the receiver answered ${answer.status}${text ? `: ${text}` : ''}`, permanent: permanent(answer.status) };
  } catch (error) {
    if (error instanceof RefusedAddressError) return { ok: false, error: error.message, permanent: true };
    const e = error as { code?: string; message?: string };
    const why = signal.aborted ? `no answer within ${timeoutMs} ms` : (e.code ?? e.message ?? 'request failed');
    return { ok: false, error: `cannot reach the receiver: ${why}`, permanent: false };
  }
}

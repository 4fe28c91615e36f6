// POSTs a JSON body to an alert receiver with a timeout, no redirects, and the network policy applied.
import { refuseHost, type NetworkPolicy } from './network-policy.js';
import type { SendResult } from './sink.js';

/** 408 and 429 and every 5xx are worth retrying; other 4xx mean the receiver will never take this message. */
function permanent(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

export async function postJson(url: string, body: string, headers: Readonly<Record<string, string>>, timeoutMs: number, policy: NetworkPolicy): Promise<SendResult> {
  const target = new URL(url);
  const refused = await refuseHost(target.hostname, policy);
  if (refused !== undefined) return { ok: false, error: refused, permanent: true };
  try {
    const response = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'Yagura-Alerts/0.1', ...headers },
      body,
      // A redirect could lead to an address the policy refuses; receivers that redirect are misconfigured.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Drain the body so the connection can be reused; its text helps a person reading a failure.
    const text = (await response.text().catch(() => '')).slice(0, 200);
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    return { ok: false, error: `the receiver answered ${response.status}${text ? `: ${text}` : ''}`, permanent: permanent(response.status) };
  } catch (error) {
    const e = error as { name?: string; cause?: { code?: string }; message?: string };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.message ?? 'request failed');
    return { ok: false, error: `cannot reach the receiver: ${why}`, permanent: false };
  }
}

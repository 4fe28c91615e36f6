// The generic webhook's signature: HMAC-SHA256 over `${timestamp}.${body}`, so receivers can verify and refuse replays.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-yagura-signature';
export const TIMESTAMP_HEADER = 'x-yagura-timestamp';

/** `v1=<hex>` for a timestamp (Unix seconds) and the exact body bytes. */
export function sign(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does: recompute, compare in constant time, and refuse stale timestamps. */
export function verifySignature(secret: string, timestamp: string, body: string, signature: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, ts, body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

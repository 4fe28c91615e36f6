// API keys of the form `yk_<8 visible>_<43 secret>`: the visible prefix names a key in lists; only a hash is kept.
import { randomBytes, randomUUID } from 'node:crypto';
import { hashKey } from '../api-keys.js';

export interface GeneratedKey {
  readonly id: string;
  readonly key: string;
  /** `yk_` and the 8 visible characters: enough to recognise a key, useless to use it. */
  readonly prefix: string;
  readonly hash: string;
}

export function generateYkKey(): GeneratedKey {
  const visible = randomBytes(6).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  const key = `yk_${visible}_${secret}`;
  return { id: randomUUID(), key, prefix: `yk_${visible}`, hash: hashKey(key) };
}

/** The visible part of a presented key, for logs: `yk_…` keys' prefix, `ygr_` for the older form. */
export function visiblePrefix(key: string): string {
  if (key.startsWith('yk_')) return key.slice(0, 11);
  return key.startsWith('ygr_') ? 'ygr_' : '';
}

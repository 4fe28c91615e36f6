// A finding key's digest: what Yagura keeps about a key once the finding itself must be gone (the archive index,
// the archive's pending rewrites, an erasure's receipt), so that no record names the finding in clear.
import { createHash } from 'node:crypto';
import type { FindingKey } from './finding.js';

/** SHA-256 of `accountId \n region \n id` (UTF-8): 32 bytes, the same for a key wherever it is computed. */
export function keyDigest(key: FindingKey): Buffer {
  return createHash('sha256').update(`${key.accountId}\n${key.region}\n${key.id}`, 'utf8').digest();
}

/** The first 16 bytes of `keyDigest`: what the archive index and its pending rewrites store per key. */
export function shortKeyDigest(key: FindingKey): Buffer {
  return keyDigest(key).subarray(0, 16);
}

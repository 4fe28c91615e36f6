// Master keys (key-encryption keys): 32 random bytes with a short id derived from them, so that sealed values name
// the key that sealed them without revealing it.
import { createHmac, randomBytes } from 'node:crypto';
import { SecretError } from './secret-error.js';

export interface MasterKey {
  /** 8 base64url characters, derived from the key: the same key always has the same id. */
  readonly id: string;
  readonly bytes: Buffer;
}

export const MASTER_KEY_BYTES = 32;

/** An HMAC of a fixed label under the key: names the key, and reveals nothing of it. */
function idOf(bytes: Buffer): string {
  return createHmac('sha256', bytes).update('yagura master key id').digest('base64url').slice(0, 8);
}

export function masterKey(bytes: Buffer): MasterKey {
  if (bytes.length !== MASTER_KEY_BYTES) throw new SecretError('INVALID_MASTER_KEY', `a master key is ${MASTER_KEY_BYTES} bytes, not ${bytes.length}`);
  return { id: idOf(bytes), bytes: Buffer.from(bytes) };
}

export function generateMasterKey(): MasterKey {
  return masterKey(randomBytes(MASTER_KEY_BYTES));
}

/**
 * A key given as base64 text (`openssl rand -base64 32`), strictly: 32 bytes, canonical base64 (padding included),
 * surrounding white space ignored. `name` says where it came from in the error, which never repeats the text.
 */
export function parseMasterKey(text: string, name: string): MasterKey {
  const trimmed = text.trim();
  const bytes = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || bytes.length !== MASTER_KEY_BYTES || bytes.toString('base64') !== trimmed) {
    throw new SecretError('INVALID_MASTER_KEY', `${name} must be the base64 of ${MASTER_KEY_BYTES} random bytes (for example from: openssl rand -base64 32)`);
  }
  return masterKey(bytes);
}

/** The key as base64 text, as YAGURA_MASTER_KEY and the key file hold it. */
export function formatMasterKey(key: MasterKey): string {
  return key.bytes.toString('base64');
}

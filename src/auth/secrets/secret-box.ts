// SecretBox: seals secrets that Yagura must read back (alert destination secrets, STS secret keys) so that the
// data folder alone does not reveal them.

/**
 * Authenticated encryption of short secrets bound to the record they belong to. `context` (for example
 * `destination:<id>` or `sts:<accessKeyId>`) is authenticated with the value, so a sealed value copied into
 * another record does not open there.
 */
export interface SecretBox {
  /** The sealed text (`ygs1.<keyId>.<iv>.<ciphertext+tag>`), safe to store. */
  seal(plaintext: string, context: string): string;
  /** The plaintext; throws a SecretError when the value is altered, sealed for another context or with an unknown key. */
  open(sealed: string, context: string): string;
  /** Whether `value` has the sealed format (says nothing of whether it opens). */
  isSealed(value: string): boolean;
}

/** Version tag of the sealed format; a new format gets a new tag, and values carry theirs. */
export const SEALED_PREFIX = 'ygs1';

/** `ygs1.<keyId: 8>.<iv: 12 bytes>.<ciphertext + 16-byte tag>`, base64url. */
const SEALED = /^ygs1\.([A-Za-z0-9_-]{8})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})$/;

export interface SealedParts {
  readonly keyId: string;
  readonly iv: Buffer;
  /** Ciphertext followed by the 16-byte GCM tag. */
  readonly payload: Buffer;
}

/** The parts of a sealed value, or undefined when it is not one. */
export function sealedParts(value: string): SealedParts | undefined {
  const m = SEALED.exec(value);
  if (m === null) return undefined;
  return { keyId: m[1]!, iv: Buffer.from(m[2]!, 'base64url'), payload: Buffer.from(m[3]!, 'base64url') };
}

/** Whether `value` has the sealed format. */
export function isSealed(value: string): boolean {
  return SEALED.test(value);
}

/** The id of the master key that sealed `value`, or undefined when it is not sealed. */
export function sealedKeyId(value: string): string | undefined {
  return SEALED.exec(value)?.[1];
}

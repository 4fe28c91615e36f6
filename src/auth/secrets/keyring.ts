// The keyring: the master keys Yagura holds; the first seals, every one opens (several during a rotation).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { generateMasterKey, type MasterKey } from './master-key.js';
import { isSealed, SEALED_PREFIX, sealedKeyId, sealedParts, type SecretBox } from './secret-box.js';
import { SecretError } from './secret-error.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What is authenticated besides the ciphertext: the format, the key id and the record the value belongs to. */
function aad(keyId: string, context: string): Buffer {
  return Buffer.from(`${SEALED_PREFIX}.${keyId}.${context}`, 'utf8');
}

/** AES-256-GCM with a random 96-bit IV per value, the context bound as additional authenticated data. */
export class Keyring implements SecretBox {
  readonly keys: readonly MasterKey[];
  private readonly byId: ReadonlyMap<string, MasterKey>;

  /** `keys[0]` seals; duplicates (same key twice) are dropped. */
  constructor(keys: readonly MasterKey[]) {
    if (keys.length === 0) throw new SecretError('INVALID_MASTER_KEY', 'a keyring needs at least one master key');
    const byId = new Map<string, MasterKey>();
    for (const k of keys) if (!byId.has(k.id)) byId.set(k.id, k);
    this.byId = byId;
    this.keys = [...byId.values()];
  }

  /** A keyring of one fresh random key (tests, first start). */
  static generate(): Keyring {
    return new Keyring([generateMasterKey()]);
  }

  /** The key that seals. */
  get current(): MasterKey {
    return this.keys[0]!;
  }

  seal(plaintext: string, context: string): string {
    const key = this.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.bytes, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(key.id, context));
    const payload = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${SEALED_PREFIX}.${key.id}.${iv.toString('base64url')}.${payload.toString('base64url')}`;
  }

  open(sealed: string, context: string): string {
    const parts = sealedParts(sealed);
    if (parts === undefined || parts.payload.length < TAG_BYTES) throw new SecretError('NOT_SEALED', `the value for ${context} is not a sealed value`);
    const key = this.byId.get(parts.keyId);
    if (key === undefined) {
      throw new SecretError(
        'UNKNOWN_MASTER_KEY',
        `the value for ${context} was sealed with master key ${parts.keyId}, which is not among the keys held (${this.keys.map((k) => k.id).join(', ')}): restore that key (YAGURA_MASTER_KEY or the data folder's master.key)`,
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, parts.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(key.id, context));
    decipher.setAuthTag(parts.payload.subarray(parts.payload.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(parts.payload.subarray(0, parts.payload.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretError('SEALED_VALUE_REJECTED', `the sealed value for ${context} does not open: it was altered, or it belongs to another record`);
    }
  }

  isSealed(value: string): boolean {
    return isSealed(value);
  }

  /** `sealed` as the current key seals it: unchanged when that key sealed it already (so a rotation can resume). */
  reseal(sealed: string, context: string): string {
    if (sealedKeyId(sealed) === this.current.id) {
      this.open(sealed, context);
      return sealed;
    }
    return this.seal(this.open(sealed, context), context);
  }
}

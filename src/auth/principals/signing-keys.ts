// SigV4 credentials of long-lived API keys: an access key ID and a secret access key made with the key and shown
// once with it. The bearer key stays hash-only; the signing secret must be recoverable to check signatures, so it
// is sealed with the master key. Revoking, expiring or removing the owner of the key ends its signing credentials.
import { randomBytes, randomInt } from 'node:crypto';
import type { SecretBox } from '../secrets/secret-box.js';
import type { Principal } from './principal.js';
import type { KeyResolution } from './resolver.js';

export interface SigningKeyRecord {
  readonly keyId: string;
  readonly accessKeyId: string;
  readonly sealedSecret: string;
}

export interface SigningKeyStore {
  insert(record: SigningKeyRecord): Promise<void>;
  byAccessKeyId(accessKeyId: string): Promise<SigningKeyRecord | undefined>;
}

export type SigningKeyResolution =
  | { readonly ok: true; readonly principal: Principal; readonly secretAccessKey: string }
  | { readonly ok: false; readonly reason: 'unknown' | 'revoked' | 'expired' };

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `AKIA` and 16 characters of base32, as AWS's long-term access key IDs look. */
export function isLongTermAccessKeyId(id: string): boolean {
  return /^AKIA[A-Z2-7]{16}$/.test(id);
}

export class SigningKeys {
  constructor(
    private readonly store: SigningKeyStore,
    private readonly box: Pick<SecretBox, 'seal' | 'open'>,
    private readonly keys: { byKeyId(id: string): Promise<KeyResolution> },
  ) {}

  /** New signing credentials for an API key just created; the secret is returned once and kept only sealed. */
  async create(keyId: string): Promise<{ readonly accessKeyId: string; readonly secretAccessKey: string }> {
    let accessKeyId = 'AKIA';
    for (let i = 0; i < 16; i++) accessKeyId += ALPHABET[randomInt(ALPHABET.length)];
    const secretAccessKey = randomBytes(30).toString('base64');
    await this.store.insert({ keyId, accessKeyId, sealedSecret: this.box.seal(secretAccessKey, `key:${accessKeyId}`) });
    return { accessKeyId, secretAccessKey };
  }

  /** The key's principal and signing secret, as of now. */
  async resolve(accessKeyId: string): Promise<SigningKeyResolution> {
    if (!isLongTermAccessKeyId(accessKeyId)) return { ok: false, reason: 'unknown' };
    const record = await this.store.byAccessKeyId(accessKeyId);
    if (record === undefined) return { ok: false, reason: 'unknown' };
    const key = await this.keys.byKeyId(record.keyId);
    if (!key.ok) return { ok: false, reason: key.reason };
    return { ok: true, principal: key.principal, secretAccessKey: this.box.open(record.sealedSecret, `key:${record.accessKeyId}`) };
  }
}

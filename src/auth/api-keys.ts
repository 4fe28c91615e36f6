// API keys: random bearer secrets of which only a hash is stored.
import { createHash, randomUUID } from 'node:crypto';
import { generateYkKey, visiblePrefix } from './principals/keys.js';

export interface ApiKeyRecord {
  readonly id: string;
  /** The key's visible part for lists and logs: `yk_xxxxxxxx`, `ygr_` for the older form, '' for an operator's own key. */
  readonly prefix: string;
  readonly name: string;
  /** SHA-256 of the whole key, base64url. The key has 256 bits of entropy, so a fast hash suffices. */
  readonly hash: string;
  readonly createdAt: number;
}

/** Where keys are kept; the embedded store provides one in SQLite. */
export interface ApiKeyRepository {
  count(): Promise<number>;
  insert(record: ApiKeyRecord): Promise<void>;
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
}

/** Who is calling. Policies will refine what each identity may do. */
export interface Identity {
  readonly keyId: string;
  readonly name: string;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('base64url');
}

/** An Administrator key from a key the caller chose (the operator's bootstrap key, a test's key). */
export async function createKey(repo: ApiKeyRepository, name: string, key: string, now: number): Promise<ApiKeyRecord> {
  const record = { id: randomUUID(), prefix: visiblePrefix(key), name, hash: hashKey(key), createdAt: now };
  await repo.insert(record);
  return record;
}

/** Resolves a presented key to its identity, or undefined. */
export async function authenticate(repo: ApiKeyRepository, presented: string): Promise<Identity | undefined> {
  if (presented.length < 16 || presented.length > 512) return undefined;
  const record = await repo.findByHash(hashKey(presented));
  return record ? { keyId: record.id, name: record.name } : undefined;
}

export type BootstrapResult = { readonly created: false } | { readonly created: true; readonly generatedKey?: string };

/**
 * With no key yet, creates the admin key from `bootstrapKey` or generates one, returned so it can be shown once.
 * With keys already present nothing changes.
 */
export async function bootstrapAdmin(repo: ApiKeyRepository, bootstrapKey: string | undefined, now: number): Promise<BootstrapResult> {
  if ((await repo.count()) > 0) return { created: false };
  if (bootstrapKey !== undefined) {
    await createKey(repo, 'admin', bootstrapKey, now);
    return { created: true };
  }
  const { key } = generateYkKey();
  await createKey(repo, 'admin', key, now);
  return { created: true, generatedKey: key };
}

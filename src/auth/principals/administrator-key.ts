// Offline creation of an Administrator key (`yagura keys create --data DIR`): whoever can open the data folder
// is an administrator by nature, so no policy is checked here.
import { ADMINISTRATOR_ROLE } from './names.js';
import { generateYkKey } from './keys.js';
import type { PrincipalStore } from './principal-store.js';

export interface CreatedKey {
  readonly id: string;
  /** Shown once; only its hash is stored. */
  readonly key: string;
  readonly prefix: string;
}

export async function createAdministratorKey(store: PrincipalStore, name: string, now: number = Date.now()): Promise<CreatedKey> {
  const generated = generateYkKey();
  await store.createApiKey({ id: generated.id, prefix: generated.prefix, name, hash: generated.hash, owner: { kind: 'role', name: ADMINISTRATOR_ROLE }, createdAt: now, expiresAt: null });
  return { id: generated.id, key: generated.key, prefix: generated.prefix };
}

// Where a Yagura process gets its master keys: YAGURA_MASTER_KEY, or the data folder's key file, made at first start.
import path from 'node:path';
import { readKeyFile, writeKeyFile, KEY_FILE_NAME } from './key-file.js';
import { Keyring } from './keyring.js';
import { parseMasterKey, type MasterKey } from './master-key.js';

export const MASTER_KEY_ENV = 'YAGURA_MASTER_KEY';
export const NEW_MASTER_KEY_ENV = 'YAGURA_NEW_MASTER_KEY';

export interface LoadedKeyring {
  readonly keyring: Keyring;
  /** `env`: YAGURA_MASTER_KEY; `file`: `<dataDir>/master.key`. */
  readonly source: 'env' | 'file';
  /** The key file was made now (first start). */
  readonly generated: boolean;
}

export function keyFileOf(dataDir: string): string {
  return path.join(dataDir, KEY_FILE_NAME);
}

/**
 * The keys from the environment when YAGURA_MASTER_KEY is set (it seals; YAGURA_NEW_MASTER_KEY, set during a
 * rotation, also opens, so a server started midway reads every value), else from the key file of `dataDir`,
 * which is generated when absent. The folder must exist.
 */
export function loadKeyring(dataDir: string, env: NodeJS.ProcessEnv): LoadedKeyring {
  const fromEnv = env[MASTER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    const keys: MasterKey[] = [parseMasterKey(fromEnv, MASTER_KEY_ENV)];
    const next = env[NEW_MASTER_KEY_ENV];
    if (next !== undefined && next !== '') keys.push(parseMasterKey(next, NEW_MASTER_KEY_ENV));
    return { keyring: new Keyring(keys), source: 'env', generated: false };
  }
  const file = keyFileOf(dataDir);
  const existing = readKeyFile(file);
  if (existing !== undefined) return { keyring: existing, source: 'file', generated: false };
  const keyring = Keyring.generate();
  writeKeyFile(file, keyring);
  return { keyring, source: 'file', generated: true };
}

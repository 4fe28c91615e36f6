// Master key rotation: a new key seals every stored secret again, then the old key is dropped. Crash-safe: each
// step leaves every value openable with a key still held, and a rotation that stopped midway is finished by the next.
import { keyFileOf, MASTER_KEY_ENV, NEW_MASTER_KEY_ENV } from './load-keyring.js';
import { readKeyFile, writeKeyFile } from './key-file.js';
import { Keyring } from './keyring.js';
import { generateMasterKey, parseMasterKey } from './master-key.js';
import type { SealedRecords } from './sealed-records.js';
import { SecretError } from './secret-error.js';

/** The store opened for a rotation (under the data folder's lock), with every kind of record that holds sealed values. */
export interface RotationStore {
  readonly records: readonly SealedRecords[];
  close(): Promise<void>;
}

export interface RotationResult {
  /** `file`: the key file was rewritten; `env`: the operator must now swap the variables. */
  readonly source: 'env' | 'file';
  /** The key that seals from now on. */
  readonly keyId: string;
  /** Keys no longer needed by any stored value. */
  readonly retiredKeyIds: readonly string[];
  /** Values sealed again (those the new key sealed already are left as they are). */
  readonly resealed: number;
  /** The key file held several keys: a rotation had stopped midway, and this run finished it. */
  readonly resumed: boolean;
}

async function resealAll(store: RotationStore, keyring: Keyring): Promise<number> {
  let count = 0;
  for (const records of store.records) count += await records.rewriteSealed((sealed, context) => keyring.reseal(sealed, context));
  return count;
}

/**
 * Key file: adds a new key in front (written before anything is sealed with it), seals every value with it, then
 * leaves it alone in the file. If the file already holds several keys, a rotation stopped midway: its first key
 * is the new one, and this run finishes that rotation instead of starting another.
 */
async function rotateKeyFile(dataDir: string, open: (keyring: Keyring) => Promise<RotationStore>): Promise<RotationResult> {
  const file = keyFileOf(dataDir);
  const held = readKeyFile(file);
  if (held === undefined) throw new SecretError('ROTATION_REFUSED', `there is no master key file at ${file}: start Yagura on this data folder once to make one`);
  const store = await open(held);
  try {
    const resumed = held.keys.length > 1;
    const keyring = resumed ? held : new Keyring([generateMasterKey(), ...held.keys]);
    if (!resumed) writeKeyFile(file, keyring);
    const resealed = await resealAll(store, keyring);
    // Every value is now sealed with the first key, durably (the re-seal commits with a full fsync).
    writeKeyFile(file, new Keyring([keyring.current]));
    return { source: 'file', keyId: keyring.current.id, retiredKeyIds: keyring.keys.slice(1).map((k) => k.id), resealed, resumed };
  } finally {
    await store.close();
  }
}

/**
 * Environment: Yagura cannot change its own variables, so the new key comes from YAGURA_NEW_MASTER_KEY, every
 * value is sealed with it, and the operator then moves it to YAGURA_MASTER_KEY. Run again with the same
 * variables, it finishes what a stopped run left.
 */
async function rotateEnvKey(env: NodeJS.ProcessEnv, open: (keyring: Keyring) => Promise<RotationStore>): Promise<RotationResult> {
  const old = parseMasterKey(env[MASTER_KEY_ENV] ?? '', MASTER_KEY_ENV);
  const text = env[NEW_MASTER_KEY_ENV];
  if (text === undefined || text === '') {
    throw new SecretError('ROTATION_REFUSED', `${MASTER_KEY_ENV} is set, so the new key must come from ${NEW_MASTER_KEY_ENV} (for example: ${NEW_MASTER_KEY_ENV}=$(openssl rand -base64 32))`);
  }
  const next = parseMasterKey(text, NEW_MASTER_KEY_ENV);
  if (next.id === old.id) throw new SecretError('ROTATION_REFUSED', `${NEW_MASTER_KEY_ENV} holds the same key as ${MASTER_KEY_ENV}: give a new one`);
  const keyring = new Keyring([next, old]);
  const store = await open(keyring);
  try {
    const resealed = await resealAll(store, keyring);
    return { source: 'env', keyId: next.id, retiredKeyIds: [old.id], resealed, resumed: false };
  } finally {
    await store.close();
  }
}

/**
 * Rotates the master key of the data folder `dataDir`: from YAGURA_MASTER_KEY/YAGURA_NEW_MASTER_KEY when
 * YAGURA_MASTER_KEY is set, else in the key file. `open` opens the store with a keyring (taking the folder's lock).
 */
export async function rotateMasterKey(dataDir: string, env: NodeJS.ProcessEnv, open: (keyring: Keyring) => Promise<RotationStore>): Promise<RotationResult> {
  const fromEnv = env[MASTER_KEY_ENV];
  return fromEnv !== undefined && fromEnv !== '' ? rotateEnvKey(env, open) : rotateKeyFile(dataDir, open);
}

// The master key file (`<dataDir>/master.key`): the keyring on disk, readable by its owner only, replaced atomically.
import { closeSync, fstatSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync, constants } from 'node:fs';
import path from 'node:path';
import { Keyring } from './keyring.js';
import { formatMasterKey, parseMasterKey, type MasterKey } from './master-key.js';
import { SecretError } from './secret-error.js';

export const KEY_FILE_NAME = 'master.key';

const HEADER = [
  '# Yagura master keys. The first key seals secrets stored in this data folder; every key listed opens them.',
  '# Back this file up with the data folder: without it the sealed secrets (alert destinations, STS keys) are lost.',
  '# Rotate with: yagura keys rotate-master --data DIR',
];
/** `ygk1 <id> <base64 of 32 bytes>` */
const LINE = /^ygk1 ([A-Za-z0-9_-]{8}) (\S+)$/;

/** Group and other permission bits: any of them set means someone besides the owner may read or replace the keys. */
const EXPOSED_BITS = 0o077;

/**
 * Refuses a key file others may read or write, as ssh refuses such a private key. POSIX permissions mean nothing
 * on Windows, where the check is left to the folder's ACL.
 */
function checkPrivate(file: string, fd: number): void {
  const stat = fstatSync(fd);
  if (!stat.isFile()) throw new SecretError('INVALID_KEY_FILE', `${file} is not a regular file`);
  if (process.platform === 'win32') return;
  const mode = stat.mode & 0o777;
  if ((mode & EXPOSED_BITS) !== 0) {
    throw new SecretError('KEY_FILE_EXPOSED', `${file} has permissions ${mode.toString(8).padStart(4, '0')}, so others may read the master key; run chmod 600 ${file} (and consider rotating the key)`);
  }
  // Owned by the user Yagura runs as, or by root (a mounted secret), as ssh accepts.
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid() && stat.uid !== 0) {
    throw new SecretError('KEY_FILE_EXPOSED', `${file} belongs to uid ${stat.uid}, neither the user Yagura runs as (uid ${process.getuid()}) nor root`);
  }
}

/** The keyring the file holds, or undefined when there is no file. */
export function readKeyFile(file: string): Keyring | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new SecretError('INVALID_KEY_FILE', `cannot read the master key file ${file}: ${code ?? (error as Error).message}`);
  }
  let text: string;
  try {
    checkPrivate(file, fd);
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  const keys: MasterKey[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    const where = `line ${i + 1} of ${file}`;
    if (m === null) throw new SecretError('INVALID_KEY_FILE', `${where} is not a master key (expected: ygk1 <id> <base64 key>)`);
    const key = parseMasterKey(m[2]!, where);
    if (key.id !== m[1]) throw new SecretError('INVALID_KEY_FILE', `${where} names key ${m[1]} but holds key ${key.id}: the file was altered`);
    keys.push(key);
  }
  if (keys.length === 0) throw new SecretError('INVALID_KEY_FILE', `${file} holds no master key`);
  return new Keyring(keys);
}

/**
 * Replaces the file with `keyring`'s keys: written to a temporary file created 0600, fsynced, renamed over the
 * old one and the folder fsynced, so that a crash leaves the old file or the new one, never a mix.
 */
export function writeKeyFile(file: string, keyring: Keyring): void {
  const text = `${[...HEADER, ...keyring.keys.map((k) => `ygk1 ${k.id} ${formatMasterKey(k)}`)].join('\n')}\n`;
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  rmSync(temp, { force: true });
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncFolder(path.dirname(file));
}

function syncFolder(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

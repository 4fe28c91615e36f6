// The manifest of a backup folder (`manifest.json`, written last): what the backup holds, as of when, and the size
// and SHA-256 of every file, so that a restore can tell a whole, untouched backup from anything else.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'yagura-backup/1';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
/** A path inside the backup folder: relative, `/`-separated, no `..`, no empty or dot segments. */
const relativePath = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith('/') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('\\') && !s.includes('\u0000')), 'must be a relative path inside the backup');

const counts = z.object({ findings: z.number().int().min(0), versions: z.number().int().min(0), auditEntries: z.number().int().min(0) }).strict();

export const manifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    /** The snapshot's instant (ISO-8601): every finding acknowledged before it is in the backup. */
    takenAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    /** The data folder backed up, for the operator. */
    source: z.string().max(4096),
    store: z.object({ kind: z.literal('sqlite'), file: relativePath, contents: counts }).strict(),
    archive: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('local'), objects: z.number().int().min(0), bytes: z.number().int().min(0) }).strict(),
      /** A bucket: not copied (its own versioning or replication keeps it); named without credentials. */
      z.object({ kind: z.literal('s3'), url: z.string().max(2048) }).strict(),
    ]),
    /** `included`: master.key is in the backup; `excluded`: it was left out on request; `environment`: YAGURA_MASTER_KEY held it. */
    masterKey: z.enum(['included', 'excluded', 'environment']),
    files: z.array(z.object({ path: relativePath, bytes: z.number().int().min(0), sha256: sha256Hex }).strict()),
  })
  .strict();

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestFile = Manifest['files'][number];

export class BackupError extends Error {
  constructor(
    readonly code: 'BACKUP_NOT_FOUND' | 'BACKUP_INCOMPLETE' | 'BACKUP_CORRUPT' | 'BACKUP_TARGET_NOT_EMPTY' | 'RESTORE_TARGET_NOT_EMPTY' | 'NOT_A_DATA_FOLDER' | 'BACKUP_UNSUPPORTED',
    message: string,
  ) {
    super(message);
  }
}

/** Reads and checks the manifest of the backup folder `dir`. */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new BackupError('BACKUP_INCOMPLETE', `${dir} has no ${MANIFEST_FILE}: it is not a Yagura backup, or the backup did not finish`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BackupError('BACKUP_CORRUPT', `the ${MANIFEST_FILE} of ${dir} is not JSON`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BackupError('BACKUP_CORRUPT', `the ${MANIFEST_FILE} of ${dir} is not a ${MANIFEST_FORMAT} manifest: ${issue ? `${issue.path.join('.') || 'its top level'}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}

// Which archive a data folder's outbox belongs to, recorded in the folder at its first open. A verb opened on the
// folder with other archive settings (a CLI run without YAGURA_ARCHIVE_URL on a folder whose server archives to a
// bucket) would write the outbox's leftovers to the wrong place and confirm them there: it is refused instead.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ArchiveConfigError } from './archive-config.js';

const FILE = 'archive-target';

/** Records `target` (`local` or the `s3://` URL) on the folder's first open; throws when it names another archive. */
export function checkArchiveTarget(folderDir: string, target: string): void {
  const file = path.join(folderDir, FILE);
  if (!existsSync(file)) {
    writeFileSync(file, `${target}\n`, { mode: 0o600 });
    return;
  }
  const recorded = readFileSync(file, 'utf8').trim();
  if (recorded === target) return;
  const where = (t: string): string => (t === 'local' ? "the data folder's archive/" : t);
  throw new ArchiveConfigError(
    `this data folder archives to ${where(recorded)}, not ${where(target)}: give the same archive settings (archive.url or YAGURA_ARCHIVE_URL), or remove ${file} after moving the archive`,
  );
}

/** The archive recorded for the folder (`local` or an `s3://` URL), or undefined before its first open. */
export function recordedArchiveTarget(folderDir: string): string | undefined {
  const file = path.join(folderDir, FILE);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

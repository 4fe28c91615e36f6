// `yagura restore DIR --data NEW`: a backup made by `yagura backup` brought back into a new data folder, verified.
import { copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { keyFileOf, MASTER_KEY_ENV } from '../auth/secrets/load-keyring.js';
import { openEmbedded } from '../main.js';
import { BackupError } from '../store/backup/manifest.js';
import { restoreFolder } from '../store/backup/restore-folder.js';
import { dataOf, embeddedConfig } from './backup.js';
import { CliError } from './cli-error.js';
import { terminalSafe } from './output.js';

export interface RestoreResult {
  readonly dir: string;
  readonly takenAt: string;
  readonly findings: number;
  readonly versions: number;
  /** Archive objects the snapshot still had in its outbox, written into the new folder's archive at its first open. */
  readonly replayed: number;
}

/** Restores `from` into the new folder `data`, opens it once (migrations, outbox objects, master key) and closes it. */
export async function restore(from: string, data: string, masterKeyFile: string | undefined, env: NodeJS.ProcessEnv): Promise<RestoreResult> {
  const config = embeddedConfig('restore', env);
  if (masterKeyFile !== undefined && !existsSync(masterKeyFile)) throw new CliError(`--master-key-file: there is no file ${masterKeyFile}`);
  let restored;
  try {
    restored = await restoreFolder({ from, data });
  } catch (error) {
    if (error instanceof BackupError) throw new CliError(`${error.code}: ${error.message}`);
    throw error;
  }
  try {
    const m = restored.manifest;
    // The outbox's objects go to the archive the backup's server wrote: a bucket is not in the backup.
    const wanted = m.archive.kind === 's3' ? m.archive.url : undefined;
    if (wanted !== config.archive.url) {
      throw new CliError(
        wanted === undefined
          ? `the backup's archive is its archive/ folder, but archive.url is set to ${config.archive.url}: restore without YAGURA_ARCHIVE_URL (archive.url), or copy the archive into the bucket yourself`
          : `the backup's archive is ${wanted}, which is not in the backup: restore with the same archive settings (YAGURA_ARCHIVE_URL=${wanted} and its endpoint)`,
      );
    }
    const keyFile = keyFileOf(restored.dir);
    if (masterKeyFile !== undefined) {
      if (existsSync(keyFile)) throw new CliError('the backup includes master.key; drop --master-key-file');
      await copyFile(masterKeyFile, keyFile);
    }
    const fromEnv = (env[MASTER_KEY_ENV] ?? '') !== '';
    if (m.masterKey === 'environment' && !fromEnv) {
      throw new CliError(`the backup was taken with ${MASTER_KEY_ENV}: set the same ${MASTER_KEY_ENV} to restore it`);
    }
    let replayed: number;
    try {
      // The first open migrates the schema if this Yagura is newer, writes the outbox's objects to the archive, and
      // stops if the master key does not open every sealed value.
      const embedded = await openEmbedded(restored.dir, 'yagura restore', { archive: config.archive, env });
      replayed = embedded.replayed;
      await embedded.close();
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'UNKNOWN_MASTER_KEY') {
        throw new CliError(
          `the restored store's sealed values need the master key the backup was taken with (${(error as Error).message}): give it with --master-key-file FILE or ${MASTER_KEY_ENV}`,
        );
      }
      throw error;
    }
    return { dir: restored.dir, takenAt: m.takenAt, findings: m.store.contents.findings, versions: m.store.contents.versions, replayed };
  } catch (error) {
    await restored.discard();
    throw error;
  }
}

export function restoreCommand(program: Command): void {
  program
    .command('restore')
    .description('restore a backup made by yagura backup into a new data folder, checking every file against its manifest')
    .argument('<dir>', 'the backup folder')
    .option('--data <dir>', 'the new data folder (absent or empty; env YAGURA_DATA)')
    .option('--master-key-file <file>', 'the master.key kept apart from a backup taken --without-master-key')
    .addOption(new Option('--url <url>').hideHelp())
    .action(async (dir: string, opts: { data?: string; url?: string; masterKeyFile?: string }) => {
      const started = performance.now();
      const data = dataOf(opts, 'restore', process.env);
      const result = await restore(dir, data, opts.masterKeyFile, process.env);
      process.stdout.write(
        `restored ${result.findings} findings, ${result.versions} versions as of ${result.takenAt} into ${terminalSafe(path.resolve(result.dir))}` +
          `${result.replayed > 0 ? ` (${result.replayed} archive objects written from the store's outbox)` : ''}; every file matched the manifest; ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
    });
}

// `yagura keys create --data DIR`: a new administrator API key made offline on a data folder, the way back from a
// lost key (whoever can open the folder is an administrator by nature).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { createAdministratorKey } from '../auth/principals/administrator-key.js';
import { openEmbedded, type Embedded } from '../main.js';
import { dataFolder, DataFolderBusyError } from '../store/data-folder.js';
import { archiveSettings } from './archive-settings.js';
import { CliError } from './cli-error.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/;

/** Opens the folder for writing keys; a server holding it must be stopped first, since it is the only writer. */
async function openFolder(dir: string): Promise<Embedded> {
  if (!existsSync(dataFolder(dir).databaseFile)) throw new CliError(`there is no Yagura data folder at ${dir} (no yagura.db in it)`);
  try {
    return await openEmbedded(dir, 'yagura keys create', { archive: archiveSettings() });
  } catch (error) {
    if (error instanceof DataFolderBusyError && error.holder.url) {
      throw new CliError(`the data folder ${error.dir} is held by a running server at ${error.holder.url}; stop it, run yagura keys create again, then start it`);
    }
    throw error;
  }
}

/** Makes an Administrator key on a data folder no server holds and prints it once; only its hash is stored. */
export async function createOfflineAdministratorKey(dir: string, name: string): Promise<void> {
  if (!NAME.test(name)) throw new CliError('--name must be 1 to 64 letters, digits, spaces or . _ @ -, starting with a letter or digit');
  const embedded = await openFolder(dir);
  try {
    const created = await createAdministratorKey(embedded.backend.principals, name);
    process.stderr.write(`Administrator API key "${name}" (${created.prefix}) created, shown only this once — store it now:\n`);
    process.stdout.write(`${created.key}\n`);
  } finally {
    await embedded.close();
  }
}

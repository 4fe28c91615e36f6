// `yagura keys create`: a new administrator API key made offline on a data folder, the way back from a lost key.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { createKey, generateKey } from '../auth/api-keys.js';
import { openEmbedded, type Embedded } from '../main.js';
import { dataFolder, DataFolderBusyError } from '../store/data-folder.js';
import { CliError } from './cli-error.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/;

/** Opens the folder for writing keys; a server holding it must be stopped first, since it is the only writer. */
async function openFolder(dir: string): Promise<Embedded> {
  if (!existsSync(dataFolder(dir).databaseFile)) throw new CliError(`there is no Yagura data folder at ${dir} (no yagura.db in it)`);
  try {
    return await openEmbedded(dir, 'yagura keys create');
  } catch (error) {
    if (error instanceof DataFolderBusyError && error.holder.url) {
      throw new CliError(`the data folder ${error.dir} is held by a running server at ${error.holder.url}; stop it, run yagura keys create again, then start it`);
    }
    throw error;
  }
}

export function keysCommand(program: Command): void {
  const keys = program.command('keys').description('API keys');
  keys
    .command('create')
    .description('create an administrator API key in a data folder no server holds; prints the key once, stores only its hash')
    .option('--data <dir>', 'data folder (env YAGURA_DATA)')
    .option('--name <name>', 'a name to tell the key by (letters, digits, space . _ @ -; up to 64)', 'admin')
    .action(async (opts: { data?: string; name: string }) => {
      const dir = opts.data ?? (process.env.YAGURA_DATA || undefined);
      if (dir === undefined) throw new CliError('give the data folder: --data DIR (or YAGURA_DATA)');
      if (!NAME.test(opts.name)) throw new CliError('--name must be 1 to 64 letters, digits, spaces or . _ @ -, starting with a letter or digit');
      const embedded = await openFolder(dir);
      try {
        const key = generateKey();
        await createKey(embedded.keys, opts.name, key, Date.now());
        process.stderr.write(`Administrator API key "${opts.name}" created, shown only this once — store it now:\n`);
        process.stdout.write(`${key}\n`);
      } finally {
        await embedded.close();
      }
    });
}

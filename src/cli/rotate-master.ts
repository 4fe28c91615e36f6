// `yagura keys rotate-master --data DIR`: seals every stored secret with a new master key and retires the old one,
// on a data folder no server holds (a server keeps its keys in memory, so it is stopped for the rotation).
import { existsSync } from 'node:fs';
import { keyFileOf, MASTER_KEY_ENV, NEW_MASTER_KEY_ENV } from '../auth/secrets/load-keyring.js';
import type { Keyring } from '../auth/secrets/keyring.js';
import { rotateMasterKey, type RotationResult, type RotationStore } from '../auth/secrets/rotate-master-key.js';
import { openEmbedded } from '../main.js';
import { dataFolder, DataFolderBusyError } from '../store/data-folder.js';
import { archiveSettings } from './archive-settings.js';
import { CliError } from './cli-error.js';

async function openForRotation(dir: string, keyring: Keyring): Promise<RotationStore> {
  try {
    const embedded = await openEmbedded(dir, 'yagura keys rotate-master', { keyring, archive: archiveSettings() });
    return { records: embedded.backend.sealed, close: () => embedded.close() };
  } catch (error) {
    if (error instanceof DataFolderBusyError && error.holder.url) {
      throw new CliError(`the data folder ${error.dir} is held by a running server at ${error.holder.url}; stop it, run yagura keys rotate-master again, then start it`);
    }
    throw error;
  }
}

function report(result: RotationResult, keyFile: string): string {
  const values = `${result.resealed} sealed value${result.resealed === 1 ? '' : 's'} re-sealed with master key ${result.keyId}`;
  if (result.source === 'env') {
    return `${values}. Now set ${MASTER_KEY_ENV} to the value of ${NEW_MASTER_KEY_ENV}, unset ${NEW_MASTER_KEY_ENV}, and start Yagura; key ${result.retiredKeyIds.join(', ')} is no longer needed.\n`;
  }
  const retired = result.retiredKeyIds.length > 0 ? `; key ${result.retiredKeyIds.join(', ')} removed from ${keyFile}` : '';
  return `${result.resumed ? 'finished an interrupted rotation: ' : 'master key rotated: '}${values}${retired}. Back up ${keyFile} with the data folder.\n`;
}

/** Rotates the master key of the data folder `dir` (from YAGURA_NEW_MASTER_KEY when YAGURA_MASTER_KEY is set). */
export async function rotateMasterOffline(dir: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const folder = dataFolder(dir);
  if (!existsSync(folder.databaseFile)) throw new CliError(`there is no Yagura data folder at ${dir} (no yagura.db in it)`);
  const result = await rotateMasterKey(folder.dir, env, (keyring) => openForRotation(dir, keyring));
  process.stdout.write(report(result, keyFileOf(folder.dir)));
}

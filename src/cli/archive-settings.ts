// The archive a verb on a data folder writes the outbox's leftovers to: the same settings `serve` reads (the
// configuration file of YAGURA_CONFIG and the YAGURA_ARCHIVE_* variables), so a folder whose server archives to a
// bucket is not emptied into its local archive/ by a CLI run.
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { CliError } from './cli-error.js';

export function archiveSettings(env: NodeJS.ProcessEnv = process.env): Config['archive'] {
  try {
    return loadConfig({ env }).archive;
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

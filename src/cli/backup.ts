// `yagura backup DIR --data DATA`: a consistent online backup of an embedded data folder (docs/operations.md).
import { Option, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { MASTER_KEY_ENV } from '../auth/secrets/load-keyring.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { backupFolder, type BackupReport } from '../store/backup/backup-folder.js';
import { BackupError } from '../store/backup/manifest.js';
import { CliError } from './cli-error.js';
import { terminalSafe } from './output.js';

/** The configuration `serve` reads; a PostgreSQL store is refused with what to use instead. */
export function embeddedConfig(verb: string, env: NodeJS.ProcessEnv): Config {
  let config: Config;
  try {
    config = loadConfig({ env });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  if (config.store.url !== undefined) {
    throw new CliError(
      `yagura ${verb} works on an embedded data folder, and this store is PostgreSQL (store.url / YAGURA_DATABASE_URL): use pg_dump, or continuous WAL archiving with point-in-time recovery (docs/operations.md)`,
    );
  }
  return config;
}

/** The data folder from --data or YAGURA_DATA; a server URL is refused with a sentence. */
export function dataOf(opts: { data?: string; url?: string }, verb: string, env: NodeJS.ProcessEnv): string {
  if (opts.url !== undefined) throw new CliError(`yagura ${verb} reads and writes data folders on this host: run it where the data folder is, with --data DIR (a running server keeps serving)`);
  const data = opts.data ?? (env.YAGURA_DATA || undefined);
  if (data === undefined) throw new CliError(`yagura ${verb} needs the data folder: give --data DIR (or set YAGURA_DATA)`);
  return data;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The summary line of a finished backup. */
export function backupSummary(report: BackupReport, seconds: number): string {
  const m = report.manifest;
  const c = m.store.contents;
  const store = m.files.find((f) => f.path === m.store.file)?.bytes ?? 0;
  const archive = m.archive.kind === 'local' ? `archive ${m.archive.objects} objects, ${mib(m.archive.bytes)}` : `archive in ${m.archive.url} not copied (keep it with the bucket's versioning or replication)`;
  const key = {
    included: 'master key included: keep this backup as safe as the key itself',
    excluded: 'master key NOT included: keep master.key of the data folder safe elsewhere, a restore needs it',
    environment: `master key from ${MASTER_KEY_ENV}, NOT included: a restore needs the same ${MASTER_KEY_ENV}`,
  }[m.masterKey];
  return (
    `backed up ${terminalSafe(m.source)} as of ${m.takenAt}: ${c.findings} findings, ${c.versions} versions, ${c.auditEntries} audit entries; ` +
    `store ${mib(store)}; ${archive}; ${key}; ${seconds.toFixed(1)} s → ${terminalSafe(report.dir)}\n` +
    (report.vanished > 0 ? `note: ${report.vanished} archive objects were removed while the backup ran (an erasure or retention pass rewrote them)\n` : '')
  );
}

export function backupCommand(program: Command): void {
  program
    .command('backup')
    .description('copy an embedded data folder (store as of one instant, archive, master key) into a new folder while its server keeps running')
    .argument('<dir>', 'the backup folder to make (absent or empty)')
    .option('--data <dir>', 'the data folder to back up (env YAGURA_DATA); a server may be running on it')
    .option('--without-master-key', 'leave master.key out of the backup (keep it safe elsewhere: a restore needs it)')
    .addOption(new Option('--url <url>').hideHelp())
    .action(async (dir: string, opts: { data?: string; url?: string; withoutMasterKey?: boolean }) => {
      const env = process.env;
      const data = dataOf(opts, 'backup', env);
      embeddedConfig('backup', env);
      const started = performance.now();
      const bar = process.stderr.isTTY ? new SingleBar({ format: '{phase} [{bar}] {percentage}% | {value}/{total}', stream: process.stderr }) : undefined;
      let phase = '';
      const progress = (name: string) => (done: number, total: number): void => {
        if (!bar) return;
        if (phase !== name) {
          if (phase !== '') bar.stop();
          phase = name;
          bar.start(total, done, { phase: name });
        }
        bar.update(done);
      };
      try {
        const report = await backupFolder({
          data,
          to: dir,
          includeMasterKey: opts.withoutMasterKey !== true,
          masterKeyFromEnv: (env[MASTER_KEY_ENV] ?? '') !== '',
          events: { pages: progress('store pages'), objects: progress('archive objects') },
        });
        bar?.stop();
        process.stdout.write(backupSummary(report, (performance.now() - started) / 1000));
      } catch (error) {
        bar?.stop();
        if (error instanceof BackupError) throw new CliError(`${error.code}: ${error.message}`);
        throw error;
      }
    });
}

// `yagura migrate --from DIR --to postgres://…`: copies an embedded data folder (every finding version, alerting,
// keys, sessions, policies, the audit log) into a PostgreSQL database, resumable, and verifies the copy.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { keyFileOf, MASTER_KEY_ENV } from '../auth/secrets/load-keyring.js';
import { Keyring } from '../auth/secrets/keyring.js';
import { checkSealedRecords } from '../auth/secrets/sealed-records.js';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { openEmbedded, type Embedded } from '../main.js';
import { copyBackend, type CopyEvents, type CopyReport } from '../store/copy-backend.js';
import { dataFolder, DataFolderBusyError } from '../store/data-folder.js';
import type { PostgresBackend } from '../store/postgres/postgres-backend.js';
import { CliError } from './cli-error.js';

export interface MigrateOptions {
  readonly from: string;
  /** The target's URL; YAGURA_DATABASE_URL when absent. */
  readonly to?: string;
  readonly batchSize: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly events?: CopyEvents;
}

export interface MigrateResult {
  readonly report: CopyReport;
  /** The source folder, resolved. */
  readonly from: string;
  /** Where the copy went, without credentials. */
  readonly to: string;
  /** The ids of the master keys the copied sealed values open with (the source's keyring). */
  readonly masterKeys: readonly string[];
  readonly masterKeySource: Embedded['masterKey']['source'];
  readonly seconds: number;
}

/** The configuration `serve` would run with, its store pointed at `to`. */
function targetConfig(to: string | undefined, env: NodeJS.ProcessEnv): Config {
  let config: Config;
  try {
    config = loadConfig({ env, ...(to !== undefined && { overrides: { 'store.url': to } }) });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  if (config.store.url === undefined) throw new CliError('name the target database with --to postgres://… (or YAGURA_DATABASE_URL)');
  return config;
}

async function openSource(dir: string, config: Config, env: NodeJS.ProcessEnv): Promise<Embedded> {
  const folder = dataFolder(dir);
  if (!existsSync(folder.databaseFile)) throw new CliError(`there is no Yagura data folder at ${dir} (no yagura.db in it)`);
  try {
    // Opening writes what an unclean stop left in the archive outbox to the folder's archive, as a start does.
    return await openEmbedded(dir, 'yagura migrate', { archive: config.archive, env });
  } catch (error) {
    if (error instanceof DataFolderBusyError && error.holder.url) {
      throw new CliError(`the data folder ${error.dir} is held by a running server at ${error.holder.url}; stop it, then run yagura migrate again`);
    }
    throw error;
  }
}

/** Names the source in the target's marks: a hash of a random value stored in it, which stays with the folder. */
async function sourceId(embedded: Embedded): Promise<string> {
  const secret = await embedded.backend.storedSecret('cursor', () => randomBytes(32));
  return createHash('sha256').update('yagura migrate source\u0000').update(secret).digest('base64url').slice(0, 22);
}

/** Copies the data folder `options.from` into PostgreSQL, or continues a copy that stopped. */
export async function migrateFolder(options: MigrateOptions): Promise<MigrateResult> {
  const started = performance.now();
  const env = options.env ?? process.env;
  const config = targetConfig(options.to, env);
  const source = await openSource(options.from, config, env);
  let target: PostgresBackend | undefined;
  try {
    // Versions still in the outbox would be in no archive: the copy writes no outbox rows for them.
    const unarchived = (await source.store.outbox.objects()).length;
    if (unarchived > 0) {
      throw new CliError(`${unarchived} archive object${unarchived === 1 ? '' : 's'} of ${dataFolder(options.from).dir} could not be written to its archive; make the archive reachable and run yagura migrate again`);
    }
    const { openPostgresBackend } = await import('../store/postgres/postgres-backend.js');
    // Sealed values are copied as they are: the target opens them with the source's master keys.
    target = await openPostgresBackend({ config: config.store, secrets: source.secrets });
    // One copy into a database at a time (two from different folders would both find it empty); the lock is the
    // session's, so a copy that dies releases it, and closing the target releases it after a copy.
    if (!(await target.lease('migrate').held())) {
      throw new CliError(`another yagura migrate is copying into ${target.describe()}; run this one again once it has ended`);
    }
    const report = await copyBackend(
      source.backend,
      target,
      { id: await sourceId(source), description: dataFolder(options.from).dir },
      { batchSize: options.batchSize, ...(options.events && { events: options.events }) },
    );
    // Every sealed value of the copy opens with the keys the instances on it must be given.
    await checkSealedRecords(target.sealed, source.secrets);
    const keyIds = source.secrets instanceof Keyring ? source.secrets.keys.map((k) => k.id) : [];
    return {
      report,
      from: dataFolder(options.from).dir,
      to: target.describe(),
      masterKeys: keyIds,
      masterKeySource: source.masterKey.source,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await target?.close();
    await source.close();
  }
}

const EARLIER: Readonly<Record<CopyReport['earlier'], string>> = {
  none: '',
  partial: ' (continuing an earlier run)',
  complete: ' (a copy finished earlier, verified again)',
};

/** The summary printed after a verified copy. */
export function migrateSummary(result: MigrateResult): string {
  const rows = result.report.counts.filter((c) => c.source > 0 || c.target > 0);
  const width = Math.max(...rows.map((c) => c.kind.length), 4);
  const table = rows.map((c) => `  ${c.kind.padEnd(width)}  ${String(c.source).padStart(9)}  ${String(c.target).padStart(9)}`);
  const keys = result.masterKeys.join(', ');
  const keyAdvice =
    result.masterKeySource === 'env'
      ? `start every instance on it with the same ${MASTER_KEY_ENV}`
      : `start every instance on it with the same key: copy ${keyFileOf(result.from)} into its data folder (chmod 600), or set ${MASTER_KEY_ENV} to the key that file holds`;
  return [
    `migrated ${result.from} into ${result.to} in ${result.seconds.toFixed(1)} s${EARLIER[result.report.earlier]}`,
    `  ${'kind'.padEnd(width)}  ${'source'.padStart(9)}  ${'target'.padStart(9)}`,
    ...table,
    `verified: every count matches; ${result.report.compared} findings compared with their history`,
    `master key: sealed values (alert destinations, STS and signing secrets) were copied as sealed with master key ${keys}; ${keyAdvice}`,
    `archive: not copied; the versions stored until now are in the folder's archive (copy or sync it to where the instances archive)`,
    '',
  ].join('\n');
}

/** A progress bar per kind on a terminal; nothing otherwise. */
function progressBars(stream: NodeJS.WriteStream): CopyEvents & { stop(): void } {
  if (!stream.isTTY) return { stop: () => undefined };
  let bar: SingleBar | undefined;
  const stop = (): void => {
    bar?.stop();
    bar = undefined;
  };
  return {
    phase(kind, total, done): void {
      stop();
      if (total === 0) return;
      bar = new SingleBar({ format: `${kind.padEnd(21)} [{bar}] {percentage}% | {value}/{total} | ETA {eta}s`, stream, hideCursor: true });
      bar.start(total, done);
    },
    progress(_kind, done): void {
      bar?.update(done);
    },
    stop,
  };
}

export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('copy an embedded data folder (findings with every version, alerting, keys, sessions, policies, audit log) into PostgreSQL; run again to continue an interrupted copy')
    .requiredOption('--from <dir>', 'the data folder to copy (stop its server first)')
    .option('--to <url>', 'the PostgreSQL database, postgres://… (env YAGURA_DATABASE_URL; TLS and pool from the YAGURA_DATABASE_* settings)')
    .option('--batch-size <n>', 'records per transaction', '500')
    .action(async (opts: { from: string; to?: string; batchSize: string }) => {
      const batchSize = Number(opts.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new CliError('--batch-size must be a whole number from 1 to 10000');
      const bars = progressBars(process.stderr);
      let result: MigrateResult;
      try {
        result = await migrateFolder({ from: opts.from, ...(opts.to !== undefined && { to: opts.to }), batchSize, events: bars });
      } finally {
        bars.stop();
      }
      const [first, ...more] = result.report.mismatches;
      if (first !== undefined) {
        // A copy resumed after the folder was used again holds the kinds it had finished as they were then.
        const hint = result.report.earlier === 'none' ? '' : '; if the folder was used since the copy began, start again with an empty database';
        throw new CliError(`the copy does not match the source: ${first}${more.length > 0 ? ` (and ${more.length} more)` : ''}${hint}`);
      }
      process.stdout.write(migrateSummary(result));
    });
}

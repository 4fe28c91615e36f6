// `yagura serve`: starts the server on the embedded store.
import { setFlagsFromString } from 'node:v8';
import type { Command } from 'commander';
import pretty from 'pino-pretty';
import { keyFileOf } from '../auth/secrets/load-keyring.js';
import { loadConfig } from '../config/load.js';
import { dataFolder } from '../store/data-folder.js';
import type { Config } from '../config/schema.js';
import { startServer, type Server } from '../main.js';

/**
 * V8 lets the old generation grow to up to four times what survived the last full collection before collecting
 * again; a server's live heap is small (~60 MB at 1M findings) but ingest makes garbage steadily, so its RSS sat
 * ~120 MB above what it held. Growing by at most half keeps it close (measured at 1M: heap 188 → 122 MB, RSS
 * 504 → 443 MB, same ingest rate and latency); 20% made collections frequent enough to cost ingest throughput.
 * Worker threads share the flag.
 */
const HEAP_GROWING_PERCENT = 50;

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('start Yagura: HTTP API on the embedded store (loopback unless --host says otherwise)')
    .option('--data <dir>', 'data folder of the store and archive (env YAGURA_DATA, default ./yagura-data)')
    .option('--host <host>', 'address to listen on (env YAGURA_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on, 0 for any free port (env YAGURA_PORT, default 7780)')
    .option('--config <file>', 'JSON configuration file (env YAGURA_CONFIG)')
    .option('--demo', 'load generated demo findings into an empty store')
    .option('--insecure-http', 'allow plain HTTP on a non-loopback --host (e.g. behind a TLS-terminating proxy)')
    .action(async (opts: { data?: string; host?: string; port?: string; config?: string; demo?: boolean; insecureHttp?: boolean }) => {
      setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
      const port = opts.port === undefined ? undefined : /^\d+$/.test(opts.port) ? Number(opts.port) : opts.port;
      const config = loadConfig({
        ...(opts.config !== undefined && { file: opts.config }),
        overrides: { dataDir: opts.data, host: opts.host, port, demo: opts.demo, insecureHttp: opts.insecureHttp },
      });
      // A terminal gets one readable line per log entry; files and pipes keep pino's JSON lines for machines.
      const logStream = process.stdout.isTTY ? pretty({ singleLine: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', sync: true }) : undefined;
      const server = await startServer(config, { ...(logStream && { logStream }) });
      process.stdout.write(startMessage(server, config));
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        server.app.log.info({ signal }, 'stopping');
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`yagura: error while stopping: ${(error as Error).message}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    });
}

const count = (n: number): string => n.toLocaleString('en-US');

/** A path as a POSIX shell reads it back, so the printed command can be pasted. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/** What the operator needs to know once the server listens: where, with which key, and what the demo loaded. */
export function startMessage(server: Pick<Server, 'url' | 'bootstrap' | 'demo' | 'embedded'>, config: Pick<Config, 'bootstrapKey' | 'dataDir'>): string {
  const lines = [`Yagura is listening on ${server.url} (data in ${server.embedded.backend.describe()})`];
  if (server.bootstrap.created && server.bootstrap.generatedKey) {
    lines.push(`Admin API key, shown only this once — store it now:\n  ${server.bootstrap.generatedKey}`);
  } else if (server.bootstrap.created) {
    lines.push('Admin API key taken from YAGURA_BOOTSTRAP_KEY.');
  } else {
    if (config.bootstrapKey !== undefined) lines.push('YAGURA_BOOTSTRAP_KEY was not used: it only sets the first key of an empty data folder.');
    lines.push(`An administrator API key already exists (only its hash is stored). Lost it? Stop the server and run: yagura keys create --data ${shellWord(config.dataDir)}`);
  }
  if (server.embedded.masterKey.generated) {
    lines.push(`Master key generated in ${keyFileOf(dataFolder(config.dataDir).dir)}: back it up with the data folder (sealed secrets cannot be read without it).`);
  }
  if (server.demo?.loaded) {
    const d = server.demo;
    lines.push(`loaded ${count(d.findings)} demo findings (${count(d.versions)} versions) over ${count(d.days)} days`);
  } else if (server.demo) {
    lines.push(`demo findings not loaded: the store already holds ${count(server.demo.existing)} findings`);
  }
  return `${lines.join('\n')}\n`;
}

// `yagura serve`: starts the server on the embedded store.
import { setFlagsFromString } from 'node:v8';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { startServer } from '../main.js';

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
      const server = await startServer(config);
      const out = process.stdout;
      out.write(`Yagura is listening on ${server.url} (data in ${server.embedded.store.db.name})\n`);
      if (server.bootstrap.created && server.bootstrap.generatedKey) {
        out.write(`Admin API key, shown only this once — store it now:\n  ${server.bootstrap.generatedKey}\n`);
      } else if (server.bootstrap.created) {
        out.write('Admin API key taken from YAGURA_BOOTSTRAP_KEY.\n');
      }
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

// `yagura export QUERY`: every finding a KQL query selects, as NDJSON or CSV, to stdout or a file, streamed.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { EXPORT_FORMATS, type ExportFormat } from '../api/finding-export.js';
import { CliError } from './cli-error.js';
import { addConnectionOptions, connectionOf } from './connection-options.js';
import { terminalSafe } from './output.js';
import { openTarget } from './target.js';

interface ExportFlags {
  url?: string;
  apiKey?: string;
  data?: string;
  from?: string;
  to?: string;
  format: string;
  output?: string;
}

export function exportCommand(program: Command): void {
  addConnectionOptions(
    program
      .command('export')
      .description("export every finding a KQL query selects, e.g. yagura export 'accountId:111122223333' --from now-400d --format csv --output subject.csv")
      .argument('[query]', 'KQL query; empty exports everything in the time range', '')
      .option('--from <time>', 'start of the updatedAt range: ISO-8601 or relative (now-30d)')
      .option('--to <time>', 'end of the updatedAt range (exclusive)')
      .option('--format <format>', `output: ${EXPORT_FORMATS.join(', ')}`, 'ndjson')
      .option('--output <file>', 'write to this file (made complete or not at all) instead of stdout'),
  ).action(async (query: string, opts: ExportFlags) => {
    if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) throw new CliError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
    const target = await openTarget(connectionOf(opts), 'export');
    let bytes = 0;
    const count = new Transform({
      transform(chunk: Buffer | string, _encoding, done): void {
        bytes += Buffer.byteLength(chunk);
        done(null, chunk);
      },
    });
    const partial = opts.output === undefined ? undefined : `${opts.output}.partial`;
    try {
      const source = Readable.from(target.export({ q: query, format: opts.format as ExportFormat, ...(opts.from !== undefined && { from: opts.from }), ...(opts.to !== undefined && { to: opts.to }) }), { objectMode: false });
      // Written under a temporary name and renamed once complete, so a cut export never looks like a whole one.
      await pipeline(source, count, partial === undefined ? process.stdout : createWriteStream(partial, { mode: 0o600 }));
      if (partial !== undefined && opts.output !== undefined) {
        await rename(partial, opts.output);
        process.stderr.write(`wrote ${bytes} bytes to ${terminalSafe(opts.output)}\n`);
      }
    } catch (error) {
      if (partial !== undefined) await rm(partial, { force: true });
      throw error;
    } finally {
      await target.close();
    }
  });
}

// `yagura import PATH…`: loads GuardDuty S3-export objects and JSON files, with progress and a summary.
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { BodyItem } from '../ingest/eventbridge-http/parse-body.js';
import { listExportFiles, readExportFile } from '../ingest/s3-export/export-files.js';
import { CliError } from './cli-error.js';
import { addConnectionOptions, connectionOf } from './connection-options.js';
import { terminalSafe } from './output.js';
import { openTarget, type ImportTally, type Target } from './target.js';

const MAX_REPORTED = 100;

export interface ImportSummary extends ImportTally {
  read: number;
  files: number;
  seconds: number;
}

/** Imports every readable file below `paths` through `target`, `batchSize` items per submission. */
export async function importPaths(
  target: Target,
  paths: readonly string[],
  options: { batchSize: number; onProgress?: (bytes: number, total: number) => void; onFileError?: (file: string, message: string) => void },
): Promise<ImportSummary> {
  const started = performance.now();
  const files = await listExportFiles(paths);
  const total = files.reduce((n, f) => n + f.bytes, 0);
  const summary: ImportSummary = { read: 0, files: files.length, seconds: 0, created: 0, updated: 0, unchanged: 0, ignored: 0, rejected: [] };
  let items: BodyItem[] = [];
  let refs: string[] = [];
  let done = 0;
  const flush = async (): Promise<void> => {
    if (items.length === 0) return;
    await target.ingest(items, refs, summary);
    items = [];
    refs = [];
  };
  for (const file of files) {
    let lastBytes = 0;
    try {
      for await (const line of readExportFile(file)) {
        summary.read++;
        items.push(line.item);
        refs.push(`${file.path}:${line.line}`);
        lastBytes = line.bytesRead;
        if (items.length >= options.batchSize) {
          await flush();
          options.onProgress?.(done + lastBytes, total);
        }
      }
    } catch (error) {
      // A corrupt object (bad gzip, unreadable) is reported and the import goes on with the next one.
      summary.rejected.push({ ref: file.path, code: 'UNREADABLE_FILE', message: (error as Error).message });
      options.onFileError?.(file.path, (error as Error).message);
    }
    done += file.bytes;
    options.onProgress?.(done, total);
  }
  await flush();
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

export function summaryLine(s: ImportSummary): string {
  const rate = s.seconds > 0 ? Math.round(s.read / s.seconds) : s.read;
  return `read ${s.read}, stored ${s.created}, updated ${s.updated}, unchanged ${s.unchanged}, ignored ${s.ignored}, rejected ${s.rejected.length} from ${s.files} files in ${s.seconds.toFixed(1)} s (${rate}/s)`;
}

export function importCommand(program: Command): void {
  addConnectionOptions(
    program
      .command('import')
      .description('import GuardDuty S3-export objects (AWSLogs/<account>/GuardDuty/<region>/...jsonl.gz), JSON lines or JSON files')
      .argument('<path...>', 'files or folders (searched recursively)')
      .option('--batch-size <n>', 'items per write', '20000'),
  ).action(async (paths: string[], opts: { url?: string; apiKey?: string; data?: string; batchSize: string }) => {
    const batchSize = Number(opts.batchSize);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw new CliError('--batch-size must be a whole number from 1 to 100000');
    const target = await openTarget(connectionOf(opts), 'import');
    const bar = process.stderr.isTTY ? new SingleBar({ format: 'importing [{bar}] {percentage}% | {value}/{total} bytes | ETA {eta}s', stream: process.stderr }) : undefined;
    let started = false;
    try {
      const summary = await importPaths(target, paths, {
        batchSize: opts.url ? Math.min(batchSize, 5000) : batchSize,
        onProgress: (bytes, total) => {
          if (!bar) return;
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.update(bytes);
        },
      });
      bar?.stop();
      for (const r of summary.rejected.slice(0, MAX_REPORTED)) process.stderr.write(`${terminalSafe(r.ref)}: ${r.code}: ${terminalSafe(r.message)}\n`);
      if (summary.rejected.length > MAX_REPORTED) process.stderr.write(`… and ${summary.rejected.length - MAX_REPORTED} more rejected\n`);
      process.stdout.write(`${summaryLine(summary)}\n`);
      if (summary.rejected.length > 0) process.exitCode = 2;
    } finally {
      bar?.stop();
      await target.close();
    }
  });
}

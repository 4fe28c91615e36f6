// `yagura import PATH…`: loads GuardDuty S3-export objects and JSON files, with progress and a summary.
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { BodyItem } from '../ingest/json-lines.js';
import { listExportFiles, loadExportFile, readExportFile, type ExportFile } from '../ingest/s3-export/export-files.js';
import { CliError } from './cli-error.js';
import { addConnectionOptions, connectionOf } from './connection-options.js';
import { terminalSafe } from './output.js';
import { openTarget, type ImportTally, type Target } from './target.js';

const MAX_REPORTED = 100;
/** Items of one file held back until the file is read completely; beyond this they are imported as they come. */
const MAX_PENDING_PER_FILE = 200_000;
/** Small files read and inflated ahead of the one being imported, so disk and zlib work beside parsing. */
const READ_AHEAD = 4;

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
  /** Failures of the target (server or store) end the import; only reading a file is a per-file problem. */
  let targetFailure: unknown;
  const flush = async (): Promise<void> => {
    options.onProgress?.(done, total);
    if (items.length === 0) return;
    try {
      await target.ingest(items, refs, summary);
    } catch (error) {
      targetFailure = error;
      throw error;
    }
    items = [];
    refs = [];
  };
  const ahead = new Map<number, Promise<Buffer | undefined>>();
  const readAhead = (from: number): void => {
    for (let i = from; i < Math.min(files.length, from + READ_AHEAD); i++) {
      if (ahead.has(i)) continue;
      const loading = loadExportFile(files[i] as ExportFile);
      // Failures surface when the file's turn comes, inside its own error handling.
      loading.catch(() => undefined);
      ahead.set(i, loading);
    }
  };
  for (const [index, file] of files.entries()) {
    readAhead(index);
    const loaded = ahead.get(index);
    ahead.delete(index);
    // A file's items join the batch only once the whole file has been read: a truncated or corrupt object
    // (bad gzip CRC, I/O error) imports nothing, unless it is larger than a batch can hold.
    let pending: BodyItem[] = [];
    let pendingRefs: string[] = [];
    let committedLines = 0;
    let lastLine = 0;
    const release = async (): Promise<void> => {
      items.push(...pending);
      refs.push(...pendingRefs);
      pending = [];
      pendingRefs = [];
      committedLines = lastLine;
      if (items.length >= options.batchSize) await flush();
    };
    try {
      for await (const line of readExportFile(file, undefined, loaded)) {
        summary.read++;
        pending.push(line.item);
        pendingRefs.push(`${file.path}:${line.line}`);
        lastLine = line.line;
        if (pending.length >= MAX_PENDING_PER_FILE) {
          await release();
          options.onProgress?.(done + line.bytesRead, total);
        }
      }
      await release();
    } catch (error) {
      if (error === targetFailure) throw error;
      const kept = committedLines > 0 ? `lines up to ${committedLines} were imported, the rest was not` : 'nothing from it was imported';
      const message = `${(error as Error).message} (after line ${lastLine}; ${kept})`;
      summary.rejected.push({ ref: file.path, code: 'UNREADABLE_FILE', message });
      options.onFileError?.(file.path, message);
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
      .option('--batch-size <n>', 'items per write (larger batches make fewer, larger archive objects but hold more in memory)', '10000'),
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

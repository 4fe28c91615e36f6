// `yagura import PATH…`: loads GuardDuty S3-export objects and JSON files, with progress and a summary.
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { listExportFiles } from '../ingest/s3-export/export-files.js';
import { ExportReader, type ReadPart } from '../ingest/s3-export/export-reader.js';
import { CliError } from './cli-error.js';
import { importS3, isS3Url } from './import-s3.js';
import { addConnectionOptions, connectionOf } from './connection-options.js';
import { terminalSafe } from './output.js';
import { openTarget, type ImportBatch, type ImportTally, type Target } from './target.js';

const MAX_REPORTED = 100;
/** Items of one file held back until the file is read completely; beyond this they are imported as they come. */
const MAX_PENDING_PER_FILE = 200_000;

export interface ImportSummary extends ImportTally {
  read: number;
  files: number;
  seconds: number;
}

/**
 * Imports every readable file below `paths` through `target`, `batchSize` findings per submission. Files are
 * read, inflated, parsed and validated on a worker thread while this thread stores the previous batch.
 */
export async function importPaths(
  target: Target,
  paths: readonly string[],
  options: {
    batchSize: number;
    onProgress?: (bytes: number, total: number) => void;
    onFileError?: (file: string, message: string) => void;
    /** Called when the findings are in and the deferred search indexes are being built. */
    onIndexing?: () => void;
  },
): Promise<ImportSummary> {
  const started = performance.now();
  const files = await listExportFiles(paths);
  const total = files.reduce((n, f) => n + f.bytes, 0);
  const summary: ImportSummary = { read: 0, files: files.length, seconds: 0, created: 0, updated: 0, unchanged: 0, ignored: 0, rejected: [] };
  let batch: ImportBatch = { findings: [], refs: [] };
  let done = 0;
  // One batch is stored while the one before it is archived: a batch goes out before the previous one is
  // acknowledged, and the next waits for that acknowledgement.
  let inFlight: Promise<void> | undefined;
  const flush = async (): Promise<void> => {
    options.onProgress?.(done, total);
    if (batch.findings.length === 0) return;
    const taken = batch;
    batch = { findings: [], refs: [] };
    const previous = inFlight;
    inFlight = target.ingest(taken, summary);
    // Handled where it is awaited; until then a failure must not count as unhandled.
    inFlight.catch(() => undefined);
    await previous;
  };
  const deferred = await target.beginImport(total);
  const reader = new ExportReader(files);
  try {
    for (const [index, file] of files.entries()) {
      // A file's findings join the batch only once the whole file has been read: a truncated or corrupt object
      // (bad gzip CRC, I/O error) imports nothing, unless it is larger than a batch can hold.
      let pending: ReadPart[] = [];
      let pendingItems = 0;
      let committedLines = 0;
      const release = async (): Promise<void> => {
        for (const part of pending) {
          summary.read += part.read;
          summary.ignored += part.ignored;
          for (const r of part.rejected) summary.rejected.push({ ref: `${file.path}:${r.line}`, code: r.code, message: r.message });
          batch.findings.push(...part.findings);
          for (const line of part.lines) batch.refs.push(`${file.path}:${line}`);
          committedLines = part.lastLine;
        }
        pending = [];
        pendingItems = 0;
        if (batch.findings.length >= options.batchSize) await flush();
      };
      for await (const part of reader.parts(index)) {
        if (part.error !== undefined) {
          summary.read += part.read;
          const lastLine = part.lastLine || pending.at(-1)?.lastLine || committedLines;
          const kept = committedLines > 0 ? `lines up to ${committedLines} were imported, the rest was not` : 'nothing from it was imported';
          const message = `${part.error} (after line ${lastLine}; ${kept})`;
          for (const p of pending) summary.read += p.read;
          pending = [];
          summary.rejected.push({ ref: file.path, code: 'UNREADABLE_FILE', message });
          options.onFileError?.(file.path, message);
          break;
        }
        pending.push(part);
        pendingItems += part.read;
        if (part.done) await release();
        else if (pendingItems >= MAX_PENDING_PER_FILE) {
          await release();
          options.onProgress?.(done + part.bytesRead, total);
        }
      }
      done += file.bytes;
      options.onProgress?.(done, total);
    }
    await flush();
    await inFlight;
  } finally {
    await inFlight?.catch(() => undefined);
    await reader.close();
    if (deferred) options.onIndexing?.();
    await target.endImport();
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

function mergeSummaries(a: ImportSummary, b: ImportSummary): ImportSummary {
  return {
    read: a.read + b.read,
    files: a.files + b.files,
    seconds: a.seconds + b.seconds,
    created: a.created + b.created,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    ignored: a.ignored + b.ignored,
    rejected: [...a.rejected, ...b.rejected],
  };
}

export function summaryLine(s: ImportSummary): string {
  const rate = s.seconds > 0 ? Math.round(s.read / s.seconds) : s.read;
  return `read ${s.read}, stored ${s.created}, updated ${s.updated}, unchanged ${s.unchanged}, ignored ${s.ignored}, rejected ${s.rejected.length} from ${s.files} files in ${s.seconds.toFixed(1)} s (${rate}/s)`;
}

export function importCommand(program: Command): void {
  addConnectionOptions(
    program
      .command('import')
      .description('import GuardDuty S3-export objects (AWSLogs/<account>/GuardDuty/<region>/...jsonl.gz), JSON lines or JSON files, from folders or a bucket')
      .argument('<path...>', 'files or folders (searched recursively), or s3://bucket/prefix (AWS credentials, AWS_REGION, AWS_ENDPOINT_URL_S3 and YAGURA_S3_FORCE_PATH_STYLE apply)')
      .option('--batch-size <n>', 'items per write (larger batches make fewer, larger archive objects and rewrite fewer index pages, but hold more in memory)', '25000'),
  ).action(async (paths: string[], opts: { url?: string; apiKey?: string; data?: string; batchSize: string }) => {
    const batchSize = Number(opts.batchSize);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw new CliError('--batch-size must be a whole number from 1 to 100000');
    const target = await openTarget(connectionOf(opts), 'import');
    const bar = process.stderr.isTTY ? new SingleBar({ format: 'importing [{bar}] {percentage}% | {value}/{total} bytes | ETA {eta}s', stream: process.stderr }) : undefined;
    let started = false;
    try {
      const progress = {
        onProgress: (bytes: number, total: number) => {
          if (!bar) return;
          if (!started) {
            bar.start(total, 0);
            started = true;
          }
          bar.setTotal(total);
          bar.update(bytes);
        },
        onIndexing: () => {
          if (!bar) return;
          bar.stop();
          process.stderr.write('building the search indexes…\n');
        },
      };
      const size = opts.url ? Math.min(batchSize, 5000) : batchSize;
      const local = paths.filter((p) => !isS3Url(p));
      const summaries: ImportSummary[] = [];
      if (local.length > 0) summaries.push(await importPaths(target, local, { batchSize: size, ...progress }));
      for (const url of paths.filter(isS3Url)) summaries.push(await importS3(target, url, { batchSize: size, ...progress }));
      const summary = summaries.reduce(mergeSummaries);
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

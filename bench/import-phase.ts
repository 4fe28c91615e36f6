// Import throughput through `yagura import`'s own code path, beside the bare cost of reading the same files.
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { importPaths, type ImportSummary } from '../src/cli/import.js';
import { openTarget } from '../src/cli/target.js';
import { listExportFiles } from '../src/ingest/s3-export/export-files.js';

export interface ImportResult {
  /** Findings per write (`yagura import --batch-size`). */
  readonly batchSize?: number;
  readonly seconds: number;
  /** Finding versions read per second. */
  readonly versionsPerSecond: number;
  readonly summary: Omit<ImportSummary, 'rejected'> & { readonly rejected: number };
}

export interface BareReadResult {
  readonly seconds: number;
  readonly lines: number;
  readonly linesPerSecond: number;
  readonly files: number;
  readonly filesRead: number;
  /** True when the time cap stopped the read before every file was read. */
  readonly capped: boolean;
}

/** Imports `exportDir` into a new data folder at `dataDir` (any previous one is removed first). */
export async function measureImport(exportDir: string, dataDir: string, batchSize: number): Promise<ImportResult> {
  await rm(dataDir, { recursive: true, force: true });
  const t0 = performance.now();
  const target = await openTarget({ data: dataDir }, 'bench');
  let summary: ImportSummary;
  try {
    summary = await importPaths(target, [exportDir], { batchSize });
  } finally {
    await target.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    batchSize,
    seconds,
    versionsPerSecond: summary.read / seconds,
    summary: { ...summary, rejected: summary.rejected.length },
  };
}

/** Visits 0..n-1 with a stride coprime to n, so a time-capped prefix samples the whole tree evenly. */
function spreadOrder(n: number): number[] {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let stride = Math.max(1, Math.floor(n * 0.618));
  while (n > 1 && gcd(stride, n) !== 1) stride++;
  return Array.from({ length: n }, (_, i) => (i * stride) % n);
}

/**
 * gunzip + readline + JSON.parse of every line of the export objects, one file after another, the way import
 * reads them; stops after `maxSeconds` with an even sample of the files when there are too many to read them all.
 */
export async function measureBareRead(exportDir: string, maxSeconds: number): Promise<BareReadResult> {
  const files = await listExportFiles([exportDir]);
  const t0 = performance.now();
  const deadline = t0 + maxSeconds * 1000;
  let lines = 0;
  let filesRead = 0;
  for (const index of spreadOrder(files.length)) {
    if (performance.now() > deadline) break;
    const input = createReadStream(files[index]!.path).pipe(createGunzip());
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      if (line.length === 0) continue;
      JSON.parse(line);
      lines++;
    }
    filesRead++;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, lines, linesPerSecond: lines / seconds, files: files.length, filesRead, capped: filesRead < files.length };
}

// Reads GuardDuty S3-export objects (and plain JSON files) from local files and folders.
import { createReadStream, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { BodyItem } from '../json-lines.js';
import { parseJsonLine, splitLines } from '../json-lines.js';
import { rejection } from '../../findings/finding-error.js';

/**
 * Objects up to this size are read and inflated whole instead of streamed: GuardDuty writes many small objects
 * (about ten findings each), and a stream per object costs more CPU than its data (measured: 108 µs per line
 * streamed, 46 µs read whole, on the benchmark's export). They are read and inflated synchronously, on the
 * import's parse thread: each asynchronous call is a round trip through libuv's thread pool, and reading an
 * object took four (open, stat, read, close) plus one to inflate it. With both cores busy that bought no overlap
 * and cost CPU (parse thread, 6,000 objects read from the page cache: 76–81 µs per line asynchronously, read ahead
 * four objects deep; 63–66 µs synchronously). An object not in the page cache now holds the thread while it is read.
 */
const WHOLE_FILE_BYTES = 4 * 1024 * 1024;
/** An object read whole may inflate to this much at most; a larger one (or a gzip bomb) is streamed instead. */
const WHOLE_FILE_INFLATED_BYTES = 64 * 1024 * 1024;

/** Extensions import reads; anything else in a folder is skipped (GuardDuty's export folders hold only these). */
const READABLE = ['.jsonl.gz', '.json.gz', '.ndjson.gz', '.jsonl', '.ndjson', '.json', '.gz'];

export interface ExportFile {
  readonly path: string;
  readonly bytes: number;
}

export function isReadable(file: string): boolean {
  const lower = file.toLowerCase();
  return READABLE.some((ext) => lower.endsWith(ext));
}

/** Expands files and folders (recursively, sorted, links not followed) into the readable files below them. */
export async function listExportFiles(paths: readonly string[]): Promise<ExportFile[]> {
  const found: ExportFile[] = [];
  const visit = async (p: string, explicit: boolean): Promise<void> => {
    const info = await stat(p).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot read ${p}: ${error.code === 'ENOENT' ? 'no such file or folder' : error.code ?? error.message}`);
    });
    if (info.isDirectory()) {
      const entries = await readdir(p, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const entry of entries) {
        if (entry.isDirectory() || entry.isFile()) await visit(path.join(p, entry.name), false);
      }
    } else if (info.isFile() && (explicit || isReadable(p))) {
      found.push({ path: p, bytes: info.size });
    }
  };
  for (const p of paths) await visit(p, true);
  return found;
}

export interface ExportLine {
  /** 1-based line number (JSON lines) or item number (a JSON file holding an array). */
  readonly line: number;
  readonly item: BodyItem;
  /** Compressed bytes of the file consumed so far, for progress. */
  readonly bytesRead: number;
}

function isJsonLines(file: string): boolean {
  const lower = file.toLowerCase().replace(/\.gz$/, '');
  return !lower.endsWith('.json');
}

/**
 * Reads and inflates a small JSON-lines object whole, synchronously; undefined means the file is to be streamed.
 * Throws when the file is unreadable or corrupt.
 */
export function loadExportFile(file: ExportFile): Buffer | undefined {
  if (file.bytes > WHOLE_FILE_BYTES || !isJsonLines(file.path)) return undefined;
  const raw = readFileSync(file.path);
  if (!file.path.toLowerCase().endsWith('.gz')) return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: WHOLE_FILE_INFLATED_BYTES });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw error;
  }
}

/** Yields every item of one file. A `.json` file is one document (event, array, or GetFindings page). */
export async function* readExportFile(file: ExportFile, maxLineBytes = 8 * 1024 * 1024): AsyncGenerator<ExportLine> {
  const gz = file.path.toLowerCase().endsWith('.gz');
  if (!isJsonLines(file.path)) {
    const raw = await readFile(file.path);
    const parsed = parseJsonLine(gz ? gunzipSync(raw) : raw, 1);
    if ('error' in parsed || !Array.isArray(parsed.value)) {
      yield { line: 1, item: parsed, bytesRead: file.bytes };
      return;
    }
    let n = 0;
    for (const value of parsed.value as unknown[]) yield { line: ++n, item: { value }, bytesRead: file.bytes };
    return;
  }
  const whole = loadExportFile(file);
  if (whole !== undefined) {
    for await (const part of splitLines([whole], maxLineBytes)) {
      const item: BodyItem = 'tooLong' in part
        ? { error: rejection('DOCUMENT_TOO_LARGE', `line ${part.line} is longer than ${maxLineBytes} bytes`) }
        : parseJsonLine(part.bytes, part.line);
      yield { line: part.line, item, bytesRead: file.bytes };
    }
    return;
  }
  const source = createReadStream(file.path);
  const stream = gz ? source.pipe(createGunzip()) : source;
  source.on('error', (error) => stream.destroy(error));
  for await (const part of splitLines(stream as AsyncIterable<Buffer>, maxLineBytes)) {
    const item: BodyItem = 'tooLong' in part
      ? { error: rejection('DOCUMENT_TOO_LARGE', `line ${part.line} is longer than ${maxLineBytes} bytes`) }
      : parseJsonLine(part.bytes, part.line);
    yield { line: part.line, item, bytesRead: source.bytesRead };
  }
}

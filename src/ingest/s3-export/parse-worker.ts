// A thread that reads export objects and turns their lines into findings, while the import's own thread stores.
import { parentPort } from 'node:worker_threads';
import { findingsToWire } from '../../findings/finding.js';
import { classifyItem, emptyClassified } from '../classify.js';
import { readExportFile, type ExportLine } from './export-files.js';
import type { FilePart, PartRequest } from './export-reader.js';

const port = parentPort;
if (port === null) throw new Error('parse-worker runs only as a worker thread');

/** Items per part: a large file arrives in parts of this size, each asked for by the importing thread. */
const PART_ITEMS = 5_000;

const queue: PartRequest[] = [];
/** Files read part-way, waiting for a request for their next part. */
const paused = new Map<number, AsyncGenerator<ExportLine>>();
let busy = false;

async function readPart(request: PartRequest): Promise<{ part: FilePart; transfer: ArrayBuffer[] }> {
  const { index } = request;
  let lines = paused.get(index);
  paused.delete(index);
  if (lines === undefined) {
    if (request.kind !== 'read') {
      return { part: { index, done: true, read: 0, lastLine: 0, bytesRead: 0, findings: [], lines: [], ignored: 0, rejected: [], error: 'no such file in progress' }, transfer: [] };
    }
    lines = readExportFile(request.file);
  }
  const classified = emptyClassified();
  let read = 0;
  let lastLine = 0;
  let bytesRead = 0;
  let done = false;
  let error: string | undefined;
  try {
    while (read < PART_ITEMS) {
      const next = await lines.next();
      if (next.done === true) {
        done = true;
        break;
      }
      read++;
      lastLine = next.value.line;
      bytesRead = next.value.bytesRead;
      classifyItem(classified, next.value.line, next.value.item);
    }
  } catch (e) {
    error = (e as Error).message;
    done = true;
  }
  if (!done) paused.set(index, lines);
  const { wires, transfer } = findingsToWire(classified.findings);
  const part: FilePart = {
    index,
    done,
    read,
    lastLine,
    bytesRead,
    findings: wires,
    lines: classified.indexes,
    ignored: classified.ignored,
    rejected: classified.rejected.map((r) => ({ line: r.index, code: r.code, message: r.message })),
    ...(error !== undefined && { error }),
  };
  return { part, transfer };
}

async function pump(): Promise<void> {
  if (busy) return;
  busy = true;
  try {
    while (queue.length > 0) {
      const request = queue.shift()!;
      const { part, transfer } = await readPart(request);
      port!.postMessage(part, transfer);
    }
  } finally {
    busy = false;
  }
}

port.on('message', (request: PartRequest) => {
  queue.push(request);
  void pump();
});


// Temporary on-disk runs of buffered export lines, sorted by partition, merged back one batch at a time.
import { mkdtemp, open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One partition's buffered lines, as handed to `spill`. */
export interface SpillEntry {
  readonly partition: number;
  readonly key: string;
  /** Newline-terminated UTF-8 lines. */
  readonly lines: readonly Buffer[];
}

/** Everything spilled for one partition, in spill order. */
export interface SpilledPartition {
  readonly partition: number;
  readonly pieces: readonly Buffer[];
  readonly lines: number;
}

/** One run file: entries sorted by key, with byte offsets (one more than entries) and line counts. */
interface Run {
  readonly path: string;
  readonly keys: readonly string[];
  readonly partitions: Int32Array;
  readonly offsets: Float64Array;
  readonly lines: Uint32Array;
  cursor: number;
}

/**
 * An external sort by partition key: each `spill` writes one sorted run, and `merge` reads all runs back in key
 * order, a bounded batch of partitions at a time, with one read per run and batch.
 */
export class SpillRuns {
  private readonly runs: Run[] = [];
  private readonly spilledBytes = new Map<number, number>();

  private constructor(private readonly dir: string) {}

  static async create(): Promise<SpillRuns> {
    return new SpillRuns(await mkdtemp(join(tmpdir(), 'yagura-export-spill-')));
  }

  /** Bytes spilled so far for a partition. */
  bytesOf(partition: number): number {
    return this.spilledBytes.get(partition) ?? 0;
  }

  /** Writes `entries` as one run, one partition at a time so memory does not double. */
  async spill(entries: SpillEntry[]): Promise<void> {
    if (entries.length === 0) return;
    entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const offsets = new Float64Array(entries.length + 1);
    const path = join(this.dir, `run-${this.runs.length}`);
    const handle = await open(path, 'w');
    try {
      for (let i = 0; i < entries.length; i++) {
        const entry = entries[i]!;
        const buffer = Buffer.concat(entry.lines);
        await writeAll(handle, buffer);
        offsets[i + 1] = (offsets[i] ?? 0) + buffer.length;
        this.spilledBytes.set(entry.partition, this.bytesOf(entry.partition) + buffer.length);
      }
    } finally {
      await handle.close();
    }
    this.runs.push({
      path,
      keys: entries.map((e) => e.key),
      partitions: Int32Array.from(entries, (e) => e.partition),
      offsets,
      lines: Uint32Array.from(entries, (e) => e.lines.length),
      cursor: 0,
    });
  }

  /**
   * Yields the spilled lines of `ordered` partitions (sorted by key, as spilled), each partition once, reading at
   * most about `maxBatchBytes` at a time. Partitions never spilled yield nothing.
   */
  async *merge(ordered: readonly { readonly partition: number; readonly key: string }[], maxBatchBytes: number): AsyncGenerator<SpilledPartition> {
    const handles = new Map<Run, FileHandle>();
    try {
      for (const run of this.runs) handles.set(run, await open(run.path, 'r'));
      yield* this.batches(ordered, maxBatchBytes, handles);
    } finally {
      for (const handle of handles.values()) await handle.close();
    }
  }

  private async *batches(
    ordered: readonly { readonly partition: number; readonly key: string }[],
    maxBatchBytes: number,
    handles: ReadonlyMap<Run, FileHandle>,
  ): AsyncGenerator<SpilledPartition> {
    let start = 0;
    while (start < ordered.length) {
      let end = start;
      let size = 0;
      while (end < ordered.length && (end === start || size + this.bytesOf(ordered[end]!.partition) <= maxBatchBytes)) {
        size += this.bytesOf(ordered[end]!.partition);
        end++;
      }
      const lastKey = ordered[end - 1]!.key;
      const pieces = new Map<number, Buffer[]>();
      const lines = new Map<number, number>();
      for (const run of this.runs) {
        let stop = run.cursor;
        while (stop < run.keys.length && (run.keys[stop] ?? '') <= lastKey) stop++;
        if (stop === run.cursor) continue;
        const from = run.offsets[run.cursor] ?? 0;
        const bytes = await readRange(handles.get(run)!, from, (run.offsets[stop] ?? 0) - from);
        for (let i = run.cursor; i < stop; i++) {
          const partition = run.partitions[i] ?? 0;
          const piece = bytes.subarray((run.offsets[i] ?? 0) - from, (run.offsets[i + 1] ?? 0) - from);
          const known = pieces.get(partition);
          if (known === undefined) pieces.set(partition, [piece]);
          else known.push(piece);
          lines.set(partition, (lines.get(partition) ?? 0) + (run.lines[i] ?? 0));
        }
        run.cursor = stop;
      }
      for (let i = start; i < end; i++) {
        const partition = ordered[i]!.partition;
        const found = pieces.get(partition);
        if (found !== undefined) yield { partition, pieces: found, lines: lines.get(partition) ?? 0 };
      }
      start = end;
    }
  }

  /** Removes the run files. */
  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let done = 0;
  while (done < buffer.length) done += (await handle.write(buffer, done, buffer.length - done)).bytesWritten;
}

async function readRange(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new Error('a spill run ended before its index said it would');
    done += bytesRead;
  }
  return buffer;
}

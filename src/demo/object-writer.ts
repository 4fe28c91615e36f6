// Compresses and writes export objects with bounded concurrency and memory.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { constants, gzip, gzipSync } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** Writes in flight at once: most objects are small, so file-system latency, not CPU, limits throughput. */
const MAX_IN_FLIGHT = 16;
const MAX_IN_FLIGHT_BYTES = 32 * 1024 * 1024;
/** Below this, compressing on the main thread is cheaper than a round trip to the thread pool. */
const SYNC_GZIP_BYTES = 256 * 1024;

/** Gzips and writes objects, at most 16 (or 32 MiB) in flight; the first failure is rethrown. */
export class ObjectWriter {
  files = 0;
  lines = 0;
  bytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private inFlightBytes = 0;
  private readonly dirs = new Map<string, Promise<unknown>>();
  private failure: { error: unknown } | undefined;

  /** `level` is zlib's gzip level, 1 (fastest) to 9 (smallest); zlib's default is 6. */
  constructor(private readonly level: number = constants.Z_DEFAULT_COMPRESSION) {}

  /** Queues `payload` (`lines` JSON lines) as the object `dir/name`; waits while too much is in flight. */
  async write(dir: string, name: string, payload: Buffer, lines: number): Promise<void> {
    while (this.inFlight.size >= MAX_IN_FLIGHT || (this.inFlight.size > 0 && this.inFlightBytes >= MAX_IN_FLIGHT_BYTES)) {
      await Promise.race(this.inFlight);
    }
    this.rethrow();
    this.inFlightBytes += payload.length;
    const task: Promise<void> = this.store(dir, name, payload, lines)
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.inFlight.delete(task);
        this.inFlightBytes -= payload.length;
      });
    this.inFlight.add(task);
  }

  /** Waits for every queued write, then rethrows the first failure. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failure !== undefined) throw this.failure.error;
  }

  private async store(dir: string, name: string, payload: Buffer, lines: number): Promise<void> {
    const options = { level: this.level };
    const compressed = payload.length < SYNC_GZIP_BYTES ? gzipSync(payload, options) : await gzipAsync(payload, options);
    let made = this.dirs.get(dir);
    if (made === undefined) {
      made = mkdir(dir, { recursive: true });
      this.dirs.set(dir, made);
    }
    await made;
    await writeFile(join(dir, name), compressed);
    this.files++;
    this.lines += lines;
    this.bytes += compressed.length;
  }
}

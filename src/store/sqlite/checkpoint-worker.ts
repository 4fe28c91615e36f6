// A thread that copies the WAL into the database (PASSIVE checkpoints on its own connection), so that no commit
// of the writer — and no request waiting on one — pays for a checkpoint and its fsync.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

if (parentPort === null) throw new Error('checkpoint-worker runs only as a worker thread');
const port = parentPort;
const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
// The checkpoint fsyncs the database file before the WAL may be reused: what was committed stays durable.
db.pragma('synchronous = FULL');

/**
 * The pause before the next checkpoint, from the WAL's length when this one ran. Each checkpoint ends with an fsync
 * of the database, which the writer's commits queue behind. Under a light load the writer starts the WAL over after
 * each checkpoint, so its length is what arrived since the last one (tens of frames at 100 findings/s): checkpoints
 * come every `intervalMs` and each fsync is short. Under a saturating load the WAL is never caught up and grows:
 * the pause stretches to ten times that, so pages rewritten commit after commit are copied and fsynced once rather
 * than again and again (single-event POSTs on a 1M store: ~335/s with checkpoints every 100 ms, ~420/s like this).
 */
function pauseAfter(frames: number): number {
  return Math.min(intervalMs * 10, Math.max(intervalMs, Math.round((intervalMs * frames) / FRAMES_PER_INTERVAL)));
}
const FRAMES_PER_INTERVAL = 256;

let timer: NodeJS.Timeout;
function checkpoint(): void {
  let frames = 0;
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
    frames = row?.log ?? 0;
  } catch (error) {
    port.postMessage({ error: (error as Error).message });
  }
  timer = setTimeout(checkpoint, pauseAfter(frames));
}
timer = setTimeout(checkpoint, intervalMs);

port.on('message', (message: { stop?: true }) => {
  if (!message.stop) return;
  clearTimeout(timer);
  db.close();
  port.postMessage({ stopped: true });
});

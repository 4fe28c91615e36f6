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
 * The pause before the next checkpoint, from the WAL frames the writer added since the previous one. Each checkpoint
 * ends with an fsync of the database, which the writer's commits queue behind. Under a light load (tens of frames
 * at 100 findings/s) checkpoints come every `intervalMs`, so each fsync is short; under a saturating one the pause
 * stretches up to ten times that, so pages rewritten commit after commit are copied and fsynced once rather than
 * again and again (single-event POSTs on a 1M store: ~335/s with checkpoints every 100 ms, ~420/s like this). Once
 * the load falls, the next pause is short again, even while a long WAL is still being caught up.
 */
function pauseAfter(frames: number): number {
  return Math.min(intervalMs * 10, Math.max(intervalMs, Math.round((intervalMs * frames) / FRAMES_PER_INTERVAL)));
}
const FRAMES_PER_INTERVAL = 256;

let timer: NodeJS.Timeout;
/** The WAL's length at the previous checkpoint; shorter now means the writer started it over in between. */
let previousLength = 0;
function checkpoint(): void {
  let added = 0;
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
    const length = row?.log ?? 0;
    added = length >= previousLength ? length - previousLength : length;
    previousLength = length;
  } catch (error) {
    port.postMessage({ error: (error as Error).message });
  }
  timer = setTimeout(checkpoint, pauseAfter(added));
}
timer = setTimeout(checkpoint, intervalMs);

port.on('message', (message: { stop?: true }) => {
  if (!message.stop) return;
  clearTimeout(timer);
  db.close();
  port.postMessage({ stopped: true });
});

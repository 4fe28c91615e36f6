// A thread that copies the WAL into the database (PASSIVE checkpoints on its own connection), so that no commit
// of the writer — and no request waiting on one — pays for a checkpoint and its fsync.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { framesAdded, pauseAfter } from './checkpoint-pause.js';

if (parentPort === null) throw new Error('checkpoint-worker runs only as a worker thread');
const port = parentPort;
const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
// The checkpoint fsyncs the database file before the WAL may be reused: what was committed stays durable.
db.pragma('synchronous = FULL');

let timer: NodeJS.Timeout;
/** The WAL's length, in frames, at the previous checkpoint. */
let previousLength = 0;
function checkpoint(): void {
  let added = 0;
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>;
    const length = row?.log ?? 0;
    added = framesAdded(previousLength, length);
    previousLength = length;
  } catch (error) {
    port.postMessage({ error: (error as Error).message });
  }
  timer = setTimeout(checkpoint, pauseAfter(added, intervalMs));
}
timer = setTimeout(checkpoint, intervalMs);

port.on('message', (message: { stop?: true }) => {
  if (!message.stop) return;
  clearTimeout(timer);
  db.close();
  port.postMessage({ stopped: true });
});

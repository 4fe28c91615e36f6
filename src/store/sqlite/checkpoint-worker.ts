// A thread that copies the WAL into the database (PASSIVE checkpoints on its own connection), so that no commit
// of the writer — and no request waiting on one — pays for a checkpoint and its fsync.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const port = parentPort;
if (port === null) throw new Error('checkpoint-worker runs only as a worker thread');
const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Database(file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
// The checkpoint fsyncs the database file before the WAL may be reused: what was committed stays durable.
db.pragma('synchronous = FULL');

const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    port.postMessage({ error: (error as Error).message });
  }
}, intervalMs);

port.on('message', (message: { stop?: true }) => {
  if (!message.stop) return;
  clearInterval(timer);
  db.close();
  port.postMessage({ stopped: true });
});

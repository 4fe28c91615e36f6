// A reader thread: answers searches and aggregations on its own read-only connection, off the event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { aggregate } from './aggregate.js';
import { openDatabase } from './sqlite-store.js';
import { search } from './search.js';
import type { ReadReply, ReadTask } from './read-pool.js';

const port = parentPort;
if (port === null) throw new Error('read-worker runs only as a worker thread');
const { file, hold } = workerData as { file: string; hold?: SharedArrayBuffer };
const db = openDatabase(file, true);
const held = hold && new Int32Array(hold);

port.on('message', (task: ReadTask) => {
  let reply: ReadReply;
  if (held) {
    Atomics.add(held, 2, 1);
    Atomics.notify(held, 2);
    // Short waits, so that terminating this thread (a timed-out task) takes effect between them.
    const gate = task.kind === 'search' ? 0 : 1;
    while (Atomics.load(held, gate) === 0) Atomics.wait(held, gate, 0, 20);
  }
  try {
    // One read transaction per task (aggregate opens its own): a count and its page see the same snapshot.
    const value = task.kind === 'search' ? db.transaction(() => search(db, task.request, task.hints))() : aggregate(db, task.request);
    reply = { id: task.id, ok: true, value };
  } catch (error) {
    const e = error as { name?: unknown; message?: unknown; code?: unknown; position?: unknown };
    reply = {
      id: task.id,
      ok: false,
      error: {
        name: String(e.name ?? 'Error'),
        message: String(e.message ?? error),
        ...(typeof e.code === 'string' && { code: e.code }),
        ...(typeof e.position === 'number' && { position: e.position }),
      },
    };
  }
  port.postMessage(reply);
});

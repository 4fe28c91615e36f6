// Starts one of Yagura's worker threads from the module beside its caller, built or run from source.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker module `name` that lives in the same folder as `callerUrl` (an `import.meta.url`):
 * `name.js` when built; `name.ts` loaded through tsx when running from source (tests, benchmarks).
 */
export function startWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  const caller = fileURLToPath(callerUrl);
  const entry = path.join(path.dirname(caller), `${name}${path.extname(caller)}`);
  if (entry.endsWith('.js')) return new Worker(entry, options);
  const loader = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(callerUrl)}))`;
  return new Worker(loader, { ...options, eval: true });
}

// The machine's own baselines, measured in the same run, so that figures from different machines can be compared.
import { spawn } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { summarize, type LatencySummary } from './stats.js';

export interface FsyncBaseline {
  readonly appends: number;
  /** Time of `fdatasync` after each 4 KiB append to one file, as a WAL commit does. */
  readonly latency: LatencySummary;
}

/** Appends 4 KiB to a file in `dir` and fsyncs it, `appends` times, timing each fsync. */
export async function measureFsync(dir: string, appends = 300): Promise<FsyncBaseline> {
  const file = path.join(dir, 'fsync-baseline.tmp');
  const handle = await open(file, 'w');
  const block = Buffer.alloc(4096, 0x61);
  const times: number[] = [];
  try {
    for (let i = 0; i < appends; i++) {
      await handle.write(block);
      const t0 = performance.now();
      await handle.datasync();
      times.push(performance.now() - t0);
    }
  } finally {
    await handle.close();
    await rm(file, { force: true });
  }
  return { appends, latency: summarize(times) };
}

/**
 * Keeps one core busy with another process (a stand-in for a slower or shared machine) while `run` runs. The
 * process spins for at most `maxSeconds` on its own, and is killed as soon as `run` settles.
 */
export async function withBusyCore<T>(maxSeconds: number, run: () => Promise<T>): Promise<T> {
  const child = spawn(process.execPath, ['-e', `const end = Date.now() + ${Math.round(maxSeconds * 1000)}; while (Date.now() < end) {}`], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    return await run();
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

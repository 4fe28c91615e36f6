// The real `yagura serve` as a child process: build, start, time to first /health, memory, SIGTERM.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { sleep } from './stats.js';

const execFileAsync = promisify(execFile);
const LISTENING = /Yagura is listening on (http:\/\/\S+)/;

export interface ServerMemory {
  /** Resident set size now, bytes. */
  readonly rssBytes: number;
  /** Peak resident set size, bytes. */
  readonly hwmBytes: number;
  /** Of the RSS: anonymous memory (JS heap, SQLite page cache, buffers). */
  readonly anonBytes: number;
  /** Of the RSS: file-backed pages (SQLite's memory map of yagura.db, code). */
  readonly fileBytes: number;
}

export interface RunningServer {
  readonly url: string;
  readonly pid: number;
  /** From spawn until GET /health first answered 200, ms. */
  readonly startupMs: number;
  memory(): Promise<ServerMemory>;
  /** Polls /metrics until the overview's in-memory facets are loaded; resolves with ms since spawn. */
  facetsLoaded(apiKey: string, timeoutMs?: number): Promise<number>;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** `npm run build` into dist/. */
export async function buildProject(root: string): Promise<void> {
  await execFileAsync('npm', ['run', 'build', '--silent'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
}

async function readStatus(pid: number): Promise<ServerMemory> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM'), anonBytes: kb('RssAnon'), fileBytes: kb('RssFile') + kb('RssShmem') };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Starts the built CLI on a free loopback port and waits (at most `timeoutMs`) until /health answers. */
export async function startServer(
  root: string,
  dataDir: string,
  bootstrapKey: string,
  timeoutMs = 120_000,
  args: readonly string[] = [],
  logFile?: string,
  /** Settings of this run (YAGURA_DATABASE_URL for a PostgreSQL store); the caller's own YAGURA_* are dropped. */
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<RunningServer> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YAGURA_')));
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'dist/cli/main.js'), 'serve', '--data', dataDir, '--host', '127.0.0.1', '--port', '0', ...args], {
    cwd: root,
    env: { ...env, ...extraEnv, YAGURA_BOOTSTRAP_KEY: bootstrapKey, YAGURA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  // The server logs warnings and errors only (YAGURA_LOG_LEVEL=warn); kept whole when asked, they explain outliers.
  const log = logFile === undefined ? undefined : createWriteStream(logFile);
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8_000);
    log?.write(d);
  });
  child.once('exit', () => log?.end());
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not say where it listens within ${timeoutMs} ms`)), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = LISTENING.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening: ${stderr.trim().slice(-2_000)}`));
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const deadline = t0 + timeoutMs;
  for (;;) {
    const ok = await fetch(new URL('/health', url)).then((r) => r.ok, () => false);
    if (ok) break;
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`GET /health did not answer within ${timeoutMs} ms`);
    }
    await sleep(5);
  }
  const startupMs = performance.now() - t0;
  const pid = child.pid!;
  return {
    url,
    pid,
    startupMs,
    memory: () => readStatus(pid),
    async facetsLoaded(apiKey: string, waitMs = 300_000): Promise<number> {
      const until = performance.now() + waitMs;
      while (performance.now() < until) {
        const text = await fetch(new URL('/metrics', url), { headers: { 'x-api-key': apiKey } }).then((r) => r.text(), () => '');
        if (/^yagura_store_facets_ready(\{[^}]*\})? 1$/m.test(text)) return performance.now() - t0;
        await sleep(100);
      }
      throw new Error(`the in-memory facets were not loaded within ${waitMs} ms`);
    },
    async stop(graceMs = 120_000): Promise<number | null> {
      const done = exited(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await done;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

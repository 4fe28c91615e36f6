// `yagura serve` as built (dist/) in a child process, for tests that need the real process: crashes, browsers.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts the server on the data folder (port 0 unless `args` says otherwise) and resolves once it listens. */
export function spawnServe(data: string, options: { key: string; args?: readonly string[]; logLevel?: string; cleanEnv?: boolean; env?: NodeJS.ProcessEnv }): Promise<ServeProcess> {
  // Browser tests drop inherited YAGURA_* settings so that a developer's environment cannot change them.
  const env = options.cleanEnv ? Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YAGURA_'))) : process.env;
  const args = options.args ?? [];
  const port = args.includes('--port') ? [] : ['--port', '0'];
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'serve', '--data', data, ...port, ...args], {
    env: { ...env, ...options.env, YAGURA_BOOTSTRAP_KEY: options.key, YAGURA_LOG_LEVEL: options.logLevel ?? 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: ROOT,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

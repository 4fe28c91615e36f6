// The built CLI (dist/cli/main.js) as a child process, and a real server for it to talk to.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../../src/config/schema.js';
import { startServer, type Server } from '../../src/main.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `yagura ARGS` with the runner's environment less its YAGURA_* settings and colour switches (colour is
 * decided from the child's own stdout, a pipe here), plus `env`.
 */
export function yagura(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YAGURA_') && k !== 'FORCE_COLOR' && k !== 'NO_COLOR'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), ...args], { env: { ...clean, ...env }, cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface CliServer {
  readonly dir: string;
  readonly server: Server;
  /** YAGURA_URL and YAGURA_API_KEY of the server's bootstrap administrator. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/** A server on a free loopback port over a new data folder, its bootstrap key `key`, with more configuration if given. */
export async function cliServer(name: string, key: string, config: Record<string, unknown> = {}): Promise<CliServer> {
  const dir = await mkdtemp(path.join(tmpdir(), `yagura-${name}-`));
  const server = await startServer(configSchema.parse({ ...config, dataDir: path.join(dir, 'data'), port: 0, bootstrapKey: key, logLevel: 'silent' }));
  return {
    dir,
    server,
    env: { YAGURA_URL: server.url, YAGURA_API_KEY: key },
    async close(): Promise<void> {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// The options every data verb shares: a server (--url, --api-key) or a data folder (--data).
import type { Command } from 'commander';
import type { TargetOptions } from './target.js';

export function addConnectionOptions(command: Command): Command {
  return command
    .option('--url <url>', 'URL of a running Yagura server (env YAGURA_URL)')
    .option('--api-key <key>', 'API key for --url (env YAGURA_API_KEY)')
    .option('--data <dir>', 'data folder to open directly when no server holds it (env YAGURA_DATA)');
}

export function connectionOf(opts: { url?: string; apiKey?: string; data?: string }, env: NodeJS.ProcessEnv = process.env): TargetOptions {
  const url = opts.url ?? env.YAGURA_URL;
  const apiKey = opts.apiKey ?? env.YAGURA_API_KEY;
  const data = opts.data ?? env.YAGURA_DATA;
  return { ...(url && { url }), ...(apiKey && { apiKey }), ...(data && { data }) };
}

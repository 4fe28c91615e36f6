// The options data verbs share: a server (--url, --api-key) or a data folder (--data); flags beat the environment.
import { Option, type Command } from 'commander';
import { CliError } from './cli-error.js';
import type { TargetOptions } from './target.js';

function withServer(command: Command): Command {
  return command.option('--url <url>', 'URL of a running Yagura server (env YAGURA_URL)').option('--api-key <key>', 'API key for --url (env YAGURA_API_KEY)');
}

export function addConnectionOptions(command: Command): Command {
  return withServer(command).option('--data <dir>', 'data folder to open directly when no server holds it (env YAGURA_DATA)');
}

/** For verbs that only work against a running server: `--data` is refused with a sentence instead of "unknown option". */
export function addServerOptions(command: Command): Command {
  return withServer(command).addOption(new Option('--data <dir>').hideHelp());
}

type ConnectionFlags = { url?: string; apiKey?: string; data?: string };

/**
 * Where a data verb goes: a `--url` or `--data` flag wins over YAGURA_URL and YAGURA_DATA; both flags, or both
 * variables without a flag, are ambiguous and refused rather than one being picked silently.
 */
export function connectionOf(opts: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): TargetOptions {
  if (opts.url !== undefined && opts.data !== undefined) throw new CliError('give either --url (a running server) or --data (a data folder), not both');
  const apiKey = opts.apiKey ?? (env.YAGURA_API_KEY || undefined);
  if (opts.url !== undefined) return { url: opts.url, ...(apiKey && { apiKey }) };
  if (opts.data !== undefined) return { data: opts.data };
  const url = env.YAGURA_URL || undefined;
  const data = env.YAGURA_DATA || undefined;
  if (url && data) {
    throw new CliError('both YAGURA_URL and YAGURA_DATA are set: unset one of them, or choose with --url URL or --data DIR');
  }
  return { ...(url && { url }), ...(apiKey && { apiKey }), ...(data && { data }) };
}

/** For server-only verbs: the server from flags or environment; a data folder is refused. */
export function serverOf(opts: ConnectionFlags, verb: string, env: NodeJS.ProcessEnv = process.env): TargetOptions {
  if (opts.data !== undefined) {
    throw new CliError(`yagura ${verb} works only against a running server, not a data folder: drop --data and give --url URL and --api-key KEY (or YAGURA_URL, YAGURA_API_KEY)`);
  }
  const url = opts.url ?? (env.YAGURA_URL || undefined);
  const apiKey = opts.apiKey ?? (env.YAGURA_API_KEY || undefined);
  return { ...(url && { url }), ...(apiKey && { apiKey }) };
}

// `yagura audit search [QUERY]`: the audit log of a running server, searched with KQL over its fields.
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { client, printTable, serverOptions, type AdminOpts, type Row } from './admin-common.js';

const FORMATS = ['table', 'json', 'ndjson'] as const;
/** Entries asked for per request; the server's page limit is at least this by default. */
const PAGE = 1000;

type SearchOpts = AdminOpts & { from?: string; to?: string; limit: string; format: string };

export function auditCommand(program: Command): Command {
  const audit = program.command('audit').description('the audit log of API calls on a running server (--url, --api-key)');
  serverOptions(
    audit
      .command('search')
      .description("search the audit log, newest first, e.g. yagura audit search 'decision:denied and principal:*alice' --from now-1d")
      .argument('[query]', 'KQL over the audit fields (time, principal, keyPrefix, sourceIp, route, action, resource, decision, status, errorCode, …); empty matches everything', '')
      .option('--from <time>', 'start of the time range: ISO-8601, epoch ms or relative (now-24h)')
      .option('--to <time>', 'end of the time range (exclusive)')
      .option('--limit <n>', 'most entries to print', '100')
      .option('--format <format>', `output: ${FORMATS.join(', ')}`, 'table'),
  ).action(async (query: string, opts: SearchOpts) => {
    const limit = Number(opts.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000_000) throw new CliError('--limit must be a whole number from 1 to 1000000');
    if (!(FORMATS as readonly string[]).includes(opts.format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}`);
    const api = client(opts, 'audit search');
    const entries: Row[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams({
        q: query,
        size: String(Math.min(PAGE, limit - entries.length)),
        ...(opts.from !== undefined && { from: opts.from }),
        ...(opts.to !== undefined && { to: opts.to }),
        ...(cursor !== null && { cursor }),
      });
      const page = (await api.request('GET', `/api/v1/audit?${params}`)) as { entries: Row[]; nextCursor: string | null };
      entries.push(...page.entries);
      cursor = page.nextCursor;
    } while (cursor !== null && entries.length < limit);
    if (opts.format === 'json') process.stdout.write(`${JSON.stringify({ entries, nextCursor: cursor }, null, 2)}\n`);
    else if (opts.format === 'ndjson') process.stdout.write(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    else
      printTable(
        [
          ['time', (e) => e.time],
          ['principal', (e) => e.principal],
          ['key', (e) => e.keyPrefix],
          ['source', (e) => e.sourceIp],
          ['call', (e) => `${String(e.method)} ${String(e.route)}`],
          ['action', (e) => e.action],
          ['resource', (e) => e.resource],
          ['decision', (e) => e.decision],
          ['status', (e) => (e.errorCode ? `${String(e.status)} ${String(e.errorCode)}` : e.status)],
        ],
        entries,
      );
  });
  return audit;
}

// `yagura search QUERY`: KQL search from the command line.
import type { Command } from 'commander';
import { CliError } from './cli-error.js';
import { addConnectionOptions, connectionOf } from './connection-options.js';
import { FORMATS, formatResult, type Format } from './output.js';
import { tableOutput } from './table.js';
import { openTarget, type SearchResult } from './target.js';

export function searchCommand(program: Command): void {
  addConnectionOptions(
    program
      .command('search')
      .description('search findings with KQL, e.g. yagura search \'severity >= 7 and type:UnauthorizedAccess*\' --from now-7d')
      .argument('[query]', 'KQL query; empty matches everything', '')
      .option('--from <time>', 'start of the updatedAt range: ISO-8601 or relative (now-24h)')
      .option('--to <time>', 'end of the updatedAt range (exclusive)')
      .option('--limit <n>', 'most findings to print', '50')
      .option('--sort <field>', 'sort field with :asc or :desc, e.g. severity:desc', 'updatedAt:desc')
      .option('--format <format>', `output: ${FORMATS.join(', ')}`, 'table'),
  ).action(async (query: string, opts: { url?: string; apiKey?: string; data?: string; from?: string; to?: string; limit: string; sort: string; format: string }) => {
    const limit = Number(opts.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1_000_000) throw new CliError('--limit must be a whole number from 1 to 1000000');
    if (!(FORMATS as readonly string[]).includes(opts.format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}`);
    const target = await openTarget(connectionOf(opts), 'search');
    try {
      let cursor: string | undefined;
      let result: SearchResult | undefined;
      const findings: SearchResult['findings'][number][] = [];
      do {
        const page = await target.search({
          q: query,
          size: Math.min(1000, limit - findings.length),
          sort: opts.sort,
          ...(opts.from !== undefined && { from: opts.from }),
          ...(opts.to !== undefined && { to: opts.to }),
          ...(cursor !== undefined && { cursor }),
        });
        result ??= page;
        findings.push(...page.findings);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined && findings.length < limit);
      process.stdout.write(formatResult({ ...result, findings, nextCursor: cursor ?? null }, opts.format as Format, tableOutput()));
    } finally {
      await target.close();
    }
  });
}

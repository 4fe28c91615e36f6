// `yagura erase`: erase findings by KQL query (and time range) or a whole account, on a server or a data folder,
// following the job with a progress bar until it is done.
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import type { ErasureJob } from '../erasure/erasure-job.js';
import { erasureService, openEmbedded } from '../main.js';
import { bindQuery } from '../query/bind.js';
import { oneOf } from '../query/scope.js';
import { parseQuery } from '../query/parser.js';
import { resolveTimeRange } from '../query/time-range.js';
import { ApiClient } from './api-client.js';
import { archiveSettings } from './archive-settings.js';
import { CliError } from './cli-error.js';
import { addConnectionOptions, connectionOf } from './connection-options.js';

interface EraseOptions {
  url?: string;
  apiKey?: string;
  data?: string;
  from?: string;
  to?: string;
  account?: string;
  reason?: string;
  wait: boolean;
}

/** What the progress bar and the summary read from a job, whether it came from the API or the store. */
interface Progress {
  readonly id: string;
  readonly status: string;
  readonly findings: number;
  readonly counts: Readonly<Record<string, number>>;
  readonly keysDigest?: string;
  readonly error?: string;
}

const BAR = 30;

/** One line, redrawn in place on a terminal; printed once a second otherwise. */
function progressLine(p: Progress, total: number | undefined): string {
  const done = p.counts['findings'] ?? 0;
  if (total === undefined || total === 0) return `erasing: ${done} findings removed`;
  const filled = Math.min(BAR, Math.round((done / total) * BAR));
  return `erasing [${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${done}/${total} findings`;
}

function summary(p: Progress): string {
  const places = Object.entries(p.counts).filter(([, n]) => n > 0).map(([place, n]) => `  ${place}: ${n}`);
  return [`erasure ${p.id}: ${p.status}`, ...places, ...(p.keysDigest ? [`  receipt (sha256 of the erased keys' digests): ${p.keysDigest}`] : [])].join('\n') + '\n';
}

async function follow(next: () => Promise<Progress>, total: number | undefined): Promise<Progress> {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  for (;;) {
    const p = await next();
    const now = Date.now();
    if (p.status !== 'running' || tty || now - last >= 1000) {
      process.stderr.write(tty ? `\r${progressLine(p, total)}` : `${progressLine(p, total)}\n`);
      last = now;
    }
    if (p.status !== 'running') {
      if (tty) process.stderr.write('\n');
      return p;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function fromJob(job: ErasureJob): Progress {
  return { id: job.id, status: job.status, findings: job.keys, counts: { ...job.counts }, ...(job.keysDigest && { keysDigest: job.keysDigest }), ...(job.error && { error: job.error }) };
}

export function eraseCommand(program: Command): void {
  addConnectionOptions(
    program
      .command('erase')
      .description("erase findings everywhere Yagura keeps them (store, history, alerting, archive), e.g. yagura erase 'remoteIp:\"203.0.113.7\"' --reason DSR-118")
      .argument('[query]', 'KQL query selecting the findings (or give --account)')
      .option('--from <time>', 'start of the updatedAt range: ISO-8601 or relative (now-30d)')
      .option('--to <time>', 'end of the updatedAt range (exclusive)')
      .option('--account <id>', 'erase every finding and archive object of this account, and refuse its findings from then on')
      .option('--reason <text>', 'why (required; the receipt and the audit log keep it)')
      .option('--no-wait', 'print the job id and return at once instead of following it'),
  ).action(async (query: string | undefined, opts: EraseOptions) => {
    if (opts.reason === undefined || opts.reason.trim() === '') throw new CliError('say why with --reason TEXT (the receipt keeps it)');
    if ((query === undefined || query === '') === (opts.account === undefined)) throw new CliError('give either a KQL query or --account ID, not both and not neither');
    if (opts.account !== undefined && (opts.from !== undefined || opts.to !== undefined)) throw new CliError('--from and --to select findings of a query; an --account erasure takes them all');
    const target = connectionOf(opts);
    const result = target.url !== undefined ? await eraseOnServer(ApiClient.fromOptions(target, 'erase'), query, opts) : await eraseInFolder(target.data, query, opts);
    if (result === undefined) return;
    process.stdout.write(summary(result));
    if (result.status !== 'done') throw new CliError(`the erasure ${result.id} failed: ${result.error ?? 'see the server log'}; it can be asked for again`);
  });
}

async function eraseOnServer(client: ApiClient, query: string | undefined, opts: EraseOptions): Promise<Progress | undefined> {
  const body = opts.account !== undefined
    ? { accountId: opts.account, reason: opts.reason }
    : { query, reason: opts.reason, ...(opts.from !== undefined && { from: opts.from }), ...(opts.to !== undefined && { to: opts.to }) };
  // How many findings there are to erase, for the bar (exact up to 10,000, as search counts).
  const search = new URLSearchParams({ q: opts.account !== undefined ? `accountId:"${opts.account}"` : query!, size: '1' });
  if (opts.from !== undefined) search.set('from', opts.from);
  if (opts.to !== undefined) search.set('to', opts.to);
  const total = ((await client.request('GET', `/api/v1/findings?${search}`)) as { total: number }).total;
  const started = (await client.request('POST', '/api/v1/erasures', body)) as { id: string };
  if (!opts.wait) {
    process.stdout.write(`${started.id}\n`);
    return undefined;
  }
  return follow(async () => {
    const job = (await client.request('GET', `/api/v1/erasures/${started.id}`)) as { id: string; status: string; findings: number; counts: Record<string, number>; receipt?: { keysDigest: string }; error?: string };
    return { id: job.id, status: job.status, findings: job.findings, counts: job.counts, ...(job.receipt && { keysDigest: job.receipt.keysDigest }), ...(job.error && { error: job.error }) };
  }, total);
}

async function eraseInFolder(data: string | undefined, query: string | undefined, opts: EraseOptions): Promise<Progress> {
  if (data === undefined) {
    throw new CliError('no Yagura to talk to: give --url URL and --api-key KEY (or YAGURA_URL, YAGURA_API_KEY) for a running server, or --data DIR (or YAGURA_DATA) for a data folder no server holds');
  }
  const now = Date.now();
  const selection = opts.account !== undefined ? { kind: 'bound' as const, root: oneOf('accountId', [opts.account]) } : bindQuery(parseQuery(query!), { now });
  const range = opts.account !== undefined ? {} : resolveTimeRange({ from: opts.from, to: opts.to }, now);
  if (opts.account !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(opts.account)) throw new CliError('--account must be an AWS account ID');
  const embedded = await openEmbedded(data, 'yagura erase', { archive: archiveSettings() });
  try {
    // Nothing else uses the folder now: the file is rebuilt at the end of the erasure, not at the next start.
    const service = erasureService(embedded, { compact: true });
    // Erasures an earlier run left unfinished go on first.
    await service.resume();
    await service.idle();
    const total = (await embedded.store.search({ query: selection, ...range, size: 1, sort: { field: 'updatedAt', order: 'desc' }, trackTotalUpTo: 10_000_000 })).total;
    const requestedBy = `arn:yagura:iam:::local/${userInfo().username}@${hostname()}`;
    const job = await service.start({
      target: opts.account !== undefined ? { kind: 'account', accountId: opts.account } : { kind: 'query', query: selection, ...range },
      reason: opts.reason!,
      requestedBy,
    });
    const result = await follow(async () => fromJob((await service.get(job.id))!), total);
    await service.close();
    return result;
  } finally {
    await embedded.close();
  }
}

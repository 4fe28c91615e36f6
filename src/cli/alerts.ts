// `yagura alerts rules|destinations|deliveries …`: manage alerting on a running server.
import type { Command } from 'commander';
import { ApiClient } from './api-client.js';
import { CliError } from './cli-error.js';
import { jsonInput } from './json-input.js';
import { addServerOptions, serverOf } from './connection-options.js';
import { terminalSafe } from './output.js';
import { renderTable, tableOutput } from './table.js';

type Opts = { url?: string; apiKey?: string; data?: string; json?: string; file?: string; format?: string };

/** A rule or destination given as `--json '{…}'` or `--file spec.json`. */
function specOf(opts: Opts): Promise<unknown> {
  return jsonInput(opts, 'specification');
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Long cells (queries, delivery errors) wrap rather than being cut: the end of an error often names the remedy. */
function table(head: string[], rows: unknown[][]): void {
  const cells = rows.map((r) => r.map((c) => terminalSafe(c === null || c === undefined ? '' : String(c))));
  process.stdout.write(`${renderTable(head, cells, tableOutput(), 'wrap')}\n`);
}

function client(opts: Opts, verb: string): ApiClient {
  return ApiClient.fromOptions(serverOf(opts, verb), verb);
}

function withSpec(command: Command): Command {
  return command.option('--json <text>', 'the specification as JSON text').option('--file <path>', 'the specification in a JSON file');
}

function formatOption(command: Command): Command {
  return command.option('--format <format>', 'table or json', 'table');
}

function crud(parent: Command, noun: string, path: string, listKey: string, columns: Array<[string, (x: Record<string, unknown>) => unknown]>): Command {
  const group = parent.command(noun).description(`manage alert ${noun}`);
  addServerOptions(formatOption(group.command('list').description(`list ${noun}`))).action(async (opts: Opts) => {
    const answer = (await client(opts, `alerts ${noun} list`).request('GET', path)) as Record<string, Array<Record<string, unknown>>>;
    const items = answer[listKey] ?? [];
    if (opts.format === 'json') print(items);
    else table(columns.map(([h]) => h), items.map((x) => columns.map(([, get]) => get(x))));
  });
  addServerOptions(group.command('show').description(`show one of the ${noun}`).argument('<id>')).action(async (id: string, opts: Opts) => {
    print(await client(opts, `alerts ${noun} show`).request('GET', `${path}/${encodeURIComponent(id)}`));
  });
  addServerOptions(withSpec(group.command('create').description(`create one of the ${noun} from a JSON specification`))).action(async (opts: Opts) => {
    print(await client(opts, `alerts ${noun} create`).request('POST', path, await specOf(opts)));
  });
  addServerOptions(withSpec(group.command('update').description(`replace one of the ${noun} with a JSON specification`).argument('<id>'))).action(async (id: string, opts: Opts) => {
    print(await client(opts, `alerts ${noun} update`).request('PUT', `${path}/${encodeURIComponent(id)}`, await specOf(opts)));
  });
  addServerOptions(group.command('delete').description(`delete one of the ${noun}`).argument('<id>')).action(async (id: string, opts: Opts) => {
    await client(opts, `alerts ${noun} delete`).request('DELETE', `${path}/${encodeURIComponent(id)}`);
    process.stdout.write(`deleted ${id}\n`);
  });
  return group;
}

export function alertsCommand(program: Command): void {
  const alerts = program.command('alerts').description('manage alert rules, destinations and deliveries on a running server (--url, --api-key)');

  const rules = crud(alerts, 'rules', '/api/v1/alert-rules', 'rules', [
    ['id', (r) => r.id],
    ['name', (r) => r.name],
    ['enabled', (r) => r.enabled],
    ['trigger', (r) => (r.trigger as { kind: string }).kind],
    ['min band', (r) => r.minBand],
    ['query', (r) => r.query],
  ]);
  addServerOptions(
    withSpec(
      rules
        .command('dry-run')
        .description('which stored findings a rule would have alerted on: a stored rule by ID, or a specification with --json/--file')
        .argument('[id]')
        .option('--from <time>', 'start of the range (ISO-8601 or relative)', 'now-24h')
        .option('--to <time>', 'end of the range', 'now'),
    ),
  ).action(async (id: string | undefined, opts: Opts & { from: string; to: string }) => {
    const api = client(opts, 'alerts rules dry-run');
    const result = id
      ? await api.request('POST', `/api/v1/alert-rules/${encodeURIComponent(id)}/dry-run?${new URLSearchParams({ from: opts.from, to: opts.to })}`)
      : await api.request('POST', '/api/v1/alert-rules/dry-run', { rule: await specOf(opts), from: opts.from, to: opts.to });
    print(result);
  });

  const destinations = crud(alerts, 'destinations', '/api/v1/destinations', 'destinations', [
    ['id', (d) => d.id],
    ['name', (d) => d.name],
    ['type', (d) => d.type],
    ['target', (d) => d.url ?? (Array.isArray(d.to) ? d.to.join(', ') : '')],
  ]);
  addServerOptions(destinations.command('test').description('send a test message to a destination now').argument('<id>')).action(async (id: string, opts: Opts) => {
    const result = (await client(opts, 'alerts destinations test').request('POST', `/api/v1/destinations/${encodeURIComponent(id)}/test`)) as { ok: boolean; latencyMs: number; error?: string };
    if (!result.ok) throw new CliError(`the test message was not delivered: ${result.error ?? 'unknown error'}`);
    process.stdout.write(`delivered in ${result.latencyMs} ms\n`);
  });

  const deliveries = alerts.command('deliveries').description('the delivery log and dead letters');
  addServerOptions(
    formatOption(
      deliveries
        .command('list')
        .description('list deliveries, newest first')
        .option('--dead', 'only dead letters')
        .option('--status <status>', 'pending, sent or dead')
        .option('--limit <n>', 'most deliveries to list (1-1000)', '100'),
    ),
  ).action(async (opts: Opts & { dead?: boolean; status?: string; limit: string }) => {
    const status = opts.dead ? 'dead' : opts.status;
    const query = new URLSearchParams({ size: opts.limit, ...(status && { status }) });
    const answer = (await client(opts, 'alerts deliveries list').request('GET', `/api/v1/deliveries?${query}`)) as { deliveries: Array<Record<string, unknown>> };
    if (opts.format === 'json') print(answer.deliveries);
    else
      table(
        ['id', 'status', 'kind', 'rule', 'destination', 'finding', 'attempts', 'latency ms', 'last error'],
        answer.deliveries.map((d) => [d.id, d.status, d.kind, d.rule, d.destination, d.finding, d.attempts, d.latencyMs, d.lastError]),
      );
  });
  addServerOptions(deliveries.command('retry').description('send a dead letter again').argument('<id>')).action(async (id: string, opts: Opts) => {
    if (!/^\d+$/.test(id)) throw new CliError('a delivery ID is a number');
    await client(opts, 'alerts deliveries retry').request('POST', `/api/v1/deliveries/${id}/retry`);
    process.stdout.write(`delivery ${id} queued again\n`);
  });
}

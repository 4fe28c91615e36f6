// What the administration verbs share: the server connection, JSON documents from --json/--file, and output.
import Table from 'cli-table3';
import type { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import { jsonInput } from '../json-input.js';
import { connectionOf } from '../connection-options.js';
import { terminalSafe } from '../output.js';

export type AdminOpts = { url?: string; apiKey?: string; json?: string; file?: string; format?: string; limit?: string };

export type Row = Record<string, unknown>;
export type Column = readonly [string, (row: Row) => unknown];

/** `--url` and `--api-key` (env YAGURA_URL, YAGURA_API_KEY): these verbs always talk to a server. */
export function serverOptions(command: Command): Command {
  return command.option('--url <url>', 'URL of a running Yagura server (env YAGURA_URL)').option('--api-key <key>', 'API key for --url (env YAGURA_API_KEY)');
}

export function withDocument(command: Command): Command {
  return command.option('--json <text>', 'the document as JSON text').option('--file <path>', 'the document in a JSON file');
}

export function withFormat(command: Command): Command {
  return command.option('--format <format>', 'table or json', 'table');
}

export function client(opts: AdminOpts, verb: string): ApiClient {
  return ApiClient.fromOptions(connectionOf(opts), verb);
}

/** A JSON document given as `--json '{…}'` or `--file doc.json`. */
export function documentOf(opts: AdminOpts): Promise<unknown> {
  return jsonInput(opts);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(columns: readonly Column[], rows: readonly Row[]): void {
  const t = new Table({ head: columns.map(([h]) => h) });
  for (const r of rows) {
    t.push(columns.map(([, get]) => {
      const v = get(r);
      const text = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return terminalSafe(text).slice(0, 80);
    }));
  }
  process.stdout.write(`${t.toString()}\n`);
}

/** Every page of a listing, followed through nextCursor. */
export async function listAll(api: ApiClient, path: string, key: string): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '1000', ...(cursor !== null && { cursor }) });
    const page = (await api.request('GET', `${path}?${query}`)) as Record<string, unknown>;
    rows.push(...((page[key] as Row[] | undefined) ?? []));
    cursor = (page.nextCursor as string | null | undefined) ?? null;
  } while (cursor !== null);
  return rows;
}

/**
 * `list`, `show NAME`, `create`, `update NAME` and `delete NAME` for one kind of named resource. `bodyOf` turns the
 * verb's options into the request body (create gets the name inside it).
 */
export function namedResource(
  program: Command,
  noun: string,
  description: string,
  columns: readonly Column[],
  bodyOf: (opts: AdminOpts, name: string) => Promise<unknown>,
  configure: (command: Command) => Command = withDocument,
): Command {
  const path = `/api/v1/${noun}`;
  const group = program.command(noun).description(description);
  serverOptions(withFormat(group.command('list').description(`list ${noun}`))).action(async (opts: AdminOpts) => {
    const rows = await listAll(client(opts, `${noun} list`), path, noun);
    if (opts.format === 'json') printJson(rows);
    else printTable(columns, rows);
  });
  serverOptions(group.command('show').description(`show one of the ${noun}`).argument('<name>')).action(async (name: string, opts: AdminOpts) => {
    printJson(await client(opts, `${noun} show`).request('GET', `${path}/${encodeURIComponent(name)}`));
  });
  serverOptions(configure(group.command('create').description(`create one of the ${noun}`).argument('<name>'))).action(async (name: string, opts: AdminOpts) => {
    printJson(await client(opts, `${noun} create`).request('POST', path, { ...((await bodyOf(opts, name)) as object), name }));
  });
  serverOptions(configure(group.command('update').description(`replace one of the ${noun}`).argument('<name>'))).action(async (name: string, opts: AdminOpts) => {
    printJson(await client(opts, `${noun} update`).request('PUT', `${path}/${encodeURIComponent(name)}`, await bodyOf(opts, name)));
  });
  serverOptions(group.command('delete').description(`delete one of the ${noun}`).argument('<name>')).action(async (name: string, opts: AdminOpts) => {
    await client(opts, `${noun} delete`).request('DELETE', `${path}/${encodeURIComponent(name)}`);
    process.stdout.write(`deleted ${name}\n`);
  });
  return group;
}

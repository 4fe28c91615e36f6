// `yagura catalog groups|accounts|policy …`: the account catalog on a running server.
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { client, documentOf, listAll, printJson, printTable, serverOptions, withDocument, withFormat, type AdminOpts, type Column } from './admin-common.js';

type TagOpts = AdminOpts & { tags?: string; group?: string; name?: string };

const GROUP_COLUMNS: readonly Column[] = [
  ['name', (g) => g.name],
  ['tags', (g) => g.tags],
  ['arn', (g) => g.arn],
];
const ACCOUNT_COLUMNS: readonly Column[] = [
  ['account', (a) => a.accountId],
  ['name', (a) => a.name],
  ['tags', (a) => a.tags],
  ['arn', (a) => a.arn],
];

/** `--tags env=prod,bu=payments`; a tag without `=` has the empty value. */
export function parseTagsOption(text: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const part of text.split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const at = item.indexOf('=');
    const key = at < 0 ? item : item.slice(0, at);
    if (key === '') throw new CliError(`--tags: "${item}" has no key (write key=value,…)`);
    tags[key] = at < 0 ? '' : item.slice(at + 1);
  }
  return tags;
}

function tagsOption(command: Command): Command {
  return command.option('--tags <list>', 'tags as key=value,key=value (replaces all tags)');
}

export function catalogCommand(program: Command): void {
  const catalog = program.command('catalog').description('manage the account catalog on a running server (--url, --api-key): groups, accounts, the resource policy');

  const groups = catalog.command('groups').description('account groups (arn:yagura:catalog:::group/NAME)');
  serverOptions(withFormat(groups.command('list').description('list the groups you may see'))).action(async (opts: AdminOpts) => {
    const rows = await listAll(client(opts, 'catalog groups list'), '/api/v1/catalog/groups', 'groups');
    if (opts.format === 'json') printJson(rows);
    else printTable(GROUP_COLUMNS, rows);
  });
  serverOptions(tagsOption(groups.command('put').description('create a group or replace its tags').argument('<name>'))).action(async (name: string, opts: TagOpts) => {
    const body = opts.tags === undefined ? {} : { tags: parseTagsOption(opts.tags) };
    printJson(await client(opts, 'catalog groups put').request('PUT', `/api/v1/catalog/groups/${encodeURIComponent(name)}`, body));
  });
  serverOptions(groups.command('delete').description('delete an empty group').argument('<name>')).action(async (name: string, opts: AdminOpts) => {
    await client(opts, 'catalog groups delete').request('DELETE', `/api/v1/catalog/groups/${encodeURIComponent(name)}`);
    process.stdout.write(`deleted ${name}\n`);
  });

  const accounts = catalog.command('accounts').description('AWS accounts in groups (arn:yagura:catalog:::account/GROUP/ID)');
  serverOptions(withFormat(accounts.command('list').description("list a group's accounts you may see").argument('<group>'))).action(async (group: string, opts: AdminOpts) => {
    const rows = await listAll(client(opts, 'catalog accounts list'), `/api/v1/catalog/groups/${encodeURIComponent(group)}/accounts`, 'accounts');
    if (opts.format === 'json') printJson(rows);
    else printTable(ACCOUNT_COLUMNS, rows);
  });
  serverOptions(
    tagsOption(
      accounts
        .command('put')
        .description('put an account in a group (moving keeps its name and tags unless given)')
        .argument('<accountId>')
        .requiredOption('--group <name>', 'the group to put it in')
        .option('--name <name>', 'a name for the account'),
    ),
  ).action(async (accountId: string, opts: TagOpts) => {
    const body = { group: opts.group, ...(opts.name !== undefined && { name: opts.name }), ...(opts.tags !== undefined && { tags: parseTagsOption(opts.tags) }) };
    printJson(await client(opts, 'catalog accounts put').request('PUT', `/api/v1/catalog/accounts/${encodeURIComponent(accountId)}`, body));
  });

  const policy = catalog.command('policy').description("the catalog's resource policy");
  serverOptions(policy.command('get').description('print the policy')).action(async (opts: AdminOpts) => {
    printJson(await client(opts, 'catalog policy get').request('GET', '/api/v1/catalog/policy'));
  });
  serverOptions(withDocument(policy.command('put').description('replace the policy with a document (--json or --file)'))).action(async (opts: AdminOpts) => {
    printJson(await client(opts, 'catalog policy put').request('PUT', '/api/v1/catalog/policy', { document: await documentOf(opts) }));
  });
  serverOptions(policy.command('delete').description('remove the policy')).action(async (opts: AdminOpts) => {
    await client(opts, 'catalog policy delete').request('DELETE', '/api/v1/catalog/policy');
    process.stdout.write('deleted the catalog policy\n');
  });
}

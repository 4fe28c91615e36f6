// `yagura keys list|create|delete`: API keys of users and roles on a running server; `create` prints the key once.
// `yagura keys rotate-master`: the master key that seals stored secrets, on a data folder.
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { connectionOf } from '../connection-options.js';
import { createOfflineAdministratorKey } from '../keys.js';
import { rotateMasterOffline } from '../rotate-master.js';
import { client, listAll, printJson, printTable, serverOptions, withFormat, type AdminOpts } from './admin-common.js';

type CreateOpts = AdminOpts & { name?: string; role?: string; user?: string; expiresAt?: string; data?: string };

export function keysCommand(program: Command): Command {
  const keys = program.command('keys').description('manage API keys on a running server (--url, --api-key), and the master key of a data folder');
  serverOptions(withFormat(keys.command('list').description('list keys (never their secrets)'))).action(async (opts: AdminOpts) => {
    const rows = await listAll(client(opts, 'keys list'), '/api/v1/keys', 'keys');
    if (opts.format === 'json') printJson(rows);
    else
      printTable(
        [
          ['id', (k) => k.id],
          ['prefix', (k) => k.prefix],
          ['name', (k) => k.name],
          ['owner', (k) => { const o = k.owner as { kind: string; name: string }; return `${o.kind}/${o.name}`; }],
          ['created', (k) => k.createdAt],
          ['last used', (k) => k.lastUsedAt],
          ['expires', (k) => k.expiresAt],
          ['revoked', (k) => k.revoked],
        ],
        rows,
      );
  });
  serverOptions(
    withFormat(
      keys
        .command('create')
        .description('create a key for a role or a user and print it once; with --data, an Administrator key made offline on a data folder no server holds (the way back from a lost key)')
        .option('--name <name>', "the key's name (required against a server; default \"admin\" with --data)")
        .option('--data <dir>', 'data folder (env YAGURA_DATA): create an Administrator key offline')
        .option('--role <role>', 'the role the key acts as')
        .option('--user <user>', 'the user the key acts as')
        .option('--expires-at <time>', 'ISO-8601 expiry in the future'),
    ),
  ).action(async (opts: CreateOpts) => {
    const target = connectionOf(opts);
    if (target.data !== undefined) {
      if (opts.role !== undefined || opts.user !== undefined || opts.expiresAt !== undefined) {
        throw new CliError('with --data the key belongs to the Administrator role and does not expire; --role, --user and --expires-at are for a server (--url)');
      }
      await createOfflineAdministratorKey(target.data, opts.name ?? 'admin');
      return;
    }
    if (opts.name === undefined) throw new CliError('give the key a name: --name NAME');
    if ((opts.role === undefined) === (opts.user === undefined)) throw new CliError('give exactly one of --role ROLE or --user USER');
    const body = { name: opts.name, ...(opts.role !== undefined && { role: opts.role }), ...(opts.user !== undefined && { user: opts.user }), ...(opts.expiresAt !== undefined && { expiresAt: opts.expiresAt }) };
    const created = (await client(opts, 'keys create').request('POST', '/api/v1/keys', body)) as { id: string; key: string; prefix: string; accessKeyId?: string; secretAccessKey?: string };
    if (opts.format === 'json') printJson(created);
    else {
      const signing = created.accessKeyId ? `SigV4 access key ID ${created.accessKeyId}\nSigV4 secret access key ${created.secretAccessKey}\n` : '';
      process.stdout.write(`${created.key}\n${signing}(id ${created.id}; this is the only time the key is shown)\n`);
    }
  });
  serverOptions(keys.command('delete').description('revoke a key at once').argument('<id>')).action(async (id: string, opts: AdminOpts) => {
    await client(opts, 'keys delete').request('DELETE', `/api/v1/keys/${encodeURIComponent(id)}`);
    process.stdout.write(`revoked ${id}\n`);
  });
  keys
    .command('rotate-master')
    .description(
      'seal every stored secret with a new master key and retire the old one, on a data folder no server holds; with YAGURA_MASTER_KEY set, the new key comes from YAGURA_NEW_MASTER_KEY',
    )
    .option('--data <dir>', 'data folder (env YAGURA_DATA)')
    .action(async (opts: { data?: string }) => {
      const dir = opts.data ?? (process.env.YAGURA_DATA || undefined);
      if (dir === undefined) throw new CliError('give the data folder: --data DIR (or YAGURA_DATA)');
      await rotateMasterOffline(dir);
    });
  return keys;
}

// `yagura retention plan` (what the next pass would remove, per rule, without removing anything) and
// `yagura retention run` (one pass now, on a data folder no server holds).
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { buildRetention, openEmbedded } from '../main.js';
import type { RetentionPlan, RulePlan } from '../retention/retention-plan.js';
import { printJson, printTable, type Row } from './admin/admin-common.js';
import { ApiClient } from './api-client.js';
import { CliError } from './cli-error.js';
import { addConnectionOptions, connectionOf } from './connection-options.js';

type PlanOpts = { url?: string; apiKey?: string; data?: string; config?: string; format: string };
type RunOpts = { data?: string; config?: string };

/** A plan as the API answers it: times as ISO-8601, forever as null. */
interface PresentedPlan {
  readonly at: string;
  readonly store: readonly Row[];
  readonly archive: readonly Row[];
}

function present(plan: RetentionPlan): PresentedPlan {
  const rule = (r: RulePlan): Row => ({ rule: r.rule, days: r.days ?? null, remove: r.remove, held: r.held, oldestKept: r.oldestKept === undefined ? null : new Date(r.oldestKept).toISOString() });
  return { at: new Date(plan.at).toISOString(), store: plan.store.map(rule), archive: plan.archive.map(rule) };
}

function configOf(file: string | undefined, data: string | undefined): Config {
  try {
    return loadConfig({ ...(file !== undefined && { file }), overrides: { dataDir: data } });
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

async function withFolder<T>(opts: { data: string; config?: string }, verb: string, work: (parts: ReturnType<typeof buildRetention>) => Promise<T>): Promise<T> {
  const config = configOf(opts.config, opts.data);
  const embedded = await openEmbedded(opts.data, `yagura retention ${verb}`, { archive: config.archive, store: config.store });
  try {
    return await work(buildRetention(embedded, config));
  } finally {
    await embedded.close();
  }
}

function printPlan(plan: PresentedPlan, format: string): void {
  if (format === 'json') return printJson(plan);
  const rows = [...plan.store.map((r) => ({ scope: 'store', ...r })), ...plan.archive.map((r) => ({ scope: 'archive', ...r }))];
  printTable(
    [
      ['scope', (r) => r.scope],
      ['rule', (r) => r.rule],
      ['days', (r) => r.days ?? 'forever'],
      ['remove', (r) => r.remove],
      ['held', (r) => r.held],
      ['oldest kept', (r) => r.oldestKept ?? ''],
    ],
    rows,
  );
  const total = (rs: readonly Row[]): number => rs.reduce((n, r) => n + Number(r.remove), 0);
  process.stdout.write(`at ${plan.at}: the next pass would remove ${total(plan.store)} findings from the store and ${total(plan.archive)} archived versions\n`);
}

export function retentionCommand(program: Command): void {
  const retention = program.command('retention').description('retention of findings in the store and the archive (docs/retention.md)');
  addConnectionOptions(
    retention
      .command('plan')
      .description('show what the next retention pass would remove (counts per rule, oldest kept) without removing anything')
      .option('--config <file>', 'configuration file whose retention section applies to --data (env YAGURA_CONFIG)')
      .option('--format <format>', 'table or json', 'table'),
  ).action(async (opts: PlanOpts) => {
    if (opts.format !== 'table' && opts.format !== 'json') throw new CliError('--format must be table or json');
    const target = connectionOf(opts);
    if (target.data !== undefined) {
      const plan = await withFolder({ data: target.data, ...(opts.config !== undefined && { config: opts.config }) }, 'plan', async (parts) => parts.planner.plan(Date.now()));
      printPlan(present(plan), opts.format);
      return;
    }
    const api = ApiClient.fromOptions(target, 'retention plan');
    printPlan((await api.request('GET', '/api/v1/retention/plan')) as PresentedPlan, opts.format);
  });
  retention
    .command('run')
    .description('run one retention pass now on a data folder no server holds (a server runs its passes itself)')
    .option('--data <dir>', 'data folder (env YAGURA_DATA)')
    .option('--config <file>', 'configuration file whose retention section applies (env YAGURA_CONFIG)')
    .action(async (opts: RunOpts) => {
      const data = opts.data ?? (process.env.YAGURA_DATA || undefined);
      if (data === undefined) throw new CliError('yagura retention run needs --data DIR (a running server enforces retention itself)');
      const { store, archive } = await withFolder({ data, ...(opts.config !== undefined && { config: opts.config }) }, 'run', async (parts) => {
        const now = Date.now();
        return { store: await parts.store.run(now), archive: await parts.archive.run(now) };
      });
      const sum = (o: Readonly<Record<string, number>>): number => Object.values(o).reduce((a, b) => a + b, 0);
      const byRule = (o: Readonly<Record<string, number>>): string => (Object.keys(o).length === 0 ? '' : ` (${Object.entries(o).map(([r, n]) => `${r}: ${n}`).join(', ')})`);
      process.stdout.write(
        `removed ${sum(store.removed)} findings from the store${byRule(store.removed)} and ${sum(archive.removed)} archived versions${byRule(archive.removed)}: ` +
          `${archive.deleted} archive objects deleted, ${archive.rewritten} rewritten\n`,
      );
    });
}

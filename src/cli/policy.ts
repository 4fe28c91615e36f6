// `yagura policy simulate`: the policy simulator on the command line, evaluated locally by the same engine.
import { readFile } from 'node:fs/promises';
import Table from 'cli-table3';
import type { Command } from 'commander';
import type { Evaluation } from '../auth/policy/evaluate.js';
import { PolicyError } from '../auth/policy/policy-error.js';
import { simulate, simulationRequestSchema } from '../auth/policy/simulate.js';
import { CliError } from './cli-error.js';
import { terminalSafe } from './output.js';

type Opts = { json?: string; file?: string; format: string };

async function requestText(opts: Opts): Promise<string> {
  if ((opts.json === undefined) === (opts.file === undefined)) throw new CliError('give the request with exactly one of --json TEXT or --file PATH');
  if (opts.json !== undefined) return opts.json;
  try {
    return await readFile(opts.file!, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${opts.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function formatTable(result: Evaluation): string {
  const table = new Table({ head: ['policy', 'sid', 'statement'], style: { head: [], border: [] } });
  for (const m of result.matchedStatements) table.push([m.policy, terminalSafe(m.sid ?? '').slice(0, 80), String(m.statement)]);
  return `decision: ${result.decision}\n${result.matchedStatements.length > 0 ? `${table.toString()}\n` : ''}`;
}

/** Decides one request; exit code 0 for any decision, 1 when the request or a policy is invalid. */
export async function simulateCommandAction(opts: Opts, now: number): Promise<string> {
  if (opts.format !== 'table' && opts.format !== 'json') throw new CliError('--format must be table or json');
  let input: unknown;
  try {
    input = JSON.parse(await requestText(opts));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`the request is not valid JSON${opts.file ? ` (${opts.file})` : ''}`);
  }
  const parsed = simulationRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CliError(`invalid request: ${issue.path.length > 0 ? `"${issue.path.join('.')}": ` : ''}${issue.message}`);
  }
  let result: Evaluation;
  try {
    result = simulate(parsed.data, now);
  } catch (error) {
    if (error instanceof PolicyError) throw new CliError(`invalid policy: ${error.message}`);
    throw error;
  }
  return opts.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatTable(result);
}

export function policyCommand(program: Command): void {
  const policy = program.command('policy').description('IAM-style policies');
  policy
    .command('simulate')
    .description('decide a request against identity and resource policies as AWS does, e.g. yagura policy simulate --file request.json')
    .option('--file <path>', 'the request as a JSON file: {principal, identityPolicies, resourcePolicy, action, resource, context}')
    .option('--json <text>', 'the request as JSON text')
    .option('--format <format>', 'output: table or json', 'table')
    .action(async (opts: Opts) => {
      process.stdout.write(await simulateCommandAction(opts, Date.now()));
    });
}

#!/usr/bin/env node
// The `yagura` command: one verb per file; errors end as one line on stderr and a non-zero exit code.
import { Command, CommanderError } from 'commander';
import { adminCommands } from './admin/admin-commands.js';
import { alertsCommand } from './alerts.js';
import { backupCommand } from './backup.js';
import { exportCommand } from './export.js';
import { eraseCommand } from './erase.js';
import { importCommand } from './import.js';
import { loginCommand } from './login.js';
import { migrateCommand } from './migrate.js';
import { policyCommand } from './policy.js';
import { restoreCommand } from './restore.js';
import { retentionCommand } from './retention.js';
import { searchCommand } from './search.js';
import { serveCommand } from './serve.js';

function describe(error: unknown): string {
  const e = error as { message?: unknown };
  return typeof e.message === 'string' ? e.message.split('\n')[0]! : String(error);
}

export async function run(argv: readonly string[]): Promise<void> {
  const program = new Command('yagura')
    .description('Yagura: a real-time monitor and data lake for Amazon GuardDuty findings')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  serveCommand(program);
  importCommand(program);
  migrateCommand(program);
  backupCommand(program);
  restoreCommand(program);
  searchCommand(program);
  exportCommand(program);
  eraseCommand(program);
  alertsCommand(program);
  policyCommand(program);
  retentionCommand(program);
  loginCommand(program);
  adminCommands(program);
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`yagura: ${describe(error)}\n`);
    process.exitCode = (error as { exitCode?: number }).exitCode ?? 1;
  }
}

await run(process.argv);

// `yagura policies list|show|create|update|delete`: managed IAM policies on a running server.
import type { Command } from 'commander';
import { documentOf, namedResource } from './admin-common.js';

export function policiesCommand(program: Command): void {
  namedResource(
    program,
    'policies',
    'manage IAM policies on a running server (--url, --api-key); create and update take the policy document with --json or --file',
    [
      ['name', (p) => p.name],
      ['built in', (p) => p.builtIn],
      ['updated', (p) => p.updatedAt],
    ],
    async (opts) => ({ document: await documentOf(opts) }),
  );
}

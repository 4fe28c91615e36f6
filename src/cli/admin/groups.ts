// `yagura groups list|show|create|update|delete`: groups pass their policies to their users.
import type { Command } from 'commander';
import { documentOf, namedResource } from './admin-common.js';

export function groupsCommand(program: Command): void {
  namedResource(
    program,
    'groups',
    'manage groups on a running server (--url, --api-key); --json/--file give {"policies": [...]}',
    [
      ['name', (g) => g.name],
      ['policies', (g) => g.policies],
      ['members', (g) => g.members],
    ],
    async (opts) => (opts.json === undefined && opts.file === undefined ? {} : documentOf(opts)),
  );
}

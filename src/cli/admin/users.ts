// `yagura users list|show|create|update|delete`: local users, their groups, policies, tags and password.
import type { Command } from 'commander';
import { documentOf, namedResource } from './admin-common.js';

export function usersCommand(program: Command): void {
  namedResource(
    program,
    'users',
    'manage users on a running server (--url, --api-key); --json/--file give {"groups": [...], "policies": [...], "tags": {...}, "password": "..."}',
    [
      ['name', (u) => u.name],
      ['groups', (u) => u.groups],
      ['policies', (u) => u.policies],
      ['password', (u) => (u.hasPassword ? 'yes' : 'no')],
    ],
    async (opts) => (opts.json === undefined && opts.file === undefined ? {} : documentOf(opts)),
  );
}

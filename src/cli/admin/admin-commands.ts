// The administration verbs, registered together: users, groups, roles, keys, policies, the account catalog, audit.
import type { Command } from 'commander';
import { auditCommand } from './audit.js';
import { catalogCommand } from './catalog.js';
import { groupsCommand } from './groups.js';
import { keysCommand } from './keys.js';
import { policiesCommand } from './policies.js';
import { rolesCommand } from './roles.js';
import { usersCommand } from './users.js';

export function adminCommands(program: Command): void {
  usersCommand(program);
  groupsCommand(program);
  rolesCommand(program);
  keysCommand(program);
  policiesCommand(program);
  catalogCommand(program);
  auditCommand(program);
}

// `yagura roles list|show|create|update|delete`: roles own API keys and carry policies.
import type { Command } from 'commander';
import { documentOf, namedResource } from './admin-common.js';

/** `--json`/`--file` give the role's fields ({"policies": […], "description", "tags"}); without them, none. */
export function rolesCommand(program: Command): void {
  namedResource(
    program,
    'roles',
    'manage roles on a running server (--url, --api-key); --json/--file give {"policies": [...], "description": "...", "tags": {...}}',
    [
      ['name', (r) => r.name],
      ['policies', (r) => r.policies],
      ['description', (r) => r.description],
      ['built in', (r) => r.builtIn],
    ],
    async (opts) => (opts.json === undefined && opts.file === undefined ? {} : documentOf(opts)),
  );
}

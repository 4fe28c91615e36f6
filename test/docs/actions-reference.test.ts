// docs/authorization.md lists every action of src/auth/actions.ts, as AWS's Service Authorization Reference does.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ACTIONS } from '../../src/auth/actions.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function expectedTable(): string {
  const rows = Object.values(ACTIONS).map((a) => `| \`${a.name}\` | ${a.description.replace(/\|/g, '\\|')} | ${a.resource} | ${a.conditionKeys.map((k) => `\`${k}\``).join(', ')} |`);
  return ['| Action | Description | Resource type | Condition keys |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

test('the actions table in docs/authorization.md is the one src/auth/actions.ts defines', async () => {
  const doc = await readFile(path.join(ROOT, 'docs/authorization.md'), 'utf8');
  const m = /<!-- actions:begin -->\n([\s\S]*?)\n<!-- actions:end -->/.exec(doc);
  assert.ok(m, 'docs/authorization.md has the actions:begin/end markers');
  assert.equal(m[1], expectedTable(), 'regenerate the table between the markers from src/auth/actions.ts');
});

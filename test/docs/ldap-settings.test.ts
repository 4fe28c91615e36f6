// docs/federation.md lists every LDAP setting of src/auth/federation/ldap/ldap-config.ts, variable and file key.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LDAP_ENV, ldapConfigSchema } from '../../src/auth/federation/ldap/ldap-config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('the LDAP settings table in docs/federation.md names every variable and config key, in order', async () => {
  const doc = await readFile(path.join(ROOT, 'docs/federation.md'), 'utf8');
  const m = /<!-- ldap-settings:begin -->\n([\s\S]*?)\n<!-- ldap-settings:end -->/.exec(doc);
  assert.ok(m, 'docs/federation.md has the ldap-settings:begin/end markers');
  const rows = m[1]!.split('\n').slice(2).map((row) => /^\| `([A-Z_]+)` \| `([A-Za-z]+)` \|/.exec(row)?.slice(1, 3));
  assert.deepEqual(rows, LDAP_ENV.map(([env, key]) => [env, key]));
  assert.deepEqual(LDAP_ENV.map(([, key]) => key).sort(), Object.keys(ldapConfigSchema.shape).sort(), 'every setting has a variable');
});

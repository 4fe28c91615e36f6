// Role mapping: the user's DN and group DNs looked up in the role map by normal form.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rolesFor } from './roles.js';

const alice = {
  userDn: 'uid=alice,ou=people,dc=example,dc=org',
  groups: ['cn=payments-sec,ou=groups,dc=example,dc=org', 'cn=analysts,ou=groups,dc=example,dc=org'],
};

test('maps the groups and the user DN to roles, each once and sorted', () => {
  const map = {
    'cn=payments-sec,ou=groups,dc=example,dc=org': 'Administrator',
    'cn=analysts,ou=groups,dc=example,dc=org': 'Analyst',
    'uid=alice,ou=people,dc=example,dc=org': 'Analyst',
    'cn=other,ou=groups,dc=example,dc=org': 'Other',
  };
  assert.deepEqual(rolesFor(alice, map), ['Administrator', 'Analyst']);
});

test('matches a DN written with other case and spacing', () => {
  assert.deepEqual(rolesFor(alice, { 'CN=Payments-Sec, OU=Groups, DC=Example, DC=Org': 'Administrator' }), ['Administrator']);
});

test('gives no role when nothing maps, and never matches by prefix or substring', () => {
  assert.deepEqual(rolesFor(alice, {}), []);
  assert.deepEqual(rolesFor(alice, { 'ou=groups,dc=example,dc=org': 'X', 'cn=payments,ou=groups,dc=example,dc=org': 'Y', 'dc=org': 'Z' }), []);
  assert.deepEqual(rolesFor({ userDn: 'uid=carol,ou=people,dc=example,dc=org', groups: [] }, { 'cn=analysts,ou=groups,dc=example,dc=org': 'Analyst' }), []);
});

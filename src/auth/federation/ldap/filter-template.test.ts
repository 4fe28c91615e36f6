// Filter templates: `%s` and `%d` replaced once, with every value escaped so input never becomes filter syntax.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FilterParser } from 'ldapts';
import { fillFilter, filterTemplateProblem } from './filter-template.js';

test('escapes the filter metacharacters of the username and the DN (RFC 4515)', () => {
  assert.equal(fillFilter('(uid=%s)', { username: '*)(uid=*' }), '(uid=\\2a\\29\\28uid=\\2a)');
  assert.equal(fillFilter('(uid=%s)', { username: 'a\\b\u0000' }), '(uid=a\\5cb\\00)');
  assert.equal(fillFilter('(member=%d)', { username: 'eve', userDn: 'cn=Smith\\, Eve,dc=org' }), '(member=cn=Smith\\5c, Eve,dc=org)');
});

test('an injected username stays one equality assertion on its own attribute', () => {
  for (const username of ['*', '*)(uid=*', 'admin)(|(x=*', 'admin)(uid=admin']) {
    const filter = FilterParser.parseString(fillFilter('(&(objectClass=person)(uid=%s))', { username }));
    assert.equal(filter.toString(), `(&(objectClass=person)(uid=${fillFilter('%s', { username })}))`);
    assert.equal((filter as unknown as { filters: unknown[] }).filters.length, 2);
  }
});

test('replaces placeholders in one pass, so %d or %s in a username is not replaced again', () => {
  assert.equal(fillFilter('(|(uid=%s)(member=%d))', { username: '%d', userDn: 'uid=x,dc=org' }), '(|(uid=%d)(member=uid=x,dc=org))');
});

test('a template must name its placeholder and parse as a filter', () => {
  assert.equal(filterTemplateProblem('(&(objectClass=person)(uid=%s))', ['%s']), undefined);
  assert.equal(filterTemplateProblem('(member=%d)', ['%s', '%d']), undefined);
  assert.match(filterTemplateProblem('(uid=alice)', ['%s']) ?? '', /must contain %s/);
  assert.match(filterTemplateProblem('(uid=%s', ['%s']) ?? '', /not a valid LDAP search filter/);
});

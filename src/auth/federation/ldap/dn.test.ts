// Distinguished names: parsed as RFC 4514 writes them, compared however they are cased or spaced.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeDn, parseDn, sameDn } from './dn.js';

test('reads each RDN and its attribute-value pairs, unescaping the values', () => {
  assert.deepEqual(parseDn('cn=Smith\\, Eve+uid=eve,ou=people,dc=example,dc=org'), [
    [{ type: 'cn', value: 'Smith, Eve', ber: false }, { type: 'uid', value: 'eve', ber: false }],
    [{ type: 'ou', value: 'people', ber: false }],
    [{ type: 'dc', value: 'example', ber: false }],
    [{ type: 'dc', value: 'org', ber: false }],
  ]);
  assert.deepEqual(parseDn(''), []);
});

test('treats case, spaces around separators and inner runs of spaces as insignificant', () => {
  const same = [
    'cn=payments-sec,ou=groups,dc=example,dc=org',
    'CN=Payments-Sec,OU=Groups,DC=Example,DC=Org',
    'cn = payments-sec , ou=groups ,dc=example,  dc=org',
    'cn=payments\\2dsec,ou=groups,dc=example,dc=org',
  ];
  for (const dn of same) assert.equal(normalizeDn(dn), 'cn=payments-sec,ou=groups,dc=example,dc=org', dn);
  assert.ok(sameDn('cn=Payments  Security,dc=org', 'cn=payments security,dc=org'));
});

test("keeps an escaped comma inside a value, whether written \\, or \\2C, and tells it apart from a separator", () => {
  assert.ok(sameDn('cn=Smith\\, Eve,ou=people,dc=example,dc=org', 'CN=smith\\2C eve,ou=people,dc=example,dc=org'));
  assert.ok(!sameDn('cn=Smith\\, Eve,ou=people,dc=example,dc=org', 'cn=Smith,cn=Eve,ou=people,dc=example,dc=org'));
  assert.equal(normalizeDn('cn=Smith\\, Eve,dc=org'), 'cn=smith\\, eve,dc=org');
  // The normal form parses back to itself.
  assert.equal(normalizeDn(normalizeDn('cn=\\#1 \\+ \\"A\\"\\20,dc=org')!), normalizeDn('cn=\\#1 \\+ \\"A\\"\\20,dc=org'));
});

test('keeps escaped leading and trailing spaces but drops unescaped ones', () => {
  assert.equal(normalizeDn('cn=\\ a\\ ,dc=org'), 'cn=\\ a\\ ,dc=org');
  assert.equal(normalizeDn('cn=  a  ,dc=org'), 'cn=a,dc=org');
  assert.ok(!sameDn('cn=\\ a,dc=org', 'cn=a,dc=org'));
});

test('decodes UTF-8 escapes and orders the pairs of a multi-valued RDN', () => {
  assert.ok(sameDn('cn=J\\C3\\A9r\\C3\\B4me,dc=org', 'cn=jérôme,dc=org'));
  assert.ok(sameDn('uid=eve+cn=Eve,dc=org', 'cn=eve+uid=EVE,dc=org'));
  assert.equal(normalizeDn('cn=#04024869,dc=org'), 'cn=#04024869,dc=org');
  assert.ok(!sameDn('cn=#04024869,dc=org', 'cn=\\#04024869,dc=org'));
});

test('is not a DN: a missing equals sign, an empty RDN, a dangling escape, bad hex or invalid UTF-8', () => {
  for (const text of ['admins', 'cn=a,,dc=org', 'cn=a,', 'cn=a\\', 'cn=a\\zz', 'cn=\\ff,dc=org', '=a,dc=org', '1cn=a', 'cn=a\u0000b']) {
    assert.equal(normalizeDn(text), undefined, JSON.stringify(text));
  }
  assert.ok(!sameDn('admins', 'admins'));
});

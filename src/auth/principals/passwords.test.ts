// Passwords: scrypt with self-describing parameters, a minimum length, and no answer for an unknown user.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, verifyPassword } from './passwords.js';

test('hashes as scrypt$N$r$p$salt$hash with a fresh salt, and verifies only the right password', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b, 'each hash has its own salt');
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse batterY', a), false);
  assert.equal(await verifyPassword('', a), false);
});

test('refuses passwords under 12 characters', async () => {
  await assert.rejects(hashPassword('eleven char'), (e: { code?: string }) => e.code === 'INVALID_PASSWORD');
});

test('answers false for an unknown user (no stored hash) and for a hash of another form', async () => {
  assert.equal(await verifyPassword('whatever it is here', undefined), false);
  assert.equal(await verifyPassword('whatever it is here', 'bcrypt$2b$10$abc'), false);
});

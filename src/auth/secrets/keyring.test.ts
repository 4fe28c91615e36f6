// The SecretBox over AES-256-GCM: what seals opens, and nothing else does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Keyring } from './keyring.js';
import { generateMasterKey, parseMasterKey } from './master-key.js';
import { isSealed, sealedKeyId } from './secret-box.js';
import { SecretError } from './secret-error.js';

const SECRET = 'https://hooks.slack.com/services/T000/B000/XOXSECRETTOKEN';

/** Asserts that `run` throws a SecretError with `code` whose message does not hold the secret. */
function throwsCoded(run: () => unknown, code: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof SecretError, String(error));
    assert.equal(error.code, code);
    assert.ok(!error.message.includes(SECRET) && !error.message.includes('XOXSECRETTOKEN'), 'no secret in the message');
    assert.equal(error.message.split('\n').length, 1);
    return true;
  });
}

/** `sealed` with one base64url character of field `index` (0 = prefix … 3 = payload) changed. */
function altered(sealed: string, index: number, at = 3): string {
  const parts = sealed.split('.');
  const field = parts[index]!;
  parts[index] = field.slice(0, at) + (field[at] === 'A' ? 'B' : 'A') + field.slice(at + 1);
  return parts.join('.');
}

describe('SecretBox', () => {
  const box = Keyring.generate();

  test('opens what it sealed, for the same context', () => {
    const sealed = box.seal(SECRET, 'destination:dst_1');
    assert.equal(box.open(sealed, 'destination:dst_1'), SECRET);
    assert.equal(box.open(box.seal('', 'sts:AKIA1'), 'sts:AKIA1'), '');
    assert.equal(box.open(box.seal('é ✓ 𝄞', 'c'), 'c'), 'é ✓ 𝄞');
  });

  test('writes the versioned text format naming its key, with a fresh IV each time', () => {
    const a = box.seal(SECRET, 'destination:dst_1');
    const b = box.seal(SECRET, 'destination:dst_1');
    assert.match(a, /^ygs1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    assert.equal(sealedKeyId(a), box.current.id);
    assert.notEqual(a, b);
    assert.notEqual(a.split('.')[2], b.split('.')[2], 'a new IV for every value');
    assert.ok(!a.includes('XOXSECRETTOKEN'));
  });

  test('tells sealed values from anything else', () => {
    assert.equal(box.isSealed(box.seal(SECRET, 'c')), true);
    assert.equal(isSealed(box.seal(SECRET, 'c')), true);
    for (const value of [SECRET, '{"type":"slack"}', '', 'ygs1.', 'ygs1.abcdefgh.short.x', 'ygs2.abcdefgh.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAA']) {
      assert.equal(box.isSealed(value), false, value);
    }
  });

  test('refuses a value altered in its ciphertext, tag or IV', () => {
    const sealed = box.seal(SECRET, 'destination:dst_1');
    throwsCoded(() => box.open(altered(sealed, 3), 'destination:dst_1'), 'SEALED_VALUE_REJECTED');
    throwsCoded(() => box.open(altered(sealed, 3, sealed.split('.')[3]!.length - 2), 'destination:dst_1'), 'SEALED_VALUE_REJECTED');
    throwsCoded(() => box.open(altered(sealed, 2), 'destination:dst_1'), 'SEALED_VALUE_REJECTED');
    throwsCoded(() => box.open(sealed.slice(0, -4), 'destination:dst_1'), 'SEALED_VALUE_REJECTED');
  });

  test('refuses a value copied to another record (wrong context)', () => {
    const sealed = box.seal(SECRET, 'destination:dst_1');
    throwsCoded(() => box.open(sealed, 'destination:dst_2'), 'SEALED_VALUE_REJECTED');
    throwsCoded(() => box.open(sealed, 'sts:dst_1'), 'SEALED_VALUE_REJECTED');
  });

  test('refuses a value sealed with a key it does not hold, naming that key', () => {
    const other = Keyring.generate();
    const sealed = other.seal(SECRET, 'c');
    throwsCoded(() => box.open(sealed, 'c'), 'UNKNOWN_MASTER_KEY');
    assert.throws(() => box.open(sealed, 'c'), new RegExp(other.current.id));
    // A key id changed by hand names no key either.
    throwsCoded(() => box.open(altered(box.seal(SECRET, 'c'), 1), 'c'), 'UNKNOWN_MASTER_KEY');
  });

  test('refuses plain text where a sealed value belongs', () => {
    throwsCoded(() => box.open(SECRET, 'c'), 'NOT_SEALED');
  });

  test('seals with its first key and opens with every key it holds', () => {
    const old = Keyring.generate();
    const sealedOld = old.seal(SECRET, 'c');
    const both = new Keyring([generateMasterKey(), old.current]);
    assert.equal(both.open(sealedOld, 'c'), SECRET);
    assert.equal(sealedKeyId(both.seal(SECRET, 'c')), both.current.id);
    const resealed = both.reseal(sealedOld, 'c');
    assert.equal(sealedKeyId(resealed), both.current.id);
    assert.equal(new Keyring([both.current]).open(resealed, 'c'), SECRET);
    assert.equal(both.reseal(resealed, 'c'), resealed, 'a value the current key sealed is left as it is');
  });

  test('derives the same key id from the same key bytes', () => {
    const text = generateMasterKey().bytes.toString('base64');
    assert.equal(parseMasterKey(text, 'K').id, parseMasterKey(`${text}\n`, 'K').id);
  });
});

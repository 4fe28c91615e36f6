// Where the master keys come from: YAGURA_MASTER_KEY, or a 0600 key file made at first start.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { keyFileOf, loadKeyring } from './load-keyring.js';
import { SecretError } from './secret-error.js';

const dirs: string[] = [];
function folder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'yagura-keyring-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function refusedWith(run: () => unknown, code: string, message: RegExp, secret?: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof SecretError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    assert.equal(error.message.split('\n').length, 1, 'one line');
    if (secret !== undefined) assert.ok(!error.message.includes(secret), 'the key is not repeated');
    return true;
  });
}

describe('loading the master keys', () => {
  test('generates a key file readable by its owner only at first start, and reads the same keys after', () => {
    const dir = folder();
    const first = loadKeyring(dir, {});
    assert.equal(first.generated, true);
    assert.equal(first.source, 'file');
    if (process.platform !== 'win32') assert.equal(statSync(keyFileOf(dir)).mode & 0o777, 0o600);
    const second = loadKeyring(dir, {});
    assert.equal(second.generated, false);
    assert.equal(second.keyring.current.id, first.keyring.current.id);
    assert.ok(second.keyring.open(first.keyring.seal('s', 'c'), 'c') === 's');
  });

  test('refuses to start when the key file may be read by group or others, as ssh does', { skip: process.platform === 'win32' }, () => {
    const dir = folder();
    loadKeyring(dir, {});
    for (const mode of [0o640, 0o604, 0o660, 0o644]) {
      chmodSync(keyFileOf(dir), mode);
      refusedWith(() => loadKeyring(dir, {}), 'KEY_FILE_EXPOSED', new RegExp(`permissions 0${mode.toString(8)}.*chmod 600`));
    }
    chmodSync(keyFileOf(dir), 0o400);
    assert.equal(loadKeyring(dir, {}).generated, false, 'read-only for the owner is fine');
  });

  test('refuses a key file that holds no key or a damaged one', () => {
    const dir = folder();
    const file = keyFileOf(dir);
    writeFileSync(file, '# nothing\n', { mode: 0o600 });
    refusedWith(() => loadKeyring(dir, {}), 'INVALID_KEY_FILE', /holds no master key/);
    writeFileSync(file, 'not a key\n', { mode: 0o600 });
    refusedWith(() => loadKeyring(dir, {}), 'INVALID_KEY_FILE', /line 1 .* is not a master key/);
    const good = readFileSync(keyFileOf((() => { const d = folder(); loadKeyring(d, {}); return d; })()), 'utf8');
    writeFileSync(file, good.replace(/ygk1 (\S{8}) /, 'ygk1 AAAAAAAA '), { mode: 0o600 });
    refusedWith(() => loadKeyring(dir, {}), 'INVALID_KEY_FILE', /names key AAAAAAAA/);
  });

  test('takes YAGURA_MASTER_KEY when it is set, and writes no key file', () => {
    const dir = folder();
    const text = randomBytes(32).toString('base64');
    const loaded = loadKeyring(dir, { YAGURA_MASTER_KEY: text });
    assert.equal(loaded.source, 'env');
    assert.equal(existsSync(keyFileOf(dir)), false);
    assert.equal(loadKeyring(dir, { YAGURA_MASTER_KEY: `${text}\n` }).keyring.current.id, loaded.keyring.current.id);
    // During a rotation the new key opens too, and the current one still seals.
    const next = randomBytes(32).toString('base64');
    const both = loadKeyring(dir, { YAGURA_MASTER_KEY: text, YAGURA_NEW_MASTER_KEY: next }).keyring;
    assert.equal(both.current.id, loaded.keyring.current.id);
    assert.equal(both.keys.length, 2);
  });

  test('refuses a YAGURA_MASTER_KEY that is not the base64 of 32 bytes, without repeating it', () => {
    const dir = folder();
    for (const bad of [
      randomBytes(31).toString('base64'),
      randomBytes(33).toString('base64'),
      randomBytes(32).toString('hex'),
      randomBytes(32).toString('base64url'),
      randomBytes(32).toString('base64').replace(/=$/, ''),
      'correct horse battery staple',
      `${randomBytes(32).toString('base64')}!`,
    ]) {
      refusedWith(() => loadKeyring(dir, { YAGURA_MASTER_KEY: bad }), 'INVALID_MASTER_KEY', /^YAGURA_MASTER_KEY must be the base64 of 32 random bytes/, bad);
    }
    refusedWith(
      () => loadKeyring(dir, { YAGURA_MASTER_KEY: randomBytes(32).toString('base64'), YAGURA_NEW_MASTER_KEY: 'short' }),
      'INVALID_MASTER_KEY',
      /^YAGURA_NEW_MASTER_KEY must be/,
    );
  });
});

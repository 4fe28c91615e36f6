// SQLite-only behaviour of removal: after `remove` and `scrub`, no byte of a removed finding is left in the store's
// files (database, WAL, shared memory), on a store opened as the server opens it (readers, facets, checkpoints
// on their own thread, text merges in slices).
import assert from 'node:assert/strict';
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Keyring } from '../../auth/secrets/keyring.js';
import { configSchema } from '../../config/schema.js';
import { serverStoreOptions } from '../../main.js';
import { f, T0 } from '../conformance/fixtures.js';
import { removeFindings } from '../remove-findings.js';
import { openSqliteBackend } from './sqlite-backend.js';

const SECRETS = ['gone-4f1c9e', '203.0.113.201', 'marguerite-quarry'];

async function filesHolding(dir: string, text: string): Promise<string[]> {
  const found: string[] = [];
  for (const name of await readdir(dir)) {
    if ((await readFile(path.join(dir, name))).includes(Buffer.from(text, 'utf8'))) found.push(name);
  }
  return found;
}

test('after a removal, a scrub and the next open, no file of the store holds a removed finding\'s id, IP or user name, and the other findings are intact', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'yagura-remove-'));
  let backend = await openSqliteBackend({ file: path.join(dir, 'yagura.db'), secrets: Keyring.generate(), ...serverStoreOptions(configSchema.parse({}).search) });
  try {
    await backend.findings.facetsLoaded;
    const others = Array.from({ length: 400 }, (_, i) => f({ id: `keep-${i}`, ip: `198.51.100.${i % 250}` }));
    await backend.findings.upsert(others.slice(0, 200), T0);
    // Three versions whose text changes: the free-text index keeps deleted entries of the older ones until merged.
    for (let v = 1; v <= 3; v++) {
      await backend.findings.upsert(
        [f({ id: 'gone-4f1c9e', ip: `203.0.113.20${v}`, count: v, updatedAt: `2026-11-0${v}T00:00:00.000Z`, extra: { resource: { resourceType: 'AccessKey', accessKeyDetails: { userName: 'marguerite-quarry', accessKeyId: `AKIA${v}` } } } })],
        T0 + v,
      );
      await backend.findings.upsert(others.slice(200 + v * 50, 250 + v * 50), T0 + v);
    }
    await backend.findings.outbox.seal((await backend.findings.outbox.objects()).map((o) => o.id), T0 + 10);
    await backend.findings.outbox.confirm((await backend.findings.outbox.objects()).map((o) => o.id));
    const before = await Promise.all(others.slice(0, 5).map((o) => backend.findings.get(o.key)));
    const count = await backend.findings.count();

    const counts = await removeFindings(backend, [{ accountId: '111122223333', region: 'us-east-1', id: 'gone-4f1c9e' }]);
    assert.equal(counts.findings, 1);
    assert.equal(counts.versions, 3);
    await backend.findings.scrub();
    assert.equal(await backend.findings.count(), count - 1);
    // The file is rebuilt by the next writer to open it (a server's next start): then no byte is left.
    await backend.close();
    backend = await openSqliteBackend({ file: path.join(dir, 'yagura.db'), secrets: Keyring.generate(), ...serverStoreOptions(configSchema.parse({}).search) });

    for (const secret of SECRETS) assert.deepEqual(await filesHolding(dir, secret), [], `${secret} is in no file`);
    assert.equal(await backend.findings.count(), count - 1);
    assert.deepEqual(await Promise.all(others.slice(0, 5).map((o) => backend.findings.get(o.key))), before);
    const page = await backend.findings.search({ query: { kind: 'text', value: { text: 'marguerite', quoted: false, wildcard: false } }, size: 10, sort: { field: 'updatedAt', order: 'desc' } });
    assert.equal(page.total, 0);
  } finally {
    await backend.close();
    if (process.env['KEEP_DIR']) console.log('DIR', dir); else await rm(dir, { recursive: true, force: true });
  }
});

// Findings cross from the import's parse thread with their JSON as UTF-8 bytes in one transferred buffer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finding } from '../../test/fixtures/findings.js';
import { findingFromWire, findingsToWire } from './finding.js';

test('findings cross threads with their JSON as bytes of one transferred buffer, decoded only when read', () => {
  const sent = [
    finding({ id: 'plain', title: 'Plain ASCII' }),
    finding({ id: 'accents', title: 'Zugriff verweigert: café, naïve, Ærø', extra: { note: 'line\nbreak "quoted" \\ back' } }),
    finding({ id: 'emoji', title: 'Probe 🛰️ from 東京', extra: { lone: '\ud800', zero: '\u0000' } }),
  ];
  const { wires, transfer } = findingsToWire(sent);
  assert.equal(transfer.length, 1, 'one buffer for all of them');
  assert.ok(wires.every((w) => w.jsonBytes.buffer === transfer[0]), 'each finding views the same buffer');
  assert.ok(wires.every((w) => !('json' in w) && !('doc' in w)), 'no copy of the document crosses as text');

  const received = structuredClone(wires, { transfer });
  assert.equal(transfer[0]!.byteLength, 0, 'the buffer was moved to the receiver, not copied');
  for (const [i, wire] of received.entries()) {
    const f = findingFromWire(wire);
    assert.ok(Buffer.isBuffer(f.jsonBytes));
    assert.equal(Buffer.from(f.jsonBytes!).toString('utf8'), sent[i]!.json);
    assert.equal(f.json, sent[i]!.json);
    assert.deepEqual(f.doc, sent[i]!.doc);
    assert.equal(f.hash, sent[i]!.hash);
    assert.deepEqual(f.key, sent[i]!.key);
  }
  assert.deepEqual(findingsToWire([]), { wires: [], transfer: [] });
});

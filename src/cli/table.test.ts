// CLI tables: fitted to a terminal's width, whole when piped, coloured only when wanted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colorWanted, fitWidths, renderTable } from './table.js';

const total = (widths: number[]): number => widths.reduce((a, b) => a + b, 0) + widths.length + 1;

test('a table that fits keeps its natural widths', () => {
  assert.deepEqual(fitWidths([10, 20, 30], 100), [10, 20, 30]);
});

test('the widest column gives way first, then the next widest with it', () => {
  assert.deepEqual(fitWidths([10, 20, 60], 80), [10, 20, 46]);
  const shared = fitWidths([10, 40, 60], 60);
  assert.equal(total(shared), 60);
  assert.deepEqual(shared.slice(0, 1), [10], 'the narrow column is untouched');
  assert.ok(Math.abs(shared[1]! - shared[2]!) <= 1, `the two wide columns end level: ${shared}`);
});

test('no column shrinks below five characters, even when the table cannot fit', () => {
  const widths = fitWidths([30, 30, 30, 30], 10);
  assert.deepEqual(widths, [5, 5, 5, 5]);
});

test('on a terminal the table fits its width and cuts the widest cells with an ellipsis', () => {
  const title = 'An unusually long finding title that tells the whole story of what happened on this instance';
  const text = renderTable(['type', 'title'], [['Recon:EC2/PortProbe', title]], { color: false, width: 60 }, 'truncate');
  const lines = text.split('\n');
  assert.ok(lines.every((l) => l.length <= 60), text);
  assert.match(text, /…/);
  assert.match(text, /Recon:EC2\/PortProbe/, 'the narrow column is whole');
});

test('wrapping keeps every word of a long cell within the width', () => {
  const error = 'the receiver answered 403 Forbidden; check that the webhook secret matches the one configured on the receiver';
  const text = renderTable(['id', 'last error'], [['7', error]], { color: false, width: 50 }, 'wrap');
  assert.ok(text.split('\n').every((l) => l.length <= 50), text);
  const words = text.replace(/[│┌┐└┘├┤┬┴┼─]/g, ' ').split(/\s+/).filter(Boolean);
  for (const word of error.split(' ')) assert.ok(words.includes(word), `"${word}" is shown`);
});

test('without a width (piped) every cell is whole', () => {
  const long = 'x'.repeat(300);
  assert.match(renderTable(['a'], [[long]], { color: false }, 'truncate'), new RegExp(long));
});

test('no escape codes without colour, whatever the environment', () => {
  const text = renderTable(['a', 'b'], [['1', '2']], { color: false }, 'wrap');
  assert.ok(!text.includes('\x1b['), JSON.stringify(text));
});

test('colour follows the terminal, NO_COLOR and FORCE_COLOR', () => {
  assert.equal(colorWanted(true, {}), true);
  assert.equal(colorWanted(false, {}), false);
  assert.equal(colorWanted(true, { NO_COLOR: '1' }), false);
  assert.equal(colorWanted(true, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count');
  assert.equal(colorWanted(false, { FORCE_COLOR: '1' }), true);
  assert.equal(colorWanted(true, { FORCE_COLOR: '0' }), false);
  assert.equal(colorWanted(false, { FORCE_COLOR: '1', NO_COLOR: '1' }), true);
});

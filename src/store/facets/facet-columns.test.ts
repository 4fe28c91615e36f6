// Text columns start one byte wide and widen as their dictionaries grow, without changing any code already held.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FacetColumns, TEXT_FACETS, type FacetRow, type TextFacet } from './facet-columns.js';

function row(rowid: number, text: Partial<Record<TextFacet, string | null>>): FacetRow {
  const all = Object.fromEntries(TEXT_FACETS.map((f) => [f, text[f] ?? null])) as Record<TextFacet, string | null>;
  return { rowid, updatedAt: rowid, band: 1, severity: 2, archived: false, sample: false, text: all };
}

/** The value slot s holds for `facet`, read back through the dictionary the way the aggregations read it. */
function valueAt(c: FacetColumns, facet: TextFacet, s: number): string | null {
  const shifted = c.textCodes[facet][s]!;
  return shifted === 0 ? null : c.dictionaries[facet].values[shifted - 1]!;
}

test('a text column widens from one to two to four bytes and keeps every value and NULL', () => {
  const c = new FacetColumns();
  const n = 70_000;
  for (let s = 0; s < n; s++) {
    c.set(row(s, { region: `r-${s % 17}`, accountId: s % 5 === 0 ? null : `a-${s % 400}`, resourceId: `i-${s}` }), []);
    if (s === 200) assert.ok(c.textCodes.resourceId instanceof Uint8Array, '201 values fit one byte');
    if (s === 300) assert.ok(c.textCodes.resourceId instanceof Uint16Array, '301 values need two bytes');
  }
  assert.ok(c.textCodes.region instanceof Uint8Array);
  assert.ok(c.textCodes.type instanceof Uint8Array, 'an all-NULL column stays one byte wide');
  assert.ok(c.textCodes.accountId instanceof Uint16Array);
  assert.ok(c.textCodes.resourceId instanceof Uint32Array);
  for (const s of [0, 1, 254, 255, 256, 299, 65_534, 65_535, 65_536, n - 1]) {
    assert.equal(valueAt(c, 'region', s), `r-${s % 17}`);
    assert.equal(valueAt(c, 'accountId', s), s % 5 === 0 ? null : `a-${s % 400}`);
    assert.equal(valueAt(c, 'resourceId', s), `i-${s}`);
    assert.equal(valueAt(c, 'type', s), null);
  }
  // Replacing a slot's value and trimming keep the width and the codes.
  c.set(row(3, { region: 'r-new', resourceId: 'i-0' }), []);
  c.trim();
  assert.equal(valueAt(c, 'region', 3), 'r-new');
  assert.equal(valueAt(c, 'resourceId', 3), 'i-0');
  assert.equal(valueAt(c, 'resourceId', n - 1), `i-${n - 1}`);
  assert.ok(c.textCodes.resourceId.length >= n);
});

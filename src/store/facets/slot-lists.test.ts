// Slot lists cut from shared buffers: a list keeps its slots while later ones are cut, even across a growth.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SlotLists } from './slot-lists.js';

describe('slot lists', () => {
  test('cut lists one after another, keep them intact when the buffer grows, and reuse it after a reset', () => {
    const lists = new SlotLists(8);
    const a = lists.take(5);
    a.set([1, 2, 3, 4, 5]);
    const b = lists.take(3);
    b.set([6, 7, 8]);
    // Past the buffer: a new one, twice as large, and the earlier lists keep theirs.
    const c = lists.take(4);
    c.set([9, 10, 11, 12]);
    assert.deepEqual([...a, ...b, ...c], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.notEqual(c.buffer, a.buffer);
    assert.equal(c.buffer.byteLength, 16 * 4);

    lists.reset();
    const d = lists.take(16);
    assert.equal(d.buffer, c.buffer, 'the grown buffer serves the next request');
    assert.notEqual(lists.take(1).buffer, d.buffer, 'a full buffer is not cut twice');
  });

  test('give back the end of the list taken last, and only of that one', () => {
    const lists = new SlotLists(16);
    const a = lists.take(10);
    a.set([1, 2, 3]);
    const short = lists.shorten(a, 3);
    assert.deepEqual([...short], [1, 2, 3]);
    const b = lists.take(13);
    assert.equal(b.buffer, a.buffer, 'the seven slots given back fit the next list');
    b.fill(9);
    assert.deepEqual([...short], [1, 2, 3], 'a shortened list keeps its slots');
    // An earlier list shortened later gives nothing back: the later list still holds the room after it.
    const earlier = lists.shorten(short, 1);
    assert.deepEqual([...earlier], [1]);
    assert.notEqual(lists.take(1).buffer, a.buffer, 'the buffer is full');
  });
});

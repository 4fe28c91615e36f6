// The checkpoint thread checkpoints often under a light load and less often under a saturating one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { framesAdded, pauseAfter } from './checkpoint-pause.js';

test('the pause is the base interval under a light load and stretches to ten times it under a heavy one', () => {
  assert.equal(pauseAfter(0, 100), 100, 'an idle WAL');
  assert.equal(pauseAfter(450, 100), 100, '100 findings/s with searches on a 1M store: ~4,300 frames a second');
  assert.equal(pauseAfter(1_024, 100), 100);
  assert.equal(pauseAfter(2_048, 100), 200);
  assert.equal(pauseAfter(33_000, 100), 1_000, 'a saturating load');
  assert.equal(pauseAfter(10_000_000, 100), 1_000, 'never longer than ten intervals');
});

test('frames added count from the previous length, or from zero when the writer started the WAL over', () => {
  assert.equal(framesAdded(0, 40), 40);
  assert.equal(framesAdded(40, 40), 0, 'nothing written in between');
  assert.equal(framesAdded(30_000, 33_000), 3_000, 'a long WAL that keeps growing counts only its growth');
  assert.equal(framesAdded(33_000, 20), 20, 'started over: all of it is new');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sum } from '../../src/batch/builtins.js';
import { pairCount, pairsOf } from '../../src/stream/fused-kernel-dstream.js';

test('pairCount gives the number of pairs pairsOf makes, also when keys that decode alike merge', () => {
  const plainKeys = { keys: ['a', 'b', 'c'], values: Float64Array.of(1, 2, 3) };
  assert.equal(pairCount(plainKeys, sum), 3);
  assert.deepEqual(pairsOf(plainKeys, sum), [['a', 1], ['b', 2], ['c', 3]]);
  // Two different invalid byte sequences in the kernel are two keys, both 'x\uFFFD' once decoded.
  const replaced = { keys: ['x\uFFFD', 'y', 'x\uFFFD', '\uFFFD'], values: Float64Array.of(1, 2, 3, 4) };
  assert.deepEqual(pairsOf(replaced, sum), [['x\uFFFD', 4], ['y', 2], ['\uFFFD', 4]]);
  assert.equal(pairCount(replaced, sum), 3);
});

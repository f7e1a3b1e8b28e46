import { test } from 'node:test';
import type { Pair } from '../../src/index.js';
import { testOperation } from '../harness/operation.js';

test('groupByKeyAndWindow: every value of each key over the window, oldest batch first (window then groupByKey, as Spark)', async () => {
  await testOperation<Pair<string, number>, Pair<string, number[]>>(
    [[['a', 1]], [['a', 2], ['b', 3]], [['b', 4]], []],
    (s) => s.groupByKeyAndWindow(2000, 1000),
    [[['a', [1]]], [['a', [1, 2]], ['b', [3]]], [['a', [2]], ['b', [3, 4]]], [['b', [4]]]],
  );
});

test('groupByKeyAndWindow with a slide outputs only at slide times', async () => {
  await testOperation<Pair<string, number>, Pair<string, number[]>>(
    [[['a', 1]], [['a', 2]], [['a', 3]], [['a', 4]]],
    (s) => s.groupByKeyAndWindow(2000, 2000),
    [[['a', [1, 2]]], [['a', [3, 4]]]],
    { numBatches: 4 },
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOperation } from '../harness/operation.js';

test('repartition(n): every batch in n partitions, elements dealt round-robin', async () => {
  const partitions: (readonly (readonly number[])[])[] = [];
  const run = await runOperation([[1, 2, 3, 4, 5], []], (s) => s.repartition(2).transform((b) => (partitions.push(b.partitions), b)), { numBatches: 2 });
  assert.deepStrictEqual(run.outputs, [[1, 3, 5, 2, 4], []]);
  assert.deepStrictEqual(partitions, [[[1, 3, 5], [2, 4]], [[], []]]);
});

test('repartition rejects a count that is not a whole number ≥ 1 at the call', async () => {
  for (const bad of [0, 1.5, undefined]) {
    await assert.rejects(runOperation([[1]], (s) => s.repartition(bad as number), { numBatches: 1 }), /repartition\(numPartitions\): numPartitions must be a whole number ≥ 1/);
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InMemoryCheckpointStore, ManualClock, StreamingContext, count, subtract, sum } from '../../src/index.js';
import { testOperation } from '../harness/operation.js';

const input = [[1, 2], [3], [], [4], [], [], [5]];

test('reduceByWindow: one element per non-empty window, none for an empty one', async () => {
  await testOperation(input, (s) => s.reduceByWindow((x, y) => x + y, 2000, 1000), [[3], [6], [3], [4], [4], [], [5]]);
});

test('reduceByWindow with slide 2 s over window 3 s', async () => {
  // windows (0,2] (1,4] (3,6]
  await testOperation(input, (s) => s.reduceByWindow((x, y) => Math.max(x, y), 3000, 2000), [[3], [4], [4]], { numBatches: 6 });
});

test('reduceByWindow(count) counts elements, combining per-batch counts by adding', async () => {
  await testOperation(input, (s) => s.reduceByWindow(count, 2000), [[2], [3], [1], [1], [1], [], [1]]);
});

for (const kernels of [undefined, null] as const) {
  test(`reduceByWindow(sum, subtract): once seen, an emptied window gives 0 as in Spark (kernels ${kernels === null ? 'off' : 'on'})`, async () => {
    await testOperation([[], [1, 2], [3], [], [], [4]], (s) => s.reduceByWindow(sum, subtract, 2000), [[], [3], [6], [3], [0], [4]], {
      kernels, checkpoint: new InMemoryCheckpointStore(),
    });
  });
}

test('reduceByWindow with a user inverse', async () => {
  await testOperation(input, (s) => s.reduceByWindow((x, y) => x * y, (x, y) => x / y, 2000), [[2], [6], [3], [4], [4], [1], [5]], {
    checkpoint: new InMemoryCheckpointStore(),
  });
});

test('reduceByWindow with an inverse needs a checkpoint store', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  ssc.queueStream<number>([]).reduceByWindow(sum, subtract, 2000).print();
  assert.throws(() => ssc.start(), { code: 'ERR_SLUICE_CHECKPOINT_REQUIRED' });
});

test('reduceByWindow checks its window at definition', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  assert.throws(() => ssc.queueStream<number>([]).reduceByWindow(sum, 2000, 700), /reduceByWindow: the slide must be a positive multiple/);
});

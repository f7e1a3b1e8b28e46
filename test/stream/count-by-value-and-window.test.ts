import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InMemoryCheckpointStore, ManualClock, StreamingContext, splitWhitespace } from '../../src/index.js';
import { testOperation } from '../harness/operation.js';

for (const kernels of [undefined, null] as const) {
  const opts = { kernels, orderMatters: false, checkpoint: new InMemoryCheckpointStore() };

  test(`countByValueAndWindow drops values whose count falls to 0 (kernels ${kernels === null ? 'off' : 'on'})`, async () => {
    await testOperation(
      [['a', 'b', 'a'], ['b'], [], ['c'], []],
      (s) => s.countByValueAndWindow(2000, 1000),
      [[['a', 2], ['b', 1]], [['a', 2], ['b', 2]], [['b', 1]], [['c', 1]], [['c', 1]]],
      opts,
    );
  });

  test(`countByValueAndWindow of words from byte-backed lines, slide 2 s (kernels ${kernels === null ? 'off' : 'on'})`, async () => {
    await testOperation(
      [['x y x'], ['y'], ['z'], [], ['x'], []],
      (s) => s.flatMap(splitWhitespace).countByValueAndWindow(3000, 2000),
      [[['x', 2], ['y', 2]], [['y', 1], ['z', 1]], [['x', 1]]],
      { ...opts, asRecords: true, numBatches: 6 },
    );
  });
}

test('countByValueAndWindow of numbers (non-string values leave the kernel table)', async () => {
  await testOperation([[1, 1, 2], [2], []], (s) => s.countByValueAndWindow(2000), [[[1, 2], [2, 1]], [[1, 2], [2, 2]], [[2, 1]]], {
    orderMatters: false, checkpoint: new InMemoryCheckpointStore(),
  });
});

test('countByValueAndWindow needs a checkpoint store', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  ssc.queueStream<string>([]).countByValueAndWindow(2000).print();
  assert.throws(() => ssc.start(), { code: 'ERR_SLUICE_CHECKPOINT_REQUIRED' });
});

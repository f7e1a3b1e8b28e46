import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InMemoryCheckpointStore, ManualClock, StreamingContext } from '../../src/index.js';
import { testOperation } from '../harness/operation.js';

for (const kernels of [undefined, null] as const) {
  const opts = { kernels, checkpoint: new InMemoryCheckpointStore() };

  test(`countByWindow: window 2 s, slide 1 s, nothing before the first element, then 0 when emptied (kernels ${kernels === null ? 'off' : 'on'})`, async () => {
    await testOperation([[], ['a', 'b'], ['c'], [], [], ['d', 'e', 'f']], (s) => s.countByWindow(2000, 1000), [[], [2], [3], [1], [0], [3]], opts);
  });

  test(`countByWindow: window 3 s, slide 2 s (kernels ${kernels === null ? 'off' : 'on'})`, async () => {
    // windows (0,2] (1,4] (3,6]
    await testOperation([['a'], ['b', 'c'], ['d'], [], ['e'], []], (s) => s.countByWindow(3000, 2000), [[3], [3], [1]], { ...opts, numBatches: 6 });
  });
}

test('countByWindow needs a checkpoint store (incremental, as in Spark)', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  ssc.queueStream<string>([]).countByWindow(2000).print();
  assert.throws(() => ssc.start(), { code: 'ERR_SLUICE_CHECKPOINT_REQUIRED' });
});

test('countByWindow checks its window at definition', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  assert.throws(() => ssc.queueStream<string>([]).countByWindow(2500), /countByWindow: the window length must be a positive multiple of the batch interval/);
});

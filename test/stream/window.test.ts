import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError, ManualClock, StreamingContext } from '../../src/index.js';
import { runOperation, testOperation } from '../harness/operation.js';

const input = [[1], [2], [3], [4], [5], [6]];

test('window: length 2 batches, slide 1 batch', async () => {
  await testOperation(input, (s) => s.window(2000, 1000), [[1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6]]);
});

test('window: slide defaults to the parent slide', async () => {
  await testOperation(input, (s) => s.window(3000), [[1], [1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 6]]);
});

test('window: length 3, slide 2 — batches only at multiples of the slide', async () => {
  const times: number[] = [];
  await testOperation(
    input,
    (s) => s.window(3000, 2000).transform((b, t) => (times.push(t), b)),
    [[1, 2], [2, 3, 4], [4, 5, 6]],
    { numBatches: 6 },
  );
  assert.deepEqual(times, [2000, 4000, 6000]);
});

test('window: slide longer than the length skips batches between windows', async () => {
  await testOperation(input, (s) => s.window(1000, 3000), [[3], [6]], { numBatches: 6 });
});

test('window: tumbling windows and empty batches', async () => {
  await testOperation([[1], [], [2, 3], [], [], []], (s) => s.window(2000, 2000), [[1], [2, 3], []], { numBatches: 6 });
});

test('window of a window: slides and lengths in multiples of the parent slide', async () => {
  await testOperation(input, (s) => s.window(2000, 2000).window(4000, 4000), [[1, 2, 3, 4]], { numBatches: 6 });
});

test('window keeps byte-backed input batches until the window needs them', async () => {
  await testOperation([['a b'], ['c'], ['d e']], (s) => s.window(3000, 3000), [['a b', 'c', 'd e']], { asRecords: true, numBatches: 3 });
});

test('window: length or slide not a multiple of the batch interval fails at definition', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const s = ssc.queueStream<number>([]);
  assert.throws(() => s.window(1500, 1000), (e: unknown) => e instanceof InvalidArgumentError && /window length must be a positive multiple of the batch interval \(1000 ms\), got 1500 ms/.test(e.message));
  assert.throws(() => s.window(2000, 500), (e: unknown) => e instanceof InvalidArgumentError && /slide/.test(e.message));
  assert.throws(() => s.window(0), InvalidArgumentError);
  assert.throws(() => s.window(4000, 2000).window(4000, 1000), (e: unknown) => e instanceof InvalidArgumentError && /parent stream's slide \(2000 ms\)/.test(e.message));
});

test('window needs no checkpoint store', async () => {
  const run = await runOperation(input, (s) => s.window(2000, 1000).count(), { numBatches: 3 });
  assert.deepEqual(run.outputs, [[1], [2], [2]]);
});

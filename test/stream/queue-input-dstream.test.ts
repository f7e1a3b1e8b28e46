import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobError, ManualClock, StreamingContext, type QueueStreamOptions } from '../../src/index.js';

async function run<T>(queue: T[][], options: QueueStreamOptions<T>, batches: number, pushAfterFirst?: T[]): Promise<T[][][]> {
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 100, clock });
  const seen: T[][][] = [];
  ssc.queueStream(queue, options).foreachRDD((batch) => {
    seen.push(batch.partitions.map((p) => [...p]));
  });
  ssc.start();
  await clock.advance(100);
  if (pushAfterFirst !== undefined) queue.push(pushAfterFirst);
  await clock.advance((batches - 1) * 100);
  await ssc.stop();
  return seen;
}

test('oneAtATime (the default) takes one array per batch, then empty batches', async () => {
  assert.deepStrictEqual(await run([[1], [2, 3]], {}, 3), [[[1]], [[2, 3]], [[]]]);
});

test('without oneAtATime a batch takes every queued array (one partition each)', async () => {
  assert.deepStrictEqual(await run([[1], [2, 3]], { oneAtATime: false }, 3, [4]), [[[1], [2, 3]], [[4]], [[]]]);
});

test('an item of the queue that is not an array fails its batch saying what to push, not "part is not iterable"', async () => {
  for (const oneAtATime of [true, false]) {
    const clock = new ManualClock();
    const ssc = new StreamingContext({ batchIntervalMs: 100, clock, logger: null });
    ssc.queueStream([1, 2] as unknown as number[][], { oneAtATime }).foreachRDD(() => undefined);
    ssc.start();
    await clock.advance(100);
    await assert.rejects(ssc.awaitTermination(), (e: unknown) => e instanceof JobError && /each item pushed to the queue must be an array .*got the number 1/.test(e.message));
  }
});

test('defaultBatch fills batches while the queue is empty; arrays pushed later are taken', async () => {
  assert.deepStrictEqual(await run([[1]], { defaultBatch: [0] }, 3, [7]), [[[1]], [[7]], [[0]]]);
});

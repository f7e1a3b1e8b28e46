// ssc.runBatch(): batches triggered by the caller (a request), for runtimes
// whose timers stop between requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  IllegalStateError, InMemoryCheckpointStore, InvalidArgumentError, JobError, ManualClock, Receiver, StreamingContext, SystemClock, pairWithOne, runningSum,
  splitWhitespace,
} from '../../src/index.js';

class PushReceiver extends Receiver {
  onStart(): void {}
  onStop(): void {}
}

function counting(clock = new ManualClock()): { ssc: StreamingContext; receiver: PushReceiver; batches: [number, string[]][] } {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock });
  const receiver = new PushReceiver();
  const batches: [number, string[]][] = [];
  ssc.receiverStream(receiver).foreachRDD((batch, time) => void batches.push([time, batch.collect()]));
  return { ssc, receiver, batches };
}

test('runBatch runs the next batch now, without the clock moving, and resolves with its BatchInfo', async () => {
  const clock = new ManualClock();
  const { ssc, receiver, batches } = counting(clock);
  await assert.rejects(ssc.runBatch(), IllegalStateError, 'not before start()');
  ssc.start();
  receiver.store(['a', 'b']);
  const first = await ssc.runBatch();
  assert.equal(clock.now(), 0, 'the clock did not move');
  assert.deepEqual([first.batchTime, first.numRecords, first.processingEndTime !== undefined], [1000, 2, true]);
  receiver.store('c');
  assert.equal((await ssc.runBatch()).batchTime, 2000);
  assert.deepEqual(batches, [[1000, ['a', 'b']], [2000, ['c']]]);
  await ssc.stop();
  await assert.rejects(ssc.runBatch(), IllegalStateError, 'not after stop()');
});

test('the timer and runBatch never run the same batch time twice', async () => {
  const clock = new ManualClock();
  const { ssc, batches } = counting(clock);
  ssc.start();
  await ssc.runBatch(); // 1000, ahead of the clock
  await clock.advance(1000); // t=1000: already run, nothing is due
  await clock.advance(1000); // t=2000: the timer's batch
  assert.equal((await ssc.runBatch()).batchTime, 3000);
  await clock.advance(1000); // t=3000: already run
  await ssc.stop();
  assert.deepEqual(batches.map(([time]) => time), [1000, 2000, 3000]);
});

test('runBatch(time) may skip ahead on the batch grid; other times are refused', async () => {
  const { ssc, batches } = counting();
  ssc.start();
  assert.equal((await ssc.runBatch(5000)).batchTime, 5000);
  assert.equal((await ssc.runBatch()).batchTime, 6000);
  await assert.rejects(ssc.runBatch(6000), InvalidArgumentError, 'already run');
  await assert.rejects(ssc.runBatch(7500), InvalidArgumentError, 'off the grid');
  await ssc.stop();
  assert.deepEqual(batches.map(([time]) => time), [5000, 6000]);
});

test('a failing batch rejects runBatch with its JobError and stops the context', async () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  ssc.queueStream([['x']]).foreachRDD(() => {
    throw new Error('sink down');
  });
  ssc.start();
  await assert.rejects(ssc.runBatch(), (error: unknown) => error instanceof JobError && /sink down/.test(error.message));
  await ssc.awaitTermination().catch(() => undefined);
  assert.equal(ssc.state, 'stopped');
});

test('with the system clock, runBatch does not wait for the timer', async () => {
  const context = new StreamingContext({ batchIntervalMs: 3_600_000, clock: new SystemClock() });
  const late: string[][] = [];
  const lateReceiver = new PushReceiver();
  context.receiverStream(lateReceiver).foreachRDD((batch) => void late.push(batch.collect()));
  context.start();
  lateReceiver.store('now');
  const info = await context.runBatch(); // an hour before the timer would run it
  assert.equal(info.batchTime, (context.zeroTime as number) + 3_600_000);
  assert.deepEqual(late, [['now']]);
  await context.stop();
  assert.equal(lateReceiver.isStopped(), true);
});

test('request by request: each context recovers from the checkpoint, runs one batch, and stops (the edge pattern)', async () => {
  const store = new InMemoryCheckpointStore();
  const totals: Record<string, number>[] = [];
  for (const text of ['a b a', 'b c', '']) {
    const receiver = new PushReceiver();
    const seen: Record<string, number> = {};
    const ssc = await StreamingContext.getOrCreate(store, () => {
      const context = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
      context.receiverStream(receiver).flatMap(splitWhitespace).map(pairWithOne).updateStateByKey(runningSum).name('counts')
        .foreachRDD((batch) => void Object.assign(seen, Object.fromEntries(batch.collect())));
      return context;
    });
    ssc.start();
    receiver.store(text);
    const info = await ssc.runBatch();
    await ssc.stop();
    assert.equal(info.batchTime, 1000 * (totals.length + 1), 'batch times continue from the checkpoint');
    totals.push(seen);
  }
  assert.deepEqual(totals, [{ a: 2, b: 1 }, { a: 2, b: 2, c: 1 }, { a: 2, b: 2, c: 1 }]);
  // The first context's start record (getOrCreate on an empty store), then one checkpoint per request, written at its stop.
  assert.equal(store.writes, 4);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Batch, DStream } from '../../src/index.js';
import { runOperation } from '../harness/operation.js';

/**
 * A minimal window written the way DStream's doc comment says, to prove the
 * base class plumbing a window relies on: its own slide, parents kept for
 * the window length, batches dropped once no window needs them.
 */
class TestWindowDStream<T> extends DStream<T> {
  readonly dependencies: readonly DStream<unknown>[];
  static instances: TestWindowDStream<unknown>[] = [];

  constructor(
    readonly parent: DStream<T>,
    readonly lengthMs: number,
    readonly slideMs: number,
  ) {
    super(parent.context);
    this.dependencies = [parent];
    TestWindowDStream.instances.push(this as TestWindowDStream<unknown>);
  }

  override get slideDurationMs(): number {
    return this.slideMs;
  }

  override parentRememberDurationMs(): number {
    return (this.rememberDurationMs ?? this.slideMs) + this.lengthMs;
  }

  compute(time: number): Batch<T> | undefined {
    const batches: Batch<T>[] = [];
    for (let t = time - this.lengthMs + this.parent.slideDurationMs; t <= time; t += this.parent.slideDurationMs) {
      const batch = this.parent.getOrCompute(t);
      if (batch !== undefined) batches.push(batch);
    }
    return Batch.empty<T>().union(...batches);
  }
}

test('a window-style operator: own slide, parents remembered for the window, old batches dropped', async () => {
  TestWindowDStream.instances = [];
  let mapped: DStream<number> | undefined;
  const run = await runOperation(
    [[1], [2], [3], [4], [5], [6], [7], [8]],
    (s) => {
      mapped = s.map((x) => x * 10);
      return new TestWindowDStream(mapped, 3000, 2000);
    },
    { numBatches: 8 },
  );
  // Windows at 2000, 4000, 6000, 8000 over (t − 3000, t]; the odd batch times produce no output job.
  assert.deepStrictEqual(run.outputs, [[10, 20], [20, 30, 40], [40, 50, 60], [60, 70, 80]]);
  assert.equal(run.batchInfos.length, 8, 'every batch interval still makes a batch');
  assert.ok(mapped !== undefined);
  assert.equal(mapped.rememberDurationMs, 5000, 'window length + the window stream remember (its slide)');
  assert.deepStrictEqual(mapped.cachedTimes(), [4000, 5000, 6000, 7000, 8000], 'older parent batches were dropped');
  assert.deepStrictEqual(TestWindowDStream.instances[0]?.cachedTimes(), [8000]);
});

test('isTimeValid follows the slide from zero time', async () => {
  const windows: TestWindowDStream<number>[] = [];
  await runOperation([[1]], (s) => {
    const w = new TestWindowDStream(s, 2000, 2000);
    windows.push(w);
    return w;
  }, { numBatches: 2 });
  const w = windows[0];
  assert.ok(w !== undefined);
  assert.equal(w.isTimeValid(0), false);
  assert.equal(w.isTimeValid(1000), false);
  assert.equal(w.isTimeValid(2000), true);
  assert.equal(w.isTimeValid(4000), true);
});

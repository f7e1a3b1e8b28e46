import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Batch, InvalidArgumentError, ManualClock, StreamingContext } from '../../src/index.js';
import { testOperation } from '../harness/operation.js';

test('transformWith: fn sees both batches of the same time (a per-batch join of two derived streams)', async () => {
  await testOperation(
    [['a', 'b'], ['c'], []],
    (s) => s.map((w) => [w, w.toUpperCase()]).transformWith(s.map((w) => [w, w.length]), (upper, lengths, time) => upper.join(lengths).map(([w, [u, n]]) => `${time}:${w}:${u}:${n}`)),
    [['1000:a:A:1', '1000:b:B:1'], ['2000:c:C:1'], []],
  );
});

test('transformWith: a function returning no Batch fails its batch; bad arguments fail at the call', async () => {
  await assert.rejects(
    testOperation([[1]], (s) => s.transformWith(s, () => [1] as unknown as Batch<number>), [[1]]),
    (e: unknown) => e instanceof Error && e.cause instanceof InvalidArgumentError && /transformWith\(other, fn\): fn must return a Batch .*got an array/.test(e.cause.message),
  );
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const other = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const a = ssc.queueStream<number>([]);
  assert.throws(() => a.transformWith(other.queueStream<number>([]), (x) => x), /different StreamingContexts/);
  assert.throws(() => a.transformWith(a.window(2000, 2000), (x) => x), /different slides \(1000 ms and 2000 ms\)/);
  assert.throws(() => a.transformWith(a, undefined as unknown as (x: Batch<number>) => Batch<number>), /transformWith\(other, fn\) needs a function/);
});

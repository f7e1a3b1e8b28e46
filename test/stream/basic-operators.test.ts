import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Batch, InvalidArgumentError, ManualClock, type Pair, StreamingContext } from '../../src/index.js';
import { testOperation } from '../harness/operation.js';

test('map', async () => {
  await testOperation([[1, 2], [3], [], [4, 5, 6]], (s) => s.map((x) => x * 10), [[10, 20], [30], [], [40, 50, 60]]);
});

test('flatMap', async () => {
  await testOperation([['a b', 'c'], [''], ['d']], (s) => s.flatMap((x) => x.split(' ').filter((w) => w !== '')), [['a', 'b', 'c'], [], ['d']]);
});

test('filter', async () => {
  await testOperation([[1, 2, 3, 4], [5], []], (s) => s.filter((x) => x % 2 === 1), [[1, 3], [5], []]);
});

test('mapPartitions sees whole partitions', async () => {
  await testOperation([[1, 2, 3], [], [7]], (s) => s.mapPartitions((part, i) => [`${i}:${part.length}`]), [['0:3'], ['0:0'], ['0:1']]);
});

test('union of two streams derived from one input', async () => {
  await testOperation(
    [[1, 2], [3]],
    (s) => s.map((x) => x + 100).union(s.filter((x) => x > 1)),
    [[101, 102, 2], [103, 3]],
  );
});

test('transform passes the batch and its time', async () => {
  await testOperation(
    [['a'], ['b', 'c'], []],
    (s) => s.transform((batch, time) => Batch.of([`${time}:${batch.count()}`])),
    [['1000:1'], ['2000:2'], ['3000:0']],
  );
});

test('transform whose function returns no Batch fails its batch naming the mistake', async () => {
  for (const [returned, named] of [[[1], /got an array \(wrap it: Batch\.of\(array\)\)/], [undefined, /got undefined/]] as const) {
    await assert.rejects(
      testOperation([[1]], (s) => s.transform(() => returned as unknown as Batch<number>), [[1]]),
      (e: unknown) => e instanceof Error && e.cause instanceof InvalidArgumentError && named.test(e.cause.message),
    );
  }
});

test('count emits one element per batch, 0 for empty batches', async () => {
  await testOperation([['a', 'b'], [], ['c']], (s) => s.count(), [[2], [0], [1]]);
});

test('countByValue', async () => {
  await testOperation(
    [['a', 'b', 'a'], [], ['c']],
    (s) => s.countByValue(),
    [[['a', 2], ['b', 1]], [], [['c', 1]]],
    { orderMatters: false },
  );
});

test('reduce gives one element per non-empty batch', async () => {
  await testOperation([[1, 2, 3], [], [10]], (s) => s.reduce((a, b) => a + b), [[6], [], [10]]);
});

test('reduceByKey with a user function', async () => {
  await testOperation(
    [[['a', 1], ['b', 2], ['a', 3]], [['b', 5]], []] as Pair<string, number>[][],
    (s) => s.reduceByKey((a: number, b: number) => a * 10 + b),
    [[['a', 13], ['b', 2]], [['b', 5]], []],
    { orderMatters: false },
  );
});

test('groupByKey keeps values in arrival order', async () => {
  await testOperation(
    [[['a', 1], ['b', 2], ['a', 3]], []] as Pair<string, number>[][],
    (s) => s.groupByKey(),
    [[['a', [1, 3]], ['b', [2]]], []],
    { orderMatters: false },
  );
});

test('union refuses streams of different contexts', () => {
  const a = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const b = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  assert.throws(() => a.queueStream<number>([]).union(b.queueStream<number>([])), InvalidArgumentError);
  const stream = a.queueStream<number>([]);
  assert.throws(() => stream.union(undefined as unknown as typeof stream), (e: unknown) => e instanceof InvalidArgumentError && /union takes DStreams of one StreamingContext; got undefined/.test(e.message));
});

test('closures see decoded strings of byte-backed batches', async () => {
  await testOperation(
    [['长江 a', ''], ['b']],
    (s) => s.map((line) => `${line}|${line.length}`),
    [['长江 a|4', '|0'], ['b|1']],
    { asRecords: true },
  );
});

test('a stream no output reaches is never computed', async () => {
  let computed = 0;
  await testOperation(
    [[1], [2]],
    (s) => {
      s.map((x) => {
        computed++;
        return x;
      });
      return s;
    },
    [[1], [2]],
  );
  assert.equal(computed, 0);
});

test('tuple keys compare by contents, as Scala tuples do: reduceByKey, groupByKey, countByValue, join', async () => {
  type Key = readonly [string, number];
  const input: Pair<Key, number>[][] = [[[['bj', 1], 10], [['sh', 1], 5], [['bj', 1], 20], [['bj', 2], 1]]];
  await testOperation(input, (s) => s.reduceByKey((a, b) => a + b), [[[['bj', 1], 30], [['sh', 1], 5], [['bj', 2], 1]]]);
  await testOperation(input, (s) => s.groupByKey(), [[[['bj', 1], [10, 20]], [['sh', 1], [5]], [['bj', 2], [1]]]]);
  await testOperation(input, (s) => s.map(([k]) => k).countByValue(), [[[['bj', 1], 2], [['sh', 1], 1], [['bj', 2], 1]]]);
  await testOperation(
    input,
    (s) => s.join(s.filter(([, v]) => v < 10).map(([[p, n]]): Pair<Key, string> => [[p, n], p])),
    [[[['sh', 1], [5, 'sh']], [['bj', 2], [1, 'bj']]]],
  );
});

test('operators check their function at the call: map(undefined), filter(1), reduceByKey("sum") throw InvalidArgumentError saying what to pass', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const words = ssc.queueStream<string>([]);
  const pairs = words.map((w) => [w, 1]);
  assert.throws(() => words.map(undefined as unknown as (w: string) => string), (e: unknown) => e instanceof InvalidArgumentError && /^map\(fn\) needs a function, e\.g\. map\(\(x\) => x \* 2\) or map\(\(w\) => \[w, 1\]\); got undefined$/.test(e.message));
  assert.throws(() => words.filter(1 as unknown as (w: string) => boolean), /filter\(predicate\) needs a function.*got the number 1/);
  assert.throws(() => words.flatMap(null as unknown as (w: string) => string[]), /flatMap\(fn\) needs a function.*got null/);
  assert.throws(() => pairs.reduceByKey('sum' as unknown as (a: number, b: number) => number), /reduceByKey\(reduce\) needs a function, e\.g\. reduceByKey\(\(a, b\) => a \+ b\) or reduceByKey\(sum\); got the string "sum"/);
  assert.throws(() => words.foreachRDD(undefined as unknown as () => void), /foreachRDD\(fn\) needs a function/);
});

test('reduceByKey on a stream that is not pairs fails its batch with the fix, not ".for is not iterable"', async () => {
  await assert.rejects(
    testOperation([['a', 'b']], (s) => (s as unknown as import('../../src/index.js').DStream<Pair<string, number>>).reduceByKey((a, b) => a + b), [[]], { kernels: null }),
    (e: unknown) => e instanceof Error && e.cause instanceof InvalidArgumentError && e.cause.message.startsWith('reduceByKey works on [key, value] pairs, but got the string "a"; make pairs first'),
  );
});

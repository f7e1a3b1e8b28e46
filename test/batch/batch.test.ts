import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Batch, count, IllegalStateError, InvalidArgumentError, max, type Pair, recordBatchFromLines, sum } from '../../src/internals.js';

test('transformations: map, filter, flatMap, mapPartitions, union keep partitions', () => {
  const b = Batch.fromPartitions([[1, 2], [3]]);
  assert.deepStrictEqual(b.map((x) => x * 2).partitions, [[2, 4], [6]]);
  assert.deepStrictEqual(b.filter((x) => x !== 2).partitions, [[1], [3]]);
  assert.deepStrictEqual(b.flatMap((x) => Array(x).fill(x)).partitions, [[1, 2, 2], [3, 3, 3]]);
  assert.deepStrictEqual(b.mapPartitions((p, i) => [i * 100 + p.length]).partitions, [[2], [101]]);
  assert.deepStrictEqual(b.union(Batch.of([9]), Batch.empty<number>()).partitions, [[1, 2], [3], [9], []]);
  assert.equal(b.numPartitions, 2);
  assert.equal(Batch.fromPartitions<number>([]).numPartitions, 1);
});

test('pair operations: reduceByKey (user and built-in reducers), groupByKey', () => {
  const pairs = Batch.fromPartitions<Pair<string, number>>([[['a', 1], ['b', 4]], [['a', 5], ['a', 2]]]);
  assert.deepStrictEqual(pairs.reduceByKey((x: number, y: number) => x - y).collect(), [['a', -6], ['b', 4]]);
  assert.deepStrictEqual(pairs.reduceByKey(sum).collect(), [['a', 8], ['b', 4]]);
  assert.deepStrictEqual(pairs.reduceByKey(count).collect(), [['a', 3], ['b', 1]]);
  assert.deepStrictEqual(pairs.reduceByKey(max).collect(), [['a', 5], ['b', 4]]);
  assert.deepStrictEqual(pairs.groupByKey().collect(), [['a', [1, 5, 2]], ['b', [4]]]);
  const undefinedValues = Batch.of<Pair<string, number | undefined>>([['k', undefined], ['k', 1]]);
  assert.deepStrictEqual(undefinedValues.reduceByKey((x, y) => (x ?? 0) + (y ?? 0)).collect(), [['k', 1]]);
});

test('actions: count, isEmpty, countByValue, reduce, take, first, collect, toArray, foreach', () => {
  const b = Batch.fromPartitions([['x', 'y'], ['x']]);
  assert.equal(b.count(), 3);
  assert.equal(b.isEmpty(), false);
  assert.equal(Batch.empty().isEmpty(), true);
  assert.deepStrictEqual([...b.countByValue()], [['x', 2], ['y', 1]]);
  assert.equal(b.reduce((p, q) => p + q), 'xyx');
  assert.equal(Batch.of([2, 3]).reduce(count), 2);
  assert.throws(() => Batch.empty<number>().reduce(sum), IllegalStateError);
  assert.deepStrictEqual(b.take(2), ['x', 'y']);
  assert.deepStrictEqual(b.take(10), ['x', 'y', 'x']);
  assert.throws(() => b.take(-1), InvalidArgumentError);
  assert.equal(b.first(), 'x');
  assert.throws(() => Batch.empty().first(), IllegalStateError);
  assert.deepStrictEqual(b.collect(), ['x', 'y', 'x']);
  assert.deepStrictEqual(b.toArray(), ['x', 'y', 'x']);
  const seen: string[] = [];
  b.foreach((v) => seen.push(v));
  assert.deepStrictEqual(seen, ['x', 'y', 'x']);
});

test('foreachPartition visits partitions in order and awaits each', async () => {
  const seen: string[] = [];
  await Batch.fromPartitions([[1], [2, 3]]).foreachPartition(async (p, i) => {
    await Promise.resolve();
    seen.push(`${i}:${p.join('+')}`);
  });
  assert.deepStrictEqual(seen, ['0:1', '1:2+3']);
});

test('a byte-backed batch counts without decoding, decodes in bulk, and hands its own bytes to kernels', () => {
  const records = recordBatchFromLines(['长江 a', '', 'b']);
  const b = Batch.fromRecords(records);
  assert.equal(b.count(), 3);
  assert.equal(b.asRecordBatch(), records);
  assert.deepStrictEqual(b.collect(), ['长江 a', '', 'b']);
  assert.equal(b.count(), 3);
  assert.deepStrictEqual(b.map((s) => s.length).collect(), [4, 0, 1]);
});

test('asRecordBatch encodes string batches, refuses non-strings and strings holding a newline', () => {
  const encoded = Batch.fromPartitions([['a b'], ['c']]).asRecordBatch();
  assert.ok(encoded !== undefined);
  assert.equal(encoded.count, 2);
  assert.equal(new TextDecoder().decode(encoded.data), 'a b\nc\n');
  assert.equal(Batch.of(['a\nb']).asRecordBatch(), undefined);
  assert.equal(Batch.of([1]).asRecordBatch(), undefined);
});

test('asRecordBatch encodes a string batch once and keeps its partitions as they were', () => {
  const batch = Batch.fromPartitions([['a b'], ['c']]);
  const first = batch.asRecordBatch();
  assert.ok(first !== undefined);
  assert.equal(batch.asRecordBatch(), first);
  assert.equal(batch.numPartitions, 2);
  assert.deepStrictEqual(batch.partitions, [['a b'], ['c']]);
});

test('keys, values, mapValues, flatMapValues keep keys and order (Spark pair RDD functions)', () => {
  const pairs = Batch.fromPartitions<Pair<string, string>>([[['a', 'x,y'], ['b', '']], [['a', 'z']]]);
  assert.deepStrictEqual(pairs.keys().collect(), ['a', 'b', 'a']);
  assert.deepStrictEqual(pairs.values().collect(), ['x,y', '', 'z']);
  assert.deepStrictEqual(pairs.mapValues((v) => v.length).partitions, [[['a', 3], ['b', 0]], [['a', 1]]]);
  assert.deepStrictEqual(
    pairs.flatMapValues((v) => v.split(',').filter((s) => s !== '')).collect(),
    [['a', 'x'], ['a', 'y'], ['a', 'z']],
  );
});

test('distinct keeps first occurrences and compares tuples by content', () => {
  assert.deepStrictEqual(Batch.fromPartitions([[3, 1, 3], [1, 2]]).distinct().collect(), [3, 1, 2]);
  assert.deepStrictEqual(Batch.of<Pair<string, number>>([['a', 1], ['a', 1], ['a', 2]]).distinct().collect(), [['a', 1], ['a', 2]]);
});

test('sortBy and sortByKey: natural order, descending, stable, custom comparator', () => {
  const words = Batch.fromPartitions([['pear', 'fig'], ['apple', 'kiwi']]);
  assert.deepStrictEqual(words.sortBy((w) => w.length).collect(), ['fig', 'pear', 'kiwi', 'apple']);
  assert.deepStrictEqual(words.sortBy((w) => w, false).collect(), ['pear', 'kiwi', 'fig', 'apple']);
  const pairs = Batch.of<Pair<number, string>>([[10, 'b'], [2, 'a'], [10, 'a']]);
  // Numbers sort numerically (not as strings: 10 after 2), equal keys keep their order.
  assert.deepStrictEqual(pairs.sortByKey().collect(), [[2, 'a'], [10, 'b'], [10, 'a']]);
  assert.deepStrictEqual(pairs.sortByKey(false).collect(), [[10, 'b'], [10, 'a'], [2, 'a']]);
  assert.deepStrictEqual(pairs.sortByKey(true, (a, b) => (a % 3) - (b % 3)).collect(), [[10, 'b'], [10, 'a'], [2, 'a']]);
  assert.equal(pairs.sortByKey().numPartitions, 1);
});

test('top and takeOrdered: largest first / smallest first, n larger than the batch, comparators', () => {
  const b = Batch.fromPartitions([[5, 1, 9], [3, 7]]);
  assert.deepStrictEqual(b.top(2), [9, 7]);
  assert.deepStrictEqual(b.takeOrdered(2), [1, 3]);
  assert.deepStrictEqual(b.top(10), [9, 7, 5, 3, 1]);
  assert.deepStrictEqual(b.takeOrdered(0), []);
  const counts = Batch.of<Pair<string, number>>([['a', 2], ['b', 5], ['c', 1]]);
  assert.deepStrictEqual(counts.top(1, (x, y) => x[1] - y[1]), [['b', 5]]);
  // Tuples compare element by element (Scala's tuple ordering).
  assert.deepStrictEqual(counts.top(1), [['c', 1]]);
  assert.throws(() => b.top(-1), InvalidArgumentError);
  assert.throws(() => b.takeOrdered(1.5), InvalidArgumentError);
});

test('join and leftOuterJoin with a static dataset (array, Map) or another batch', () => {
  const counts = Batch.of<Pair<string, number>>([['spark', 2], ['spam', 1], ['flink', 3], ['spam', 4]]);
  const blacklist: Pair<string, boolean>[] = [['spam', true]];
  assert.deepStrictEqual(counts.join(blacklist).collect(), [['spam', [1, true]], ['spam', [4, true]]]);
  // Spark's blacklist example: keep the words the blacklist does not name.
  const clean = counts.leftOuterJoin(new Map(blacklist)).filter(([, [, banned]]) => banned === undefined).keys();
  assert.deepStrictEqual(clean.collect(), ['spark', 'flink']);
  const prices = Batch.of<Pair<string, number>>([['flink', 10], ['flink', 20]]);
  assert.deepStrictEqual(counts.join(prices).collect(), [['flink', [3, 10]], ['flink', [3, 20]]]);
  assert.throws(() => counts.join(42 as unknown as Pair<string, number>[]), /needs a Batch or an iterable of \[key, value\] pairs/);
  // Left out (undefined) as well: a clear error, not "undefined is not iterable".
  assert.throws(() => counts.join(undefined as unknown as Pair<string, number>[]), (e: unknown) => e instanceof InvalidArgumentError && /join\(other\) needs a Batch .*; got undefined/.test(e.message));
  assert.throws(() => counts.leftOuterJoin(undefined as unknown as Pair<string, number>[]), InvalidArgumentError);
  assert.throws(() => counts.union(undefined as unknown as typeof counts), (e: unknown) => e instanceof InvalidArgumentError && /union\(\.\.\.others\) takes Batches .*; got undefined/.test(e.message));
  assert.throws(() => counts.join(['spam'] as unknown as Pair<string, number>[]), /works on \[key, value\] pairs, but got the string "spam"/);
});

test('repartition deals elements round-robin into n partitions', () => {
  const b = Batch.of([1, 2, 3, 4, 5]).repartition(2);
  assert.deepStrictEqual(b.partitions, [[1, 3, 5], [2, 4]]);
  assert.deepStrictEqual(Batch.empty<number>().repartition(3).partitions, [[], [], []]);
  assert.throws(() => b.repartition(0), /numPartitions must be a whole number ≥ 1; got the number 0/);
});

test('pair operations on elements that are not pairs fail with the fix, not a TypeError', () => {
  const words = Batch.of(['a', 'b']) as unknown as Batch<Pair<string, number>>;
  assert.throws(() => words.reduceByKey(sum), (e: unknown) => e instanceof InvalidArgumentError && /reduceByKey works on \[key, value\] pairs, but got the string "a"; make pairs first, e\.g\. \.map\(\(w\) => \[w, 1\]\)/.test(e.message));
  assert.throws(() => words.groupByKey(), /groupByKey works on \[key, value\] pairs/);
  assert.throws(() => words.sortByKey(), /sortByKey works on \[key, value\] pairs/);
  assert.throws(() => Batch.of([1]).map(undefined as unknown as (x: number) => number), /map\(fn\) needs a function, e\.g\. map\(\(x\) => x \* 2\); got undefined/);
  assert.throws(() => Batch.of([1]).sortBy((x) => x, true, 'desc' as unknown as (a: number, b: number) => number), /comparator must be a function/);
});

test('map of an array literal gives pairs the pair operations accept (type-checked by tsc)', () => {
  const counts = Batch.of(['a', 'b', 'a']).map((w) => [w, 1]).reduceByKey((a, b) => a + b);
  assert.deepStrictEqual(counts.collect(), [['a', 2], ['b', 1]]);
});

test('undefined (Spark\'s None) sorts first in sortBy, takeOrdered and top, as the natural order says', () => {
  const b = Batch.of<number | undefined>([2, undefined, 1]);
  assert.deepStrictEqual(b.takeOrdered(2), [undefined, 1]);
  assert.deepStrictEqual(b.top(3), [2, 1, undefined]);
  assert.deepStrictEqual(b.sortBy((x) => x).collect(), [undefined, 1, 2]);
});

test('a deferred batch counts without making its elements, and makes them once when read', () => {
  let made = 0;
  const batch = Batch.deferred<Pair<string, number>>(() => {
    made++;
    return [['a', 1], ['b', 2]];
  }, () => 2);
  assert.equal(batch.count(), 2);
  assert.equal(batch.isEmpty(), false);
  assert.equal(batch.numPartitions, 1);
  assert.equal(made, 0, 'count(), isEmpty() and numPartitions make nothing');
  assert.deepEqual(batch.collect(), [['a', 1], ['b', 2]]);
  assert.deepEqual(batch.take(1), [['a', 1]]);
  assert.equal(batch.count(), 2);
  assert.equal(made, 1, 'made once, then read from the made elements');
  assert.equal(batch.asRecordBatch(), undefined, 'pairs are not lines');
});

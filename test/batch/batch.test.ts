import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Batch, count, IllegalStateError, InvalidArgumentError, max, type Pair, recordBatchFromLines, sum } from '../../src/index.js';

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

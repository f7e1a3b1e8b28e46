import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DStream, InvalidArgumentError, ManualClock, type Pair, StreamingContext } from '../../src/index.js';
import { testOperation } from '../harness/operation.js';

type Row = Pair<string, number>;
type Tagged = Pair<'L' | 'R', Row>;

// One input carries both sides, tagged, so both streams share the batch clock as in Spark's two-input tests.
const input: Tagged[][] = [
  [['L', ['a', 1]], ['L', ['b', 2]], ['R', ['a', 10]], ['R', ['c', 30]]],
  [['L', ['a', 1]], ['L', ['a', 2]], ['R', ['a', 10]], ['R', ['a', 20]]],
  [['L', ['x', 1]]],
  [['R', ['y', 1]]],
  [],
];
const sides = (s: DStream<Tagged>): [DStream<Row>, DStream<Row>] => [
  s.filter(([side]) => side === 'L').map(([, row]) => row),
  s.filter(([side]) => side === 'R').map(([, row]) => row),
];
const unordered = { orderMatters: false } as const;

test('join: only keys on both sides, every pair of values', async () => {
  await testOperation(input, (s) => {
    const [l, r] = sides(s);
    return l.join(r);
  }, [[['a', [1, 10]]], [['a', [1, 10]], ['a', [1, 20]], ['a', [2, 10]], ['a', [2, 20]]], [], [], []], unordered);
});

test('leftOuterJoin: undefined where the right side has no value', async () => {
  await testOperation(input, (s) => {
    const [l, r] = sides(s);
    return l.leftOuterJoin(r);
  }, [[['a', [1, 10]], ['b', [2, undefined]]], [['a', [1, 10]], ['a', [1, 20]], ['a', [2, 10]], ['a', [2, 20]]], [['x', [1, undefined]]], [], []], unordered);
});

test('rightOuterJoin: undefined where the left side has no value', async () => {
  await testOperation(input, (s) => {
    const [l, r] = sides(s);
    return l.rightOuterJoin(r);
  }, [[['a', [1, 10]], ['c', [undefined, 30]]], [['a', [1, 10]], ['a', [1, 20]], ['a', [2, 10]], ['a', [2, 20]]], [], [['y', [undefined, 1]]], []], unordered);
});

test('fullOuterJoin: keys on either side', async () => {
  await testOperation(input, (s) => {
    const [l, r] = sides(s);
    return l.fullOuterJoin(r);
  }, [
    [['a', [1, 10]], ['b', [2, undefined]], ['c', [undefined, 30]]],
    [['a', [1, 10]], ['a', [1, 20]], ['a', [2, 10]], ['a', [2, 20]]],
    [['x', [1, undefined]]],
    [['y', [undefined, 1]]],
    [],
  ], unordered);
});

test('cogroup: all values of each key on each side, [] for a missing side', async () => {
  await testOperation(input, (s) => {
    const [l, r] = sides(s);
    return l.cogroup(r);
  }, [
    [['a', [[1], [10]]], ['b', [[2], []]], ['c', [[], [30]]]],
    [['a', [[1, 2], [10, 20]]]],
    [['x', [[1], []]]],
    [['y', [[], [1]]]],
    [],
  ]);
});

test('join of windowed streams with the same slide', async () => {
  await testOperation(input, (s) => {
    const [l, r] = sides(s);
    return l.window(2000, 2000).join(r.window(2000, 2000)).map(([k, [v, w]]) => `${k}:${v}x${w}`);
  // window (0,2]: left a ∈ [1, 1, 2], right a ∈ [10, 10, 20] → 9 pairs; (2,4] has no key on both sides.
  }, [['a:1x10', 'a:1x10', 'a:1x20', 'a:1x10', 'a:1x10', 'a:1x20', 'a:2x10', 'a:2x10', 'a:2x20'], []], { ...unordered, numBatches: 4 });
});

test('joins need the same slide and the same context', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const a = ssc.queueStream<Row>([]);
  const b = ssc.queueStream<Row>([]);
  assert.throws(() => a.join(b.window(2000, 2000)), (e: unknown) => e instanceof InvalidArgumentError && /join of streams with different slides \(1000 ms and 2000 ms\)/.test(e.message));
  assert.throws(() => a.fullOuterJoin(b.window(2000, 2000)), /fullOuterJoin of streams with different slides/);
  const other = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  assert.throws(() => a.cogroup(other.queueStream<Row>([])), /different StreamingContexts/);
  // Not a stream at all: a clear error naming what was passed, not "Cannot read properties of undefined".
  const notAStream = (e: unknown): boolean => e instanceof InvalidArgumentError && /takes DStreams of one StreamingContext; got (undefined|null)/.test(e.message);
  assert.throws(() => a.join(undefined as unknown as typeof b), notAStream);
  assert.throws(() => a.leftOuterJoin(undefined as unknown as typeof b), notAStream);
  assert.throws(() => a.rightOuterJoin(null as unknown as typeof b), notAStream);
  assert.throws(() => a.cogroup(null as unknown as typeof b), notAStream);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type DStream, InMemoryCheckpointStore, InvalidArgumentError, ManualClock, nonZero, type Pair, ReducedWindowedDStream, StreamingContext,
  count, pairWithOne, splitWhitespace, subtract, sum,
} from '../../src/internals.js';
import { runOperation, testOperation } from '../harness/operation.js';

type P = Pair<string, number>;
const a = (n: number): P => ['a', n];
const b = (n: number): P => ['b', n];
const c = (n: number): P => ['c', n];

// Spark's WindowOperationsSuite "bigInput", window 2 s, slide 1 s.
const bigInput: P[][] = [[a(1)], [a(1), b(1)], [a(1), b(1), c(1)], [a(1), b(1)], [a(1)], [], [a(1)], [a(1), b(1)], [a(1), b(1), c(1)], [a(1), b(1)], [a(1)], []];
const bigReduceOutput: P[][] = [
  [a(1)], [a(2), b(1)], [a(2), b(2), c(1)], [a(2), b(2), c(1)], [a(2), b(1)], [a(1)],
  [a(1)], [a(2), b(1)], [a(2), b(2), c(1)], [a(2), b(2), c(1)], [a(2), b(1)], [a(1)],
];
// With an inverse and no filter, keys that fell to 0 stay (Spark's bigReduceInvOutput).
const bigReduceInvOutput: P[][] = [
  [a(1)], [a(2), b(1)], [a(2), b(2), c(1)], [a(2), b(2), c(1)], [a(2), b(1), c(0)], [a(1), b(0), c(0)],
  [a(1), b(0), c(0)], [a(2), b(1), c(0)], [a(2), b(2), c(1)], [a(2), b(2), c(1)], [a(2), b(1), c(0)], [a(1), b(0), c(0)],
];
const unordered = { orderMatters: false } as const;
const paths = [{ name: 'kernels', kernels: undefined }, { name: 'JS only', kernels: null }] as const;
const plus = (x: number, y: number): number => x + y;
const minus = (x: number, y: number): number => x - y;

test('reduceByKeyAndWindow without inverse (Spark bigReduceOutput)', async () => {
  await testOperation(bigInput, (s) => s.reduceByKeyAndWindow(plus, 2000, 1000), bigReduceOutput, unordered);
});

test('reduceByKeyAndWindow with the built-in count combines per-batch counts by adding', async () => {
  await testOperation([[a(5), a(7)], [a(9)], [b(1)]], (s) => s.reduceByKeyAndWindow(count, 2000), [[a(2)], [a(3)], [a(1), b(1)]], unordered);
});

for (const path of paths) {
  const opts = { ...unordered, kernels: path.kernels, checkpoint: new InMemoryCheckpointStore() };

  test(`reduceByKeyAndWindow(sum, subtract) keeps keys at 0 without a filter (${path.name})`, async () => {
    await testOperation(bigInput, (s) => s.reduceByKeyAndWindow(sum, subtract, 2000, 1000), bigReduceInvOutput, opts);
  });

  test(`reduceByKeyAndWindow(sum, subtract, nonZero) drops keys reaching 0 (${path.name})`, async () => {
    await testOperation(bigInput, (s) => s.reduceByKeyAndWindow(sum, subtract, 2000, 1000, nonZero), bigReduceOutput, opts);
  });

  test(`nonZero also drops a key whose entering batch sums to 0 (${path.name})`, async () => {
    await testOperation([[a(1), a(-1), b(2)], [a(3)], [b(-2)]], (s) => s.reduceByKeyAndWindow(sum, subtract, 2000, 1000, nonZero), [[b(2)], [b(2), a(3)], [a(3), b(-2)]], opts);
  });

  test(`reduceByKeyAndWindow(sum, subtract) with a user filter (${path.name})`, async () => {
    const withoutB = bigReduceOutput.map((batch) => batch.filter(([k]) => k !== 'b'));
    await testOperation(bigInput, (s) => s.reduceByKeyAndWindow(sum, subtract, 2000, 1000, ([k, v]) => k !== 'b' && v !== 0), withoutB, opts);
  });

  test(`reduceByKeyAndWindow(sum, subtract) with a user filter: values leaving a key the filter dropped are not subtracted (${path.name})`, async () => {
    // Spark's ReducedWindowedDStream: a key missing from the previous window's aggregate takes only its entering values.
    // a(1) is dropped at 1 s; at 3 s it leaves as a(5) enters: a is 5 (as with closures), not 5 - 1.
    const input: P[][] = [[a(1)], [], [a(5)], [], []];
    const expected: P[][] = [[], [], [a(5)], [a(5)], []];
    const bigOnly = ([, v]: P): boolean => v > 2;
    await testOperation(input, (s) => s.reduceByKeyAndWindow(sum, subtract, 2000, 1000, bigOnly), expected, opts);
    await testOperation(input, (s) => s.reduceByKeyAndWindow(plus, minus, 2000, 1000, bigOnly), expected, opts);
  });

  test(`reduceByKeyAndWindow inverse, slide 2 s over window 3 s (${path.name})`, async () => {
    const input: P[][] = [[a(1)], [a(2)], [a(3)], [a(4)], [a(5)], [a(6)], [], []];
    // windows (0,2] (1,4] (3,6] (5,8]
    await testOperation(input, (s) => s.reduceByKeyAndWindow(sum, subtract, 3000, 2000), [[a(3)], [a(9)], [a(15)], [a(6)]], { ...opts, numBatches: 8 });
  });

  test(`reduceByKeyAndWindow inverse, slide longer than the window (${path.name})`, async () => {
    const input: P[][] = [[a(1)], [a(2)], [a(3)], [a(4)], [a(5)], [a(6)]];
    await testOperation(input, (s) => s.reduceByKeyAndWindow(sum, subtract, 1000, 3000, nonZero), [[a(3)], [a(6)]], { ...opts, numBatches: 6 });
  });

  test(`word count over a window: fused per batch, identical on both paths (${path.name})`, async () => {
    const lines = [['the cat', 'the dog'], ['a cat'], [], ['dog dog'], ['the']];
    await testOperation(
      lines,
      (s) => s.flatMap(splitWhitespace).map(pairWithOne).reduceByKeyAndWindow(sum, subtract, 2000, 1000, nonZero),
      [
        [['the', 2], ['cat', 1], ['dog', 1]],
        [['the', 2], ['cat', 2], ['dog', 1], ['a', 1]],
        [['cat', 1], ['a', 1]],
        [['dog', 2]],
        [['dog', 2], ['the', 1]],
      ],
      { ...opts, asRecords: true },
    );
  });
}

test('the built-in pair runs on a kernel table and matches user closures exactly, order included', async () => {
  const input: P[][] = Array.from({ length: 15 }, (_, i) => Array.from({ length: (i * 7) % 5 }, (_, j) => [`k${(i + j * 3) % 6}`, (i + j) % 4] as P));
  let fastStream: ReducedWindowedDStream<string, number> | undefined;
  const fast = await runOperation(input, (s) => (fastStream = s.reduceByKeyAndWindow(sum, subtract, 3000, 1000, nonZero) as ReducedWindowedDStream<string, number>), {
    numBatches: 15, checkpoint: new InMemoryCheckpointStore(),
  });
  const closures = await runOperation(input, (s) => s.reduceByKeyAndWindow(plus, minus, 3000, 1000, ([, v]) => v !== 0), {
    numBatches: 15, checkpoint: new InMemoryCheckpointStore(),
  });
  assert.equal(fastStream?.onKernelTable, true);
  assert.deepEqual(fast.outputs, closures.outputs);
  const plain = await runOperation(input, (s) => s.reduceByKeyAndWindow(plus, 3000, 1000), { numBatches: 15 });
  for (let i = 0; i < 15; i++) {
    const dropZero = (plain.outputs[i] as P[]).filter(([, v]) => v !== 0);
    assert.deepEqual(new Map(fast.outputs[i]), new Map(dropZero), `batch ${i}`);
  }
});

test('non-string keys move the running sums from the kernel table to a Map, same results', async () => {
  const input: Pair<string | number, number>[][] = [[['x', 1]], [[7, 2], ['x', 1]], [['x', 1]], []];
  let stream: ReducedWindowedDStream<string | number, number> | undefined;
  await testOperation(
    input,
    (s) => (stream = s.reduceByKeyAndWindow(sum, subtract, 2000, 1000, nonZero) as ReducedWindowedDStream<string | number, number>),
    [[['x', 1]], [['x', 2], [7, 2]], [['x', 2], [7, 2]], [['x', 1]]],
    { checkpoint: new InMemoryCheckpointStore() },
  );
  assert.equal(stream?.onKernelTable, false);
});

test('a user-function inverse keeps Spark semantics with non-numeric values', async () => {
  const input: Pair<string, string>[][] = [[['k', 'ab']], [['k', 'c']], [], []];
  await testOperation(
    input,
    (s) => s.reduceByKeyAndWindow((x: string, y: string) => x + y, (x: string, y: string) => x.slice(y.length), 2000, 1000, ([, v]) => v !== ''),
    [[['k', 'ab']], [['k', 'abc']], [['k', 'c']], []],
    { checkpoint: new InMemoryCheckpointStore() },
  );
});

test('the inverse form needs a checkpoint store: a clear error at start()', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  ssc.queueStream<P>([]).reduceByKeyAndWindow(sum, subtract, 2000).print();
  assert.throws(() => ssc.start(), (e: unknown) => (e as { code?: string }).code === 'ERR_SLUICE_CHECKPOINT_REQUIRED' && /ReducedWindowedDStream.*ssc\.checkpoint\(store\)/.test((e as Error).message));
  assert.equal(ssc.state, 'initialized');
});

test('the plain form needs no checkpoint store', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  ssc.queueStream<P>([]).reduceByKeyAndWindow(sum, 2000).print();
  ssc.start();
  return ssc.stop();
});

test('bad arguments fail at definition', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const s: DStream<P> = ssc.queueStream<P>([]);
  assert.throws(() => s.reduceByKeyAndWindow(sum, subtract, 2500), InvalidArgumentError);
  assert.throws(() => s.reduceByKeyAndWindow(sum, 2000, 1500), /slide must be a positive multiple/);
  // A filter that is not a function fails here, not as a TypeError in the first batch.
  assert.throws(() => s.reduceByKeyAndWindow(sum, subtract, 3000, 1000, 5 as unknown as typeof nonZero), (e: unknown) => e instanceof InvalidArgumentError && /filter\) needs a function, e\.g\. .*nonZero\); got the number 5/.test(e.message));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AggregateTable, JsKernels, type Reducer,
  type BatchInfo, InMemoryCheckpointStore, type Kernels, keyValueFields, ManualClock, type Pair, pairWithOne, runningSum, splitWhitespace,
  type State, StateDStream, StateSpec, StreamingContext, subtract, sum,
} from '../../src/internals.js';
import { runOperation, testOperation } from '../harness/operation.js';

const store = () => new InMemoryCheckpointStore();
const sparkInput = [['a'], ['a', 'b'], ['a', 'b', 'c'], ['a', 'b'], ['a'], []];
// Spark's BasicOperationsSuite "updateStateByKey".
const sparkOutput: Pair<string, number>[][] = [
  [['a', 1]], [['a', 2], ['b', 1]], [['a', 3], ['b', 2], ['c', 1]], [['a', 4], ['b', 3], ['c', 1]], [['a', 5], ['b', 3], ['c', 1]], [['a', 5], ['b', 3], ['c', 1]],
];
const userRunningCount = (values: number[], state: number | undefined): number => values.reduce((x, y) => x + y, 0) + (state ?? 0);

test('updateStateByKey with a user function (Spark suite); keys without new values keep their state', async () => {
  await testOperation(sparkInput, (s) => s.map(pairWithOne).updateStateByKey(userRunningCount), sparkOutput, { checkpoint: store() });
});

for (const kernels of [undefined, null] as const) {
  test(`updateStateByKey(runningSum) gives the same (kernels ${kernels === null ? 'off' : 'on'})`, async () => {
    await testOperation(sparkInput, (s) => s.map(pairWithOne).updateStateByKey(runningSum), sparkOutput, { kernels, checkpoint: store() });
  });
}

test('updateStateByKey: undefined removes a key; a removed key starts again from no state', async () => {
  const seen: [number[], number | undefined][] = [];
  await testOperation(
    [['a', 'a'], ['a'], ['a', 'b'], []],
    (s) =>
      s.map(pairWithOne).updateStateByKey((values: number[], state: number | undefined) => {
        seen.push([values, state]);
        const next = (state ?? 0) + values.length;
        return next >= 3 ? undefined : next;
      }),
    [[['a', 2]], [], [['a', 1], ['b', 1]], [['a', 1], ['b', 1]]] as Pair<string, number>[][],
    { checkpoint: store() },
  );
  assert.deepEqual(seen, [[[1, 1], undefined], [[1], 2], [[1], undefined], [[1], undefined], [[], 1], [[], 1]]);
});

test('updateStateByKey with an initial state, and empty batches still call the function', async () => {
  let calls = 0;
  await testOperation<Pair<string, number>, Pair<string, number>>(
    [[], [['x', 2]]],
    (s) => s.updateStateByKey((values: number[], state: number | undefined) => (calls++, (state ?? 0) + values.reduce((a, b) => a + b, 0)), {
      initialState: [['x', 10], ['y', 5]],
    }),
    [[['x', 10], ['y', 5]], [['x', 12], ['y', 5]]],
    { checkpoint: store() },
  );
  assert.equal(calls, 4);
});

test('updateStateByKey needs a checkpoint store: clear error at start()', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  ssc.queueStream<Pair<string, number>>([]).updateStateByKey(runningSum).print();
  assert.throws(
    () => ssc.start(),
    (e: unknown) => (e as { code?: string }).code === 'ERR_SLUICE_CHECKPOINT_REQUIRED' && /StateDStream .* needs a checkpoint store: call ssc\.checkpoint\(store\)/.test((e as Error).message),
  );
});

// The seed's running word count: lines → words → (word, 1) → updateStateByKey.
const corpus = [
  ['the quick brown fox', 'jumps over the lazy dog'],
  [],
  ['长江 长江 黄河', 'the  end\tof the\x0Bline'],
  ['fox fox fox'],
  ['', '   '],
  ['dog the 长江'],
];

async function runningWordCount(kernels: Kernels | null | undefined, fast: boolean): Promise<{ outputs: Pair<string, number>[][]; onTable: boolean }> {
  let state: StateDStream<string, number, number> | undefined;
  const run = await runOperation<string, Pair<string, number>>(
    corpus,
    (lines) => {
      const pairs = lines.flatMap(fast ? splitWhitespace : (l: string) => l.split(/[ \t\n\x0B\f\r]+/).filter((w) => w !== '')).map(fast ? pairWithOne : (w: string): Pair<string, number> => [w, 1]);
      const counts = fast ? pairs.updateStateByKey(runningSum) : pairs.updateStateByKey(userRunningCount);
      state = counts as StateDStream<string, number, number>;
      return counts;
    },
    { numBatches: corpus.length, kernels, asRecords: true, checkpoint: store() },
  );
  return { outputs: run.outputs, onTable: state?.onKernelTable ?? false };
}

test('seed running word count: runningSum on a kernel table equals JS closures exactly, order included', async () => {
  const fast = await runningWordCount(undefined, true);
  const closures = await runningWordCount(null, false);
  const fastWithoutKernels = await runningWordCount(null, true);
  assert.equal(fast.onTable, true);
  assert.equal(fastWithoutKernels.onTable, false);
  assert.deepEqual(fast.outputs, closures.outputs);
  assert.deepEqual(fastWithoutKernels.outputs, closures.outputs);
  assert.deepEqual(new Map(fast.outputs[5]), new Map([
    ['the', 5], ['quick', 1], ['brown', 1], ['fox', 4], ['jumps', 1], ['over', 1], ['lazy', 1], ['dog', 2], ['长江', 3], ['黄河', 1], ['end', 1], ['of', 1], ['line', 1],
  ]));
});

/** Running province totals of `orders` (one array of lines per batch), with kernels (first) and on the JS path. */
async function runningOrderTotals(orders: string[][]): Promise<{ outputs: Pair<string, number>[][][]; infos: BatchInfo[][] }> {
  const infos: BatchInfo[][] = [];
  const outputs: Pair<string, number>[][][] = [];
  for (const kernels of [undefined, null] as const) {
    const run = await runOperation<string, Pair<string, number>>(
      orders,
      (lines) => lines.flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 })).updateStateByKey(runningSum),
      { numBatches: orders.length, kernels, asRecords: true, checkpoint: store() },
    );
    outputs.push(run.outputs);
    infos.push(run.batchInfos);
  }
  return { outputs, infos };
}

test('running order totals per province: delimited runningSum on a kernel table, malformed lines counted', async () => {
  const orders = [
    ['1,12,45.00', '2,12,20.00', '3,14,10.00'],
    ['4,21,100.50', 'broken line', '5,14,2.00,x', '6,12,1.50'],
    [],
    ['7,14,x', '8,21,-0.50'],
  ];
  const { outputs, infos } = await runningOrderTotals(orders);
  assert.deepEqual(outputs[0], outputs[1]);
  assert.deepEqual(outputs[0]?.[3], [['12', 66.5], ['14', 10], ['21', 100]]);
  for (const batchInfos of infos) assert.deepEqual(batchInfos.map((i) => i.counters.malformedRecords ?? 0), [0, 2, 0, 1]);
});

test('running totals never overflow: prices beyond 2^959 (1e307, 1e308, opposite signs) are malformed lines on both paths', async () => {
  const orders = [
    ['1,12,1e307', '2,12,5'],
    ['3,14,1e308', '4,14,1e308', '5,21,-1e308', '6,21,1e308', '7,21,2'],
    ['8,12,4.8726570057e288', '9,12,4.8726570057e288', '10,14,1e289'],
  ];
  const { outputs, infos } = await runningOrderTotals(orders);
  assert.deepEqual(outputs[0], outputs[1]);
  // 2^959 itself is accepted; twice it is 2^960, still finite.
  assert.deepEqual(outputs[0], [[['12', 5]], [['12', 5], ['21', 2]], [['12', 5 + 2 * 2 ** 959], ['21', 2]]]);
  for (const batchInfos of infos) assert.deepEqual(batchInfos.map((i) => i.counters.malformedRecords ?? 0), [1, 4, 1]);
});

/** Whether `error` or one of its causes has `code`. */
function hasCode(error: unknown, code: string): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if ((e as { code?: string }).code === code) return true;
  return false;
}

for (const kernels of [undefined, null] as const) {
  test(`runningSum of your own values: a total that would be Infinity or NaN fails the batch with ERR_SLUICE_NUMERIC_OVERFLOW (kernels ${kernels === null ? 'off' : 'on'})`, async () => {
    const outputs: Pair<string, number>[][] = [];
    await assert.rejects(
      runOperation<Pair<string, number>, Pair<string, number>>(
        [[['a', 1e308], ['b', 1]], [['b', 2]], [['a', 1e308]]],
        (s) => s.updateStateByKey(runningSum).map((pair) => (outputs.push([pair]), pair)),
        { numBatches: 3, kernels, checkpoint: store() },
      ),
      (error: unknown) => hasCode(error, 'ERR_SLUICE_NUMERIC_OVERFLOW') && /key a would become Infinity/.test(String((error as Error).cause ?? error)),
    );
    assert.deepEqual(outputs.flat(), [['a', 1e308], ['b', 1], ['a', 1e308], ['b', 3]]);
    await assert.rejects(
      runOperation<Pair<string, number>, Pair<string, number>>([[['a', NaN]]], (s) => s.updateStateByKey(runningSum), { numBatches: 1, kernels, checkpoint: store() }),
      (error: unknown) => hasCode(error, 'ERR_SLUICE_NUMERIC_OVERFLOW'),
    );
  });

  test(`a running word count past 2^53 - 1 fails with ERR_SLUICE_NUMERIC_OVERFLOW instead of rounding silently (kernels ${kernels === null ? 'off' : 'on'})`, async () => {
    const count = (initial: number, input: string[][]) => runOperation<string, Pair<string, number>>(
      input,
      (lines) => lines.flatMap(splitWhitespace).map(pairWithOne).updateStateByKey(runningSum, { initialState: [['a', initial]] }),
      { numBatches: input.length, kernels, asRecords: true, checkpoint: store() },
    );
    const exact = await count(Number.MAX_SAFE_INTEGER - 1, [['a b']]);
    assert.deepEqual(exact.outputs, [[['a', Number.MAX_SAFE_INTEGER], ['b', 1]]]);
    await assert.rejects(count(Number.MAX_SAFE_INTEGER - 1, [['a'], ['a']]), (error: unknown) => hasCode(error, 'ERR_SLUICE_NUMERIC_OVERFLOW'));
    // A state that starts past it (an initial state or a restored checkpoint) is refused too.
    await assert.rejects(count(2 ** 53 + 2, [['b']]), (error: unknown) => hasCode(error, 'ERR_SLUICE_NUMERIC_OVERFLOW'));
  });
}

test('state advances every batch even when its only reader samples it every other batch', async () => {
  await testOperation(
    [['a'], ['a'], ['b'], ['a']],
    (s) => s.map(pairWithOne).updateStateByKey(runningSum).window(1000, 2000),
    [[['a', 2]], [['a', 3], ['b', 1]]],
    { numBatches: 4, checkpoint: store() },
  );
});

test('a stateful stream no output reaches does not disturb the others', async () => {
  await testOperation(
    [['a'], ['b']],
    (s) => {
      s.map(pairWithOne).updateStateByKey(runningSum).window(2000);
      return s.count();
    },
    [[1], [1]],
    { checkpoint: store() },
  );
});

test('the state table is released when the context stops', async () => {
  const disposed: string[] = [];
  class CountingKernels extends JsKernels {
    override createTable(reducer: Reducer): AggregateTable {
      const table = super.createTable(reducer);
      const dispose = table.dispose.bind(table);
      table.dispose = () => {
        disposed.push(reducer);
        dispose();
      };
      return table;
    }
  }
  const run = await runOperation([['a'], ['a']], (s) => s.map(pairWithOne).updateStateByKey(runningSum), {
    numBatches: 2, kernels: new CountingKernels(), checkpoint: store(),
  });
  assert.deepEqual(run.outputs, [[['a', 1]], [['a', 2]]]);
  assert.deepEqual(disposed, ['sum']);
});

test('tuple keys compare by contents in state: updateStateByKey, mapWithState, inverse windows (closures and sum/subtract)', async () => {
  type Key = readonly [string, number];
  const input: Pair<Key, number>[][] = [[[['bj', 1], 1], [['bj', 1], 2]], [[['bj', 1], 4]], [], [[['sh', 1], 8]]];
  const checkpoint = { checkpoint: new InMemoryCheckpointStore() };
  await testOperation(
    input,
    (s) => s.updateStateByKey((values: number[], state: number | undefined) => values.reduce((a, b) => a + b, state ?? 0)),
    [[[['bj', 1], 3]], [[['bj', 1], 7]], [[['bj', 1], 7]], [[['bj', 1], 7], [['sh', 1], 8]]],
    checkpoint,
  );
  await testOperation(
    input,
    (s) => s.mapWithState(StateSpec.function((key: Key, value: number | undefined, state: State<number>) => {
      state.update((state.getOption() ?? 0) + (value ?? 0));
      return `${key.join('/')}=${state.get()}`;
    })),
    [['bj/1=1', 'bj/1=3'], ['bj/1=7'], [], ['sh/1=8']],
    checkpoint,
  );
  const windowed: Pair<Key, number>[][] = [[[['bj', 1], 3]], [[['bj', 1], 7]], [[['bj', 1], 4]], [[['sh', 1], 8]]];
  await testOperation(input, (s) => s.reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, 2000, 1000, ([, v]) => v !== 0), windowed, checkpoint);
  await testOperation(input, (s) => s.reduceByKeyAndWindow(sum, subtract, 2000, 1000, ([, v]) => v !== 0), windowed, checkpoint);
});

test('a bad initialState or options (Spark\'s numPartitions) fail at the call, not as ".for is not iterable" inside the first batch', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const pairs = ssc.queueStream<Pair<string, number>>([]);
  const invalid = (pattern: RegExp) => (e: unknown): boolean => (e as { code?: string }).code === 'ERR_SLUICE_INVALID_ARGUMENT' && pattern.test((e as Error).message);
  assert.throws(() => pairs.updateStateByKey(runningSum, 4 as unknown as object), invalid(/options is an object such as \{ initialState: .* \(there is no numPartitions\); got the number 4/));
  assert.throws(() => pairs.updateStateByKey(runningSum, { initialState: 5 as unknown as Pair<string, number>[] }), invalid(/initialState needs \[key, state\] pairs.*; got the number 5/));
  assert.throws(() => pairs.updateStateByKey(runningSum, { initialState: [['a', 1], 'b'] as unknown as Pair<string, number>[] }), invalid(/one element is the string "b"/));
  pairs.updateStateByKey(runningSum, { initialState: new Map([['a', 1]]) });
});

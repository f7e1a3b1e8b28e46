import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type DStream, enablePartitionedStates, isPartitionedState, type Kernels, keyValueFields, ManualClock, type Pair, pairWithOne,
  partitionedStateUnsupported, type PartitionedState, runningSum, splitWhitespace, type State, type StateChange, StateDStream, StateSpec, StreamingContext, subtract, sum,
} from '../../src/internals.js';
import { KeyMap } from '../../src/batch/key-map.js';
import { TestInputDStream } from '../harness/test-input-dstream.js';

type Between = (batch: number, state: PartitionedState, changelog: KeyMap<unknown, unknown>) => void;

interface PartitionedRun<R> {
  readonly outputs: R[][];
  readonly changes: StateChange[][];
  /** The changelog after the last batch (last state per key). */
  readonly changelog: KeyMap<unknown, unknown>;
}

/**
 * Runs `input` (batch i gets input[i]) through `build` on a ManualClock with
 * partitioned state enabled and no checkpoint store. After each batch (in an
 * after-batch hook, where scale-out commits) reads changesAt, folds it into a
 * changelog (last state per key, removals deleted), then calls `between`
 * (which may drop and restore state). A batch `aborted` accepts is one whose
 * commit failed: its changes are not read.
 */
async function runPartitioned<T, R>(
  input: readonly (readonly T[])[],
  build: (stream: DStream<T>) => { state: DStream<unknown> & PartitionedState; output: DStream<R> },
  options: { kernels?: Kernels | null; asRecords?: boolean; between?: Between; startTime?: number; aborted?: (batch: number) => boolean; beforeStart?: (state: PartitionedState) => void } = {},
): Promise<PartitionedRun<R>> {
  const clock = new ManualClock(options.startTime);
  const ssc = new StreamingContext(options.kernels === undefined ? { batchIntervalMs: 1000, clock } : { batchIntervalMs: 1000, clock, kernels: options.kernels });
  const { state, output } = build(new TestInputDStream<T>(ssc, input, options.asRecords === true ? { asRecords: true } : {}));
  state.enablePartitionedState();
  options.beforeStart?.(state);
  const outputs: R[][] = [];
  const changes: StateChange[][] = [];
  const changelog = new KeyMap<unknown, unknown>();
  output.foreachRDD((batch) => void outputs.push(batch.collect()));
  let batches = 0;
  ssc.addAfterBatchHook((time) => {
    batches++;
    if (options.aborted?.(batches) !== true) {
      const batchChanges = state.changesAt(time);
      changes.push(batchChanges);
      for (const [key, value] of batchChanges) {
        if (value === undefined) changelog.delete(key);
        else changelog.set(key, value);
      }
    }
    options.between?.(batches, state, changelog);
  });
  ssc.start();
  await clock.advance(input.length * 1000);
  await ssc.stop();
  await ssc.awaitTermination();
  return { outputs, changes, changelog };
}

/** Drops the keys `which` accepts and restores them from the changelog, as a process that loses and regains their partition does. */
function moveKeys(state: PartitionedState, changelog: KeyMap<unknown, unknown>, which: (key: unknown) => boolean): void {
  state.dropKeys(which);
  const stateKey = (changelogKey: unknown): unknown => (state.partitionKeyOf === undefined ? changelogKey : state.partitionKeyOf(changelogKey));
  state.restoreEntries([...changelog].filter(([key]) => which(stateKey(key))));
}

const sorted = <R>(batch: readonly R[]): R[] => [...batch].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));

// A count that also changes (odd → even) or removes (≥ 10) state in batches without values for the key.
const evenUp = (values: number[], state: number | undefined): number | undefined => {
  if (values.length > 0) return (state ?? 0) + values.length;
  if (state === undefined) return undefined;
  if (state >= 10) return undefined;
  return state % 2 === 1 ? state + 1 : state;
};

test('updateStateByKey: changesAt holds the batch\'s keys and the keys whose state changed or was removed without values', async () => {
  const input = [['a', 'b', 'b'], ['c'], Array<string>(9).fill('b'), [], ['b', 'z']];
  const run = await runPartitioned(input, (lines) => {
    const state = lines.map(pairWithOne).updateStateByKey(evenUp);
    return { state, output: state };
  });
  assert.deepEqual(run.changes, [
    [['a', 1], ['b', 2]],
    [['a', 2], ['c', 1]],
    [['b', 11], ['c', 2]],
    [['b', undefined]],
    [['b', 1], ['z', 1]],
  ]);
  assert.deepEqual(run.outputs.at(-1), [['a', 2], ['c', 2], ['b', 1], ['z', 1]]);
});

test('updateStateByKey: a new key whose update returns undefined is no change; a key with values whose state stays the same is one', async () => {
  const run = await runPartitioned([[['a', 1], ['skip', 1]], [['a', 0]]], (pairs: DStream<Pair<string, number>>) => {
    const state = pairs.updateStateByKey((values: number[], s: number | undefined) => (values.includes(1) && values.length === 1 && s === undefined ? (values[0] === 1 ? 5 : undefined) : s));
    return { state, output: state };
  });
  // 'skip' gets 5 as well (same values): the point is the second batch, where 'a' keeps 5.
  assert.deepEqual(run.changes, [[['a', 5], ['skip', 5]], [['a', 5]]]);
  const removed = await runPartitioned([[['gone', 1]]], (pairs: DStream<Pair<string, number>>) => {
    const state = pairs.updateStateByKey(() => undefined);
    return { state, output: state };
  });
  assert.deepEqual(removed.changes, [[]]);
});

const lines = [
  ['the quick brown fox', 'jumps over the lazy dog'],
  [],
  ['长江 长江 黄河', 'the  end\tof the\x0Bline'],
  ['fox fox fox'],
  ['', '   '],
  ['dog the 长江'],
];

/** Each batch's words with their running totals, as a reference computes them. */
function referenceChanges(batches: readonly (readonly string[])[]): Map<string, number>[] {
  const totals = new Map<string, number>();
  return batches.map((batch) => {
    const touched = new Map<string, number>();
    for (const word of batch.flatMap((l) => l.split(/[ \t\n\x0B\f\r]+/)).filter((w) => w !== '')) {
      totals.set(word, (totals.get(word) ?? 0) + 1);
      touched.set(word, totals.get(word) as number);
    }
    return touched;
  });
}

for (const kernels of [undefined, null] as const) {
  test(`updateStateByKey(runningSum) fused word count from lines: changesAt is each batch's words with their totals (kernels ${kernels === null ? 'off' : 'on'})`, async () => {
    let stream: StateDStream<string, number, number> | undefined;
    const run = await runPartitioned(lines, (l: DStream<string>) => {
      stream = l.flatMap(splitWhitespace).map(pairWithOne).updateStateByKey(runningSum);
      return { state: stream, output: stream.changes() };
    }, { kernels, asRecords: true });
    assert.equal(stream?.onKernelTable, kernels === undefined);
    assert.deepEqual(run.changes.map((c) => new Map(c as Pair<string, number>[])), referenceChanges(lines));
    // The changes() view and changesAt agree (no key was removed).
    assert.deepEqual(run.outputs.map((o) => new Map(o)), referenceChanges(lines));
  });
}

test('updateStateByKey(runningSum) of delimited fields: changesAt holds the batch\'s provinces with their totals', async () => {
  const orders = [['1,12,45.00', '2,12,20.00', '3,14,10.00'], ['4,21,100.50', 'broken line', '6,12,1.50'], []];
  const run = await runPartitioned(orders, (l: DStream<string>) => {
    const state = l.flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 })).updateStateByKey(runningSum);
    return { state, output: state };
  }, { asRecords: true });
  assert.deepEqual(run.changes.map((c) => new Map(c as Pair<string, number>[])), [new Map([['12', 65], ['14', 10]]), new Map([['21', 100.5], ['12', 66.5]]), new Map()]);
});

test('mapWithState: changesAt holds [state, last record time] of created, updated and refreshed keys, and undefined for removed and timed-out ones', async () => {
  const spec = StateSpec.function((key: string, value: string | undefined, state: State<number>) => {
    if (value === undefined) return `${key}:timeout`;
    if (value === 'rm') {
      state.remove();
      return `${key}:removed`;
    }
    if (value === 'peek') return `${key}:${String(state.getOption())}`;
    state.update((state.getOption() ?? 0) + 1);
    return `${key}:${state.get()}`;
  }).timeout(2000);
  const input: Pair<string, string>[][] = [
    [['a', 'x'], ['b', 'x'], ['a', 'x']],
    [['b', 'peek'], ['c', 'peek'], ['c', 'rm']],
    [['a', 'rm']],
    [],
    [['d', 'x']],
  ];
  const run = await runPartitioned(input, (pairs: DStream<Pair<string, string>>) => {
    const state = pairs.mapWithState(spec).checkpoint(1000);
    return { state, output: state };
  });
  assert.deepEqual(run.changes, [
    [['a', [2, 1000]], ['b', [1, 1000]]],
    [['b', [1, 2000]]],
    [['a', undefined]],
    [],
    [['d', [1, 5000]], ['b', undefined]],
  ]);
  assert.deepEqual(run.outputs[4], ['d:1', 'b:timeout']);
});

test('mapWithState without a timeout: a record that leaves the state alone is no change', async () => {
  const spec = StateSpec.function((key: string, value: number | undefined, state: State<number>) => {
    if (value !== undefined && value > 0) state.update(value);
    return key;
  });
  const run = await runPartitioned([[['a', 1], ['b', 0]], [['a', 0], ['b', 2]]], (pairs: DStream<Pair<string, number>>) => {
    const state = pairs.mapWithState(spec);
    return { state, output: state };
  });
  assert.deepEqual(run.changes, [[['a', [1, 1000]]], [['b', [2, 2000]]]]);
});

/** Deterministic input: batch i holds words w0..w(n) chosen by a small LCG. */
function wordBatches(batches: number, perBatch: number, vocabulary: number): string[][] {
  let seed = 7;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: batches }, () => Array.from({ length: perBatch }, () => `w${Math.floor(next() / 2 ** 16) % vocabulary}`));
}

const oddKey = (key: unknown): boolean => String(key).length % 2 === 1;
/** Moves the odd-length keys after batch 4, and all keys after batch 8. */
const moveTwice: Between = (batch, state, changelog) => {
  if (batch === 4) moveKeys(state, changelog, oddKey);
  if (batch === 8) moveKeys(state, changelog, () => true);
};

test('round trip: dropping keys and restoring them from the changelog gives the same results as an uninterrupted run (updateStateByKey closure)', async () => {
  const input = wordBatches(12, 40, 30);
  const build = (words: DStream<string>) => {
    const state = words.map(pairWithOne).updateStateByKey(evenUp);
    return { state, output: state };
  };
  const straight = await runPartitioned(input, build);
  const moved = await runPartitioned(input, build, { between: moveTwice });
  assert.deepEqual(moved.outputs.map(sorted), straight.outputs.map(sorted));
  assert.deepEqual(moved.changes.map(sorted), straight.changes.map(sorted));
  assert.ok(straight.changes.some((c) => c.some(([, s]) => s === undefined)), 'the input removes some keys');
});

for (const kernels of [undefined, null] as const) {
  test(`round trip: dropping and restoring running word counts (runningSum, kernels ${kernels === null ? 'off' : 'on'}) gives the same results`, async () => {
    const input = wordBatches(12, 40, 30).map((words) => [words.slice(0, 20).join(' '), words.slice(20).join('  ')]);
    let stream: StateDStream<string, number, number> | undefined;
    const build = (l: DStream<string>) => {
      stream = l.flatMap(splitWhitespace).map(pairWithOne).updateStateByKey(runningSum);
      return { state: stream, output: stream };
    };
    const straight = await runPartitioned(input, build, { kernels, asRecords: true });
    const moved = await runPartitioned(input, build, { kernels, asRecords: true, between: moveTwice });
    assert.equal(stream?.onKernelTable, kernels === undefined);
    assert.deepEqual(moved.outputs.map((o) => new Map(o)), straight.outputs.map((o) => new Map(o)));
    assert.equal(new Map(straight.outputs.at(-1)).size, 30);
  });
}

test('round trip: dropping and restoring mapWithState entries keeps counts and timeouts (last record times) exact', async () => {
  const input = wordBatches(12, 6, 12).map((words) => words.map((w): Pair<string, number> => [w, 1]));
  const spec = StateSpec.function((key: string, value: number | undefined, state: State<number>) => {
    if (value === undefined) return [key, -1] as const;
    state.update((state.getOption() ?? 0) + value);
    return [key, state.get()] as const;
  }).timeout(3000);
  const build = (pairs: DStream<Pair<string, number>>) => {
    const state = pairs.mapWithState(spec).checkpoint(1000);
    return { state, output: state };
  };
  const straight = await runPartitioned(input, build);
  const moved = await runPartitioned(input, build, { between: moveTwice });
  assert.deepEqual(moved.outputs.map(sorted), straight.outputs.map(sorted));
  assert.ok(straight.outputs.flat().some(([, n]) => n === -1), 'some keys time out');
});

test('restoreEntries into a running-sum kernel table sets each key (it does not add), keeps the others, and a partly dropped table stays exact', async () => {
  const run = await runPartitioned([['a a b'], ['a c'], ['b']], (l: DStream<string>) => {
    const state = l.flatMap(splitWhitespace).map(pairWithOne).updateStateByKey(runningSum);
    return { state, output: state };
  }, {
    asRecords: true,
    between: (batch, state) => {
      if (batch !== 1) return;
      // 'a' is 2 here: set to 10, not 12; 'b' stays 1; 'x' is new.
      state.restoreEntries([['a', 10], ['x', 0.5]]);
      assert.deepEqual(new Map([...state.stateKeys()].map((k) => [k, true])), new Map([['a', true], ['b', true], ['x', true]]));
    },
  });
  assert.deepEqual(new Map(run.outputs[2]), new Map([['a', 11], ['b', 2], ['c', 1], ['x', 0.5]]));
});

test('restoreEntries refuses what the operator cannot hold, with ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT', async () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const input = ssc.queueStream<Pair<string, number>>([]);
  const sums = input.updateStateByKey(runningSum);
  const mapped = input.mapWithState(StateSpec.function((k: string) => k));
  for (const s of [sums, mapped]) s.enablePartitionedState();
  assert.throws(() => sums.restoreEntries([['a', 'x']]), { code: 'ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT', message: /runningSum\) cannot restore the state x of key a: running sums are numbers/ });
  assert.throws(() => mapped.restoreEntries([['a', 3]]), { code: 'ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT', message: /\[state, last record time\]/ });
  mapped.restoreEntries([['a', [3, 1000]], ['b', [4, 1000]]]);
  mapped.dropKeys((k) => k === 'a');
  assert.deepEqual([...mapped.stateKeys()], ['b']);
});

test('partitioned state needs no checkpoint store; without it changesAt is refused', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const input = ssc.queueStream<Pair<string, number>>([]);
  const plain = input.updateStateByKey(runningSum);
  assert.throws(() => plain.changesAt(1000), { code: 'ERR_SLUICE_ILLEGAL_STATE', message: /enablePartitionedState/ });
  plain.enablePartitionedState();
  assert.equal(plain.requiresCheckpoint, false);
  assert.equal(plain.partitionedStateEnabled, true);
});

test('changesAt of a batch older than the one before the last is refused with ERR_SLUICE_SCALE_OUT_CHANGES_GONE', async () => {
  let late: unknown;
  await runPartitioned([['a'], ['b'], ['c']], (words) => {
    const state = words.map(pairWithOne).updateStateByKey(runningSum);
    state.foreachRDD((_, time) => {
      if (time === 3000) {
        assert.deepEqual(state.changesAt(2000), [['b', 1]]);
        try {
          state.changesAt(1000);
        } catch (error) {
          late = error;
        }
      }
    });
    return { state, output: state };
  });
  assert.equal((late as { code?: string }).code, 'ERR_SLUICE_SCALE_OUT_CHANGES_GONE');
});

test('whole-stream window aggregates cannot be partitioned (a clear error naming the operator); updateStateByKey, mapWithState and the windows can', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const pairs = ssc.queueStream<Pair<string, number>>([]);
  const state = pairs.updateStateByKey(runningSum).name('totals');
  const mapped = pairs.mapWithState(StateSpec.function((k: string) => k));
  assert.equal(isPartitionedState(state), true);
  assert.equal(isPartitionedState(mapped), true);
  assert.equal(partitionedStateUnsupported(state), undefined);
  assert.equal(partitionedStateUnsupported(pairs.map((p) => p)), undefined);
  state.print();
  mapped.print();
  const found = enablePartitionedStates(ssc.graph);
  assert.deepEqual([...found.keys()], ['totals', 'mapWithState#0']);
  assert.equal(state.partitionedStateEnabled && mapped.partitionedStateEnabled, true);
  const windowed = pairs.reduceByKeyAndWindow(sum, subtract, 3000, 1000);
  windowed.name('last3s').print();
  pairs.groupByKeyAndWindow(2000).print();
  assert.equal(partitionedStateUnsupported(pairs.countByValueAndWindow(3000)), undefined);
  assert.deepEqual([...enablePartitionedStates(ssc.graph).keys()], ['totals', 'mapWithState#0', 'last3s', 'window#0', 'reduceByKeyAndWindow#1']);
  for (const [operator, build] of [
    ['countByWindow', (n: DStream<number>) => n.countByWindow(2000)],
    ['reduceByWindow', (n: DStream<number>) => n.reduceByWindow(sum, 2000)],
  ] as const) {
    const other = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
    build(other.queueStream<number>([])).print();
    assert.throws(() => enablePartitionedStates(other.graph), { code: 'ERR_SLUICE_SCALE_OUT_UNSUPPORTED', message: new RegExp(`${operator} aggregates the whole stream as one value`) });
  }
  // A checkpointable operator that is no PartitionedState (none of sluice's own now): refused, named.
  const custom = Object.assign(pairs.map((p) => p), { checkpointKind: 'custom', advanceTo: () => undefined, checkpointState: () => null, restoreState: () => undefined });
  assert.match(partitionedStateUnsupported(custom)?.message ?? '', /The operator custom \(MappedDStream\) keeps state across batches that cannot move/);
});

// Keyed windows (reduceByKeyAndWindow and what is built on it): a key's window state is its values in the buffer and its aggregate.
/** A window over pairs: the operator holding the state, and the windowed counts it gives. */
type KeyedWindow = (pairs: DStream<Pair<string, number>>) => { state: DStream<unknown> & PartitionedState; windows: DStream<Pair<string, number>> };
const asState = (stream: DStream<Pair<string, number>>) => ({ state: stream as DStream<Pair<string, number>> & PartitionedState, windows: stream });
const keyedWindows: [string, KeyedWindow][] = [
  ['sum, no inverse', (p) => asState(p.reduceByKeyAndWindow(sum, 4000, 2000))],
  ['sum / subtract', (p) => asState(p.reduceByKeyAndWindow(sum, subtract, 4000, 2000))],
  ['closures with an inverse and a filter', (p) => asState(p.reduceByKeyAndWindow((a: number, b: number) => a + b, (a: number, b: number) => a - b, 4000, 2000, ([, v]) => v !== 0))],
  [
    'window() of pairs, then reduceByKey',
    (p) => {
      const state = p.window(4000, 2000);
      return { state: state as DStream<Pair<string, number>> & PartitionedState, windows: state.reduceByKey(sum) };
    },
  ],
];

/** Builds `window` over the pairs with its own output (collected into `windows`); the run's output is the input, so `between` runs after every batch. */
const withWindow = (window: KeyedWindow, windows: Pair<string, number>[][]) => (pairs: DStream<Pair<string, number>>) => {
  const built = window(pairs);
  built.windows.foreachRDD((batch) => void windows.push(batch.collect()));
  return { state: built.state, output: pairs };
};

test('reduceByKeyAndWindow: changesAt holds the values that entered, left or changed flag, by [key, time], and the running aggregates that changed, by [key]', async () => {
  const windows: Pair<string, number>[][] = [];
  const input: Pair<string, number>[][] = [[['a', 1], ['b', 2]], [['a', 4]], [], [['b', 8]]];
  const run = await runPartitioned(input, withWindow((p) => asState(p.reduceByKeyAndWindow(sum, subtract, 2000, 2000)), windows));
  assert.deepEqual(windows.map(sorted), [[['a', 5], ['b', 2]], [['a', 0], ['b', 8]]]);
  assert.deepEqual(run.changes.map(sorted), [
    [[['a', 1000], [1, false]], [['b', 1000], [2, false]]],
    // At 2000 the batches of 1000 and 2000 enter the aggregate.
    sorted([[['a', 2000], [4, true]], [['a', 1000], [1, true]], [['b', 1000], [2, true]], [['a'], 5], [['b'], 2]]),
    [],
    // At 4000 they leave (tombstones) and 4000's enters: a keeps its aggregate (0), b's is 8.
    sorted([[['b', 4000], [8, true]], [['b', 1000], undefined], [['a', 1000], undefined], [['a', 2000], undefined], [['b'], 8], [['a'], 0]]),
  ]);
});

for (const [name, window] of keyedWindows) {
  for (const kernels of [undefined, null] as const) {
    test(`round trip: dropping keys of a keyed window (${name}, kernels ${kernels === null ? 'off' : 'on'}) and restoring them from the changelog gives the same windows`, async () => {
      const input = wordBatches(12, 40, 30).map((words) => words.map(pairWithOne));
      const straightWindows: Pair<string, number>[][] = [];
      const movedWindows: Pair<string, number>[][] = [];
      const straight = await runPartitioned(input, withWindow(window, straightWindows), { kernels });
      await runPartitioned(input, withWindow(window, movedWindows), { kernels, between: moveTwice });
      assert.equal(straightWindows.length, 6);
      assert.deepEqual(movedWindows.map(sorted), straightWindows.map(sorted));
      assert.ok(straight.changes.every((c) => c.length > 0));
    });
  }
}

for (const [name, window] of keyedWindows) {
  for (const moveAfter of [2, 3]) {
    test(`a keyed window (${name}) moved to a process whose windows slide at other times, after its batch ${moveAfter}: every window holds exactly the values of its interval`, async () => {
      // Process A (batches at 1000…4000, windows of 4 s every 2 s at 2000, 4000) has key x.
      const aWindows: Pair<string, number>[][] = [];
      const a = await runPartitioned([[['x', 1]], [['x', 2]], [['x', 4]], [['x', 8]]] as Pair<string, number>[][], withWindow(window, aWindows));
      assert.deepEqual(aWindows, [[['x', 3]], [['x', 15]]]);
      // Process B starts a second later (batches at 2000…7000, windows at 3000, 5000, 7000) with key y, takes x's state after
      // batch 2 (3000: A's value at 4000 is ahead of B's buffer) or 3 (4000), and reads x's records from 5000 on.
      const y: Pair<string, number> = ['y', 1];
      // Taking x after batch 2, B is behind A: it reads an x record at 4000 too, and both values of 4000 count.
      const late = moveAfter === 2 ? 100 : 0;
      const bInput: Pair<string, number>[][] = [[y], [y], late === 0 ? [y] : [y, ['x', late]], [y, ['x', 16]], [y, ['x', 32]], [y, ['x', 64]]];
      const bWindows: Pair<string, number>[][] = [];
      const b = await runPartitioned(bInput, withWindow(window, bWindows), {
        startTime: 1000,
        between: (batch, state) => {
          if (batch === moveAfter) state.restoreEntries([...a.changelog]);
        },
      });
      // (1000, 5000]: 2 + 4 + (8 + late) + 16; (3000, 7000]: (8 + late) + 16 + 32 + 64.
      assert.deepEqual(bWindows.map(sorted), [[['y', 2]], [['x', 30 + late], ['y', 4]], [['x', 120 + late], ['y', 4]]]);
      // What B writes of x at 4000 in the batch after the move holds every value (a later move takes them all).
      const at4000 = b.changes[moveAfter]?.find(([key]) => JSON.stringify(key) === '["x",4000]')?.[1] as [number, boolean] | number[] | undefined;
      const values = name.startsWith('window()') ? (at4000 as number[] | undefined) : [(at4000 as [number, boolean] | undefined)?.[0] ?? 0];
      assert.equal(values?.reduce((p, q) => p + q, 0), 8 + late);
      if (moveAfter !== 2) return;
      // x moves on at 4000, before B computed a window with it: what B wrote by then (values flagged as B's aggregate
      // holds them, and that aggregate) goes to process C, whose windows slide at 5000 and 7000.
      const changelog = new KeyMap<unknown, unknown>([...a.changelog]);
      for (const [key, state] of b.changes.slice(0, 3).flat()) {
        if (state === undefined) changelog.delete(key);
        else changelog.set(key, state);
      }
      const cWindows: Pair<string, number>[][] = [];
      await runPartitioned([[y], [y, ['x', 16]], [y, ['x', 32]], [y, ['x', 64]]] as Pair<string, number>[][], withWindow(window, cWindows), {
        startTime: 3000,
        between: (batch, state) => {
          if (batch === 1) state.restoreEntries([...changelog].filter(([key]) => state.partitionKeyOf?.(key) === 'x'));
        },
      });
      assert.deepEqual(cWindows.map(sorted), [[['x', 30 + late], ['y', 2]], [['x', 120 + late], ['y', 4]]]);
    });
  }
}

test('restoreEntries refuses window state written by another operator, with ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT', () => {
  const keyedWindow = (inverse: boolean): PartitionedState => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
    const pairs = ssc.queueStream<Pair<string, number>>([]);
    const window = (inverse ? pairs.reduceByKeyAndWindow(sum, subtract, 2000) : pairs.reduceByKeyAndWindow(sum, 2000)) as DStream<Pair<string, number>> & PartitionedState;
    window.enablePartitionedState();
    return window;
  };
  for (const [entry, message] of [
    [['k', 3], /window record k → 3: its key is not \[key, time\] or \[key\]/],
    [[['k', 1000], 3], /not \[value, inAggregate\]/],
    [[['k', 1000], ['text', true]], /sums hold numbers/],
    [[['k', 'noon'], [1, true]], /its time is not a whole number/],
  ] as const) {
    assert.throws(() => keyedWindow(true).restoreEntries([entry]), { code: 'ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT', message });
  }
  assert.throws(() => keyedWindow(false).restoreEntries([[['k'], 1]]), { code: 'ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT', message: /has no inverse function/ });
});

test('window() of pairs moves its keys\' values (groupByKeyAndWindow gives the same windows after a round trip); window() of anything else is refused at its first element', async () => {
  const input = wordBatches(12, 20, 12).map((words) => words.map((w, i): Pair<string, number> => [w, i]));
  const build = (windows: Pair<string, number[]>[][]) => (pairs: DStream<Pair<string, number>>) => {
    const state = pairs.window(4000, 2000) as DStream<Pair<string, number>> & PartitionedState;
    state.groupByKey().foreachRDD((batch) => void windows.push(batch.collect()));
    return { state, output: pairs };
  };
  const straightWindows: Pair<string, number[]>[][] = [];
  const movedWindows: Pair<string, number[]>[][] = [];
  const straight = await runPartitioned(input, build(straightWindows));
  await runPartitioned(input, build(movedWindows), { between: moveTwice });
  assert.equal(straightWindows.length, 6);
  assert.deepEqual(movedWindows.map(sorted), straightWindows.map(sorted));
  const firstBatch = input[0] ?? [];
  const firstKey = firstBatch[0]?.[0];
  assert.deepEqual(straight.changes[0]?.[0], [[firstKey, 1000], firstBatch.filter(([w]) => w === firstKey).map(([, i]) => i)], 'a record per key and batch time: the key\'s values');
  await assert.rejects(
    runPartitioned([['a line']], (lines: DStream<string>) => {
      const state = lines.window(2000) as DStream<string> & PartitionedState;
      return { state, output: state };
    }),
    (error: Error & { cause?: { code?: string; message?: string } }) => error.cause?.code === 'ERR_SLUICE_SCALE_OUT_UNSUPPORTED' && /must be \[key, value\] pairs; got a line\./.test(error.cause.message ?? ''),
  );
});

for (const [name, window] of keyedWindows) {
  test(`a keyed window (${name}) reset after a batch whose commit failed: that batch's values never enter the window, and its records read again count once`, async () => {
    const batches = wordBatches(7, 30, 20).map((words) => words.map(pairWithOne));
    const [b1, b2, b3, ...rest] = batches as [Pair<string, number>[], Pair<string, number>[], Pair<string, number>[], ...Pair<string, number>[][]];
    // The process resets after batch 3 (at 3000, no window there): its state is what the changelog held after batch 2, and
    // batch 3's records are read again by batch 4. The same windows as a run in which batch 3 was empty and batch 4 had them.
    const resetWindows: Pair<string, number>[][] = [];
    const straightWindows: Pair<string, number>[][] = [];
    await runPartitioned([b1, b2, b3, b3, ...rest], withWindow(window, resetWindows), {
      aborted: (batch) => batch === 3,
      between: (batch, state, changelog) => {
        if (batch !== 3) return;
        state.dropKeys(() => true);
        state.restoreEntries([...changelog]);
      },
    });
    await runPartitioned([b1, b2, [], b3, ...rest], withWindow(window, straightWindows));
    assert.equal(straightWindows.length, 4);
    assert.deepEqual(resetWindows.map(sorted), straightWindows.map(sorted));
  });
}

for (const kernels of [undefined, null] as const) {
  test(`updateStateByKey with an initial state (runningSum, kernels ${kernels === null ? 'off' : 'on'}): loaded partition by partition, reported with the next batch's changes`, async () => {
    let loaded: (number | undefined)[] = [];
    const run = await runPartitioned([['a c'], ['b']], (l: DStream<string>) => {
      const state = l.flatMap(splitWhitespace).map(pairWithOne).updateStateByKey(runningSum, { initialState: [['a', 10], ['b', 20], ['z', 5]] });
      return { state, output: state };
    }, {
      kernels,
      asRecords: true,
      // The process takes the partitions of a and b first (before the first batch), z's after batch 1.
      beforeStart: (state) => void loaded.push(state.loadInitialState?.((key) => key !== 'z', 0)),
      between: (batch, state) => {
        if (batch === 1) loaded.push(state.loadInitialState?.((key) => key === 'z', 1000));
      },
    });
    assert.deepEqual(loaded, [2, 1]);
    assert.deepEqual(run.changes, [[['a', 10], ['b', 20], ['a', 11], ['c', 1]], [['z', 5], ['b', 21]]]);
    assert.deepEqual(new Map(run.outputs[0] as Pair<string, number>[]), new Map([['a', 11], ['b', 20], ['c', 1]]));
    assert.deepEqual(new Map(run.outputs[1] as Pair<string, number>[]), new Map([['a', 11], ['b', 21], ['c', 1], ['z', 5]]));
  });
}

test('mapWithState with an initial state: loaded partition by partition as of the batch that follows; an operator without one loads nothing', async () => {
  const counting = StateSpec.function((key: string, value: number | undefined, state: State<number>) => {
    state.update((state.getOption() ?? 0) + (value ?? 0));
    return [key, state.get()] as const;
  }).initialState([['a', 100], ['q', 7]]);
  const run = await runPartitioned([[['a', 1]], [['b', 1]]] as Pair<string, number>[][], (pairs: DStream<Pair<string, number>>) => {
    const state = pairs.mapWithState(counting);
    return { state, output: state.stateSnapshots() };
  }, { beforeStart: (state) => assert.equal(state.loadInitialState?.((key) => key === 'a', 0), 1) });
  assert.deepEqual(run.changes, [[['a', [101, 1000]]], [['b', [1, 2000]]]]);
  assert.deepEqual(new Map(run.outputs[1] as Pair<string, number>[]), new Map([['a', 101], ['b', 1]]), 'q\'s partition was never taken, so its initial state was not loaded');
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const plain = ssc.queueStream<Pair<string, number>>([]).updateStateByKey(runningSum);
  plain.enablePartitionedState();
  assert.equal(plain.loadInitialState(() => true), undefined);
});

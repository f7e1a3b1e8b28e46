/**
 * The scenarios of the Spark parity test, sluice's side: the same pipelines
 * as test/spark/SparkScenarios.java, each output named as there, over the
 * same generated batches. Elements are compared as JSON text (undefined as
 * null, grouped values sorted by their JSON text, as the Java side writes
 * them), as a multiset per batch: the order of a batch's elements is not
 * Spark's to define either (it depends on its partitioning).
 */
import {
  type Batch, type DStream, InMemoryCheckpointStore, type Kernels, ManualClock, type Pair, Receiver, type State, StateSpec, StreamingContext,
  keyValueFields, pairWithOne, runningSum, splitWhitespace, subtract, sum,
} from '../../src/index.js';
import { Rng } from '../../src/corpus/prng.js';

export const BATCH_MS = 1000;
/** Batches with data, then empty ones, so that windows drain and idle keys time out. */
export const DATA_BATCHES = 14;
export const BATCHES = 24;

const KEYS = ['a', 'b', 'c', 'd', 'e', '长江'];
const WORDS = ['spark', 'sluice', 'river', 'the', 'a', '长江', '黄河', 'Stream', 'stream'];

/** Per scenario: its input (batch index → records) and the outputs it defines. */
export interface Scenario {
  readonly name: string;
  readonly input: (rng: Rng) => string[][];
  readonly define: (lines: DStream<string>, collect: Collector) => void;
}

export type Collector = <T>(output: string, stream: DStream<T>) => void;

function batchesOf(rng: Rng, record: (rng: Rng) => string, most: number): string[][] {
  return Array.from({ length: DATA_BATCHES }, (_, i) => (i % 5 === 3 ? [] : Array.from({ length: rng.nextInt(most + 1) }, () => record(rng))));
}

const pick = <T>(rng: Rng, from: readonly T[]): T => from[rng.nextInt(from.length)] as T;
/** "key n", n in [low, high]. */
const keyedIn = (low: number, high: number) => (rng: Rng): string => `${pick(rng, KEYS)} ${low + rng.nextInt(high - low + 1)}`;
/**
 * Positive values for the windows: with an inverse and a filter, Spark itself
 * fails a batch ("Neither previous window has value for key, nor new values
 * found") once a key the filter dropped at 0 has values leaving the window.
 */
const keyed = keyedIn(1, 6);
/** Negative values too, for the state scenarios (a negative value removes a mapWithState key). */
const keyedSigned = keyedIn(-2, 5);
const words = (rng: Rng): string => Array.from({ length: rng.nextInt(6) }, () => pick(rng, WORDS)).join(pick(rng, [' ', ' ', '  ', '\t']));

/** "key n" records (of one side of a join: "L key n" / "R key n") as [key, n]. */
function pairs(lines: DStream<string>, side = ''): DStream<Pair<string, number>> {
  return lines
    .filter((line) => (side === '' ? !line.startsWith('L ') && !line.startsWith('R ') : line.startsWith(`${side} `)))
    .map((line): Pair<string, number> => {
      const [key, n] = (side === '' ? line : line.slice(2)).split(' ');
      return [key as string, Number(n)];
    });
}

const plus = (a: number, b: number): number => a + b;
const minus = (a: number, b: number): number => a - b;

function byJson<T>(values: readonly T[]): T[] {
  return [...values].sort((x, y) => {
    const a = toJson(x);
    const b = toJson(y);
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v === undefined ? null : v));
}

/**
 * Orders as the seed writes them, prices in quarters so that sums are exact
 * whatever the order of addition (Spark adds per partition); one line in
 * ten has too few fields (the seed's filter drops it, as keyValueFields does).
 */
function order(rng: Rng): string {
  const id = `2017102616453${String(rng.nextInt(1e6)).padStart(6, '0')}`;
  if (rng.nextInt(10) === 0) return `${id},${pick(rng, ['12', '14'])}`;
  return `${id},${pick(rng, ['12', '14', '21', '7'])},${(rng.nextInt(4000) / 4).toFixed(2)}`;
}

const provinceAsNumber = ([k, v]: Pair<string, number>): Pair<number, number> => [Number(k), v];

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'wordCount',
    input: (rng) => batchesOf(rng, words, 5),
    define: (lines, collect) => collect('wordCount', lines.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum)),
  },
  {
    name: 'reduceByKeyAndWindow',
    input: (rng) => batchesOf(rng, keyed, 4),
    define: (lines, collect) => {
      const p = pairs(lines);
      collect('reduceByKeyAndWindow/3s', p.reduceByKeyAndWindow(plus, 3000));
      collect('reduceByKeyAndWindow/4s-2s', p.reduceByKeyAndWindow(plus, 4000, 2000));
      collect('reduceByKeyAndWindow/inverse-4s-2s', p.reduceByKeyAndWindow(sum, subtract, 4000, 2000));
      collect('reduceByKeyAndWindow/inverse-3s-filter', p.reduceByKeyAndWindow(plus, minus, 3000, 1000, ([, v]) => v !== 0));
    },
  },
  {
    name: 'windows',
    input: (rng) => batchesOf(rng, keyed, 4),
    define: (lines, collect) => {
      const p = pairs(lines);
      collect('windows/window-3s-2s', p.window(3000, 2000));
      collect('windows/countByWindow-3s', p.countByWindow(3000, 1000));
      collect('windows/reduceByWindow-3s-2s', p.map(([, v]) => v).reduceByWindow(plus, 3000, 2000));
      collect('windows/reduceByWindow-inverse-4s', p.map(([, v]) => v).reduceByWindow(plus, minus, 4000, 1000));
      collect('windows/countByValueAndWindow-3s', p.map(([k]) => k).countByValueAndWindow(3000, 1000));
      collect('windows/groupByKeyAndWindow-2s', p.groupByKeyAndWindow(2000, 1000).mapValues(byJson));
      collect('windows/window-1s-3s', p.window(1000, 3000));
      collect('windows/reduceByKeyAndWindow-2s-3s', p.reduceByKeyAndWindow(plus, 2000, 3000));
      collect('windows/countByValueAndWindow-2s-2s', p.map(([k]) => k).countByValueAndWindow(2000, 2000));
    },
  },
  {
    name: 'updateStateByKey',
    input: (rng) => batchesOf(rng, keyedSigned, 3),
    define: (lines, collect) =>
      collect('updateStateByKey', pairs(lines).updateStateByKey((values: number[], state: number | undefined) => {
        const total = values.reduce(plus, state ?? 0);
        return total > 6 ? undefined : total;
      })),
  },
  ...(['mapWithState', 'mapWithStateScan3s'] as const).map((name): Scenario => ({
    name,
    input: (rng) => batchesOf(rng, keyedSigned, 3),
    define: (lines, collect) => {
      const spec = StateSpec.function((key: string, value: number | undefined, state: State<number>): Pair<string, string> => {
        if (state.isTimingOut()) return [key, `timeout ${state.get()}`];
        if (value !== undefined && value < 0) {
          if (state.exists()) state.remove();
          return [key, 'removed'];
        }
        const total = (state.exists() ? state.get() : 0) + (value ?? 0);
        state.update(total);
        return [key, String(total)];
      }).timeout(2000);
      const mapped = pairs(lines).mapWithState(spec);
      if (name === 'mapWithStateScan3s') mapped.checkpoint(3000);
      collect(`${name}/mapped`, mapped);
      collect(`${name}/snapshots`, mapped.stateSnapshots());
    },
  })),
  {
    name: 'initialState',
    input: (rng) => batchesOf(rng, keyed, 3),
    define: (lines, collect) => {
      const p = pairs(lines);
      const capped = (values: number[], state: number | undefined): number | undefined => {
        const total = values.reduce(plus, state ?? 0);
        return total > 9 ? undefined : total;
      };
      collect('initialState/updateStateByKey', p.updateStateByKey(capped, { initialState: [['a', 3], ['z', 1]] }));
      const counting = StateSpec.function((key: string, value: number | undefined, state: State<number>): Pair<string, string> => {
        if (state.isTimingOut()) return [key, `timeout ${state.get()}`];
        state.update((state.getOption() ?? 0) + (value ?? 0));
        return [key, String(state.get())];
      });
      const mapped = p.mapWithState(counting.initialState([['a', 10], ['y', 2]]).timeout(3000)).checkpoint(2000);
      collect('initialState/mapWithState', mapped);
      collect('initialState/mapWithState-snapshots', mapped.stateSnapshots());
    },
  },
  {
    name: 'joins',
    input: (rng) => batchesOf(rng, (r) => `${pick(r, ['L', 'R'])} ${keyedSigned(r)}`, 5),
    define: (lines, collect) => {
      const left = pairs(lines, 'L');
      const right = pairs(lines, 'R');
      collect('joins/join', left.join(right));
      collect('joins/leftOuterJoin', left.leftOuterJoin(right));
      collect('joins/rightOuterJoin', left.rightOuterJoin(right));
      collect('joins/fullOuterJoin', left.fullOuterJoin(right));
      collect('joins/cogroup', left.cogroup(right).mapValues(([vs, ws]) => [byJson(vs), byJson(ws)] as const));
      collect('joins/union-countByValue', left.union(right).map(([k]) => k).countByValue());
    },
  },
  {
    name: 'orders',
    input: (rng) => batchesOf(rng, order, 6),
    define: (lines, collect) => {
      const orders = lines.flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 }));
      collect('orders/totals', orders.reduceByKey(sum).map(provinceAsNumber));
      collect('orders/running', orders.updateStateByKey(runningSum).map(provinceAsNumber));
      collect('orders/window-inverse-3s', orders.reduceByKeyAndWindow(sum, subtract, 3000, 1000).map(provinceAsNumber));
    },
  },
  {
    name: 'operators',
    input: (rng) => batchesOf(rng, keyedSigned, 4),
    define: (lines, collect) => {
      const p = pairs(lines);
      collect('operators/count', p.count());
      collect('operators/reduce', p.map(([, v]) => v).reduce(plus));
      collect('operators/countByValue', p.map(([k]) => k).countByValue());
      collect('operators/groupByKey', p.groupByKey().mapValues(byJson));
      collect('operators/mapValues-flatMapValues', p.mapValues((v) => v * 10).flatMapValues((v) => [v, v + 1]));
      collect('operators/transform', p.transform((batch) => batch.filter(([, v]) => v % 2 === 0).map(([k, v]) => `${k}${v}`)));
      collect('operators/repartition-union', p.repartition(3).union(p.filter(([, v]) => v > 2)).reduceByKey(plus));
      collect('operators/window-of-window', p.window(2000).window(4000, 2000).reduceByKey(plus));
    },
  },
];

/** Outputs by "output time", each a sorted list of JSON elements. */
export type Outputs = Map<string, string[]>;

/** How the scenario's lines reach sluice: as strings (queueStream), or as bytes from a receiver, as sockets and Kafka give them. */
export type Feed = 'queue' | 'receiver';

/** Stores each batch's lines, as bytes, just before its batch time. */
class ScriptedReceiver extends Receiver {
  onStart(): void {}
  onStop(): void {}
}

/**
 * Runs a scenario in sluice on a ManualClock, BATCHES batches, and returns
 * every non-empty output batch. Fed by a receiver, the lines are byte-backed
 * record batches, so chains such as word count and keyValueFields + sum run
 * as one kernel call over the bytes; from a queue they are strings.
 */
export async function runInSluice(
  scenario: Scenario,
  input: readonly (readonly string[])[],
  kernels: Kernels | null | undefined,
  feed: Feed,
): Promise<{ outputs: Outputs; kernelCalls: number }> {
  const clock = new ManualClock();
  const ssc = new StreamingContext(kernels === undefined ? { batchIntervalMs: BATCH_MS, clock } : { batchIntervalMs: BATCH_MS, clock, kernels });
  ssc.checkpoint(new InMemoryCheckpointStore());
  const outputs: Outputs = new Map();
  const collect: Collector = (output, stream) =>
    stream.foreachRDD((batch: Batch<unknown>, time: number) => {
      const elements = batch.collect().map(toJson);
      if (elements.length > 0) outputs.set(`${output} ${time}`, elements.sort());
    });
  let kernelCalls = 0;
  ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => void (kernelCalls += batchInfo.kernelCalls) });
  const receiver = new ScriptedReceiver('parity');
  scenario.define(feed === 'queue' ? ssc.queueStream(input.map((records) => [...records])) : ssc.receiverStream(receiver), collect);
  ssc.start();
  const utf8 = new TextEncoder();
  for (let i = 0; i < BATCHES; i++) {
    if (feed === 'receiver') receiver.store((input[i] ?? []).map((line) => utf8.encode(line)));
    await clock.advance(BATCH_MS);
  }
  await ssc.stop();
  return { outputs, kernelCalls };
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Batch, CheckpointError, type CheckpointStore, decodeCheckpoint, InMemoryCheckpointStore, ManualClock, nonZero, type Pair, pairWithOne, Receiver,
  runningSum, splitWhitespace, type State, StateSpec, StreamingContext, subtract, sum,
} from '../../src/internals.js';
import { Rng } from '../../src/corpus/prng.js';

const BATCHES = 20;
const INTERVAL = 1000;
const VOCABULARY = ['spark', 'sluice', 'river', 'stream', '长江', 'batch', 'window', 'state'];

/** 20 batches of lines from a small vocabulary; some batches are empty. */
function makeInput(): string[][] {
  const rng = new Rng(7);
  return Array.from({ length: BATCHES }, (_, i) => {
    if (i % 7 === 5) return [];
    return Array.from({ length: 1 + rng.nextInt(4) }, () => Array.from({ length: rng.nextInt(5) }, () => VOCABULARY[rng.nextInt(VOCABULARY.length)]).join(' '));
  });
}

/** What every output emitted, by "output@time", and how often each was emitted. */
class Recorder {
  readonly values = new Map<string, string>();
  readonly emissions = new Map<string, number>();

  sink<T>(name: string, sortElements = true): (batch: Batch<T>, time: number) => void {
    return (batch, time) => {
      const elements = batch.collect().map((e) => JSON.stringify(e, (_k, v: unknown) => (v === undefined ? '<none>' : v)));
      const key = `${name}@${time}`;
      this.values.set(key, JSON.stringify(sortElements ? elements.sort() : elements));
      this.emissions.set(key, (this.emissions.get(key) ?? 0) + 1);
    };
  }
}

interface Variant {
  /** Use runningSum (kernel table) or an equivalent user closure for the running counts. */
  readonly builtinState: boolean;
  readonly countsName?: string;
  readonly trendWindowMs?: number;
}

/** The graph: replayable queue → running counts, an inverse window, a plain window, countByWindow, mapWithState with a timeout, a join. */
function build(clock: ManualClock, store: CheckpointStore, rec: Recorder, variant: Variant, options: { checkpointInterval?: number } = {}): StreamingContext {
  const ssc = new StreamingContext({ batchIntervalMs: INTERVAL, clock });
  ssc.checkpoint(store, { checkpointInterval: 1, ...options });
  const lines = ssc.queueStream(makeInput());
  const words = lines.flatMap(splitWhitespace);
  const pairs = words.map(pairWithOne);
  const counts = variant.builtinState
    ? pairs.updateStateByKey(runningSum)
    : pairs.updateStateByKey((values: number[], state: number | undefined) => values.length + (state ?? 0));
  counts.name(variant.countsName ?? 'counts').foreachRDD(rec.sink('counts'));
  pairs.reduceByKeyAndWindow(sum, subtract, variant.trendWindowMs ?? 3000, 2000, nonZero).name('trend').foreachRDD(rec.sink('trend'));
  lines.window(4000, 3000).foreachRDD(rec.sink('window', false));
  words.countByWindow(5000).foreachRDD(rec.sink('countByWindow'));
  const firstLetters = words
    .map((w): Pair<string, number> => [w.slice(0, 1), 1])
    .mapWithState(
      StateSpec.function((key: string, value: number | undefined, state: State<number>) => {
        if (state.isTimingOut()) return `${key} idle at ${state.get()}`;
        state.update((state.getOption() ?? 0) + (value as number));
        return `${key}=${state.get()}`;
      }).timeout(3000),
    )
    // Idle keys looked for every 2 batches from the zero time, which recovery must keep.
    .checkpoint(2000);
  firstLetters.foreachRDD(rec.sink('mapWithState', false));
  firstLetters.stateSnapshots().foreachRDD(rec.sink('snapshots'));
  pairs.reduceByKey(sum).leftOuterJoin(pairs.window(2000).reduceByKey(sum)).foreachRDD(rec.sink('join'));
  return ssc;
}

async function uninterrupted(variant: Variant): Promise<Recorder> {
  const rec = new Recorder();
  const clock = new ManualClock();
  const ssc = build(clock, new InMemoryCheckpointStore(), rec, variant);
  ssc.start();
  await clock.advance(BATCHES * INTERVAL);
  await ssc.stop();
  return rec;
}

/** Passes writes to `store` until it has "crashed". */
class CrashableStore implements CheckpointStore {
  crashed = false;

  constructor(private readonly store: CheckpointStore) {}

  write(data: Uint8Array): Promise<void> {
    return this.crashed ? Promise.resolve() : this.store.write(data);
  }

  read(): Promise<Uint8Array | undefined> {
    return this.store.read();
  }

  describe(): string {
    return this.store.describe();
  }
}

/** Runs `crashAfter` batches, stops (as a crash at that batch boundary would), then recovers after `downtime` batch intervals and finishes. */
async function interrupted(crashAfter: number, downtime: number, before: Variant, after: Variant, options: { checkpointInterval?: number } = {}): Promise<Recorder> {
  const rec = new Recorder();
  const store = new InMemoryCheckpointStore();
  const firstClock = new ManualClock();
  const crashable = new CrashableStore(store);
  const first = build(firstClock, crashable, rec, before, options);
  first.start();
  await firstClock.advance(crashAfter * INTERVAL);
  // A crash writes nothing more: not the checkpoint a clean stop writes.
  crashable.crashed = true;
  await first.stop();
  const clock = new ManualClock((crashAfter + downtime) * INTERVAL);
  const second = await StreamingContext.getOrCreate(store, () => build(clock, store, rec, after, options));
  second.start();
  await clock.advance((BATCHES - crashAfter - downtime) * INTERVAL);
  await second.stop();
  return rec;
}

function assertSameRun(actual: Recorder, expected: Recorder, label: string, exactlyOnce = true): void {
  assert.deepEqual([...actual.values.keys()].sort(), [...expected.values.keys()].sort(), `${label}: the same outputs at the same batch times`);
  for (const [key, value] of expected.values) assert.equal(actual.values.get(key), value, `${label}: ${key}`);
  if (exactlyOnce) for (const [key, n] of actual.emissions) assert.equal(n, 1, `${label}: ${key} emitted ${n} times`);
}

test('recovery at every batch boundary of a 20-batch run equals the uninterrupted run (no record lost or doubled)', async () => {
  const variant = { builtinState: true };
  const expected = await uninterrupted(variant);
  assert.ok(expected.values.size > 100);
  assert.ok([...expected.values.values()].some((v) => v.includes('idle at')), 'the run exercises the mapWithState timeout');
  for (let k = 0; k < BATCHES; k++) {
    const downtime = k === 0 ? 0 : k % 3;
    assertSameRun(await interrupted(k, Math.min(downtime, BATCHES - k), variant, variant), expected, `crash after batch ${k}, ${downtime} batches down`);
  }
});

test('changed closure code recovers state by name: runningSum (kernel table) ⇄ a JS closure', async () => {
  const expected = await uninterrupted({ builtinState: true });
  for (const k of [4, 11]) {
    assertSameRun(await interrupted(k, 0, { builtinState: true }, { builtinState: false }), expected, `table → closure after ${k}`);
    assertSameRun(await interrupted(k, 1, { builtinState: false }, { builtinState: true }), expected, `closure → table after ${k}`);
  }
});

test('with checkpointInterval 3, recovery resumes from the last written checkpoint and outputs after it run again with the same results', async () => {
  const variant = { builtinState: true };
  const expected = await uninterrupted(variant);
  for (const k of [3, 5, 7, 13]) {
    const rec = await interrupted(k, 0, variant, variant, { checkpointInterval: 3 });
    assertSameRun(rec, expected, `interval 3, crash after ${k}`, false);
    const lastCheckpoint = Math.floor(k / 3) * 3;
    const doubled = [...new Set([...rec.emissions].filter(([, n]) => n > 1).map(([key]) => Number(key.split('@')[1]) / INTERVAL))].sort((a, b) => a - b);
    const expectedRerun = Array.from({ length: k - lastCheckpoint }, (_, i) => lastCheckpoint + 1 + i);
    assert.deepEqual(doubled, expectedRerun, `batches after the last checkpoint run again (crash after ${k})`);
  }
});

/** Batch 4000's output blocks while batches up to 7000 are generated; then the context stops (a crash with 5000–7000 pending). */
async function crashWithBatchesPending(variant: Variant): Promise<{ rec: Recorder; store: InMemoryCheckpointStore }> {
  const rec = new Recorder();
  const store = new InMemoryCheckpointStore();
  const clock = new ManualClock();
  const ssc = build(clock, store, rec, variant);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  ssc.queueStream<number>([]).foreachRDD(async (_b, time) => {
    if (time === 4000) await gate;
  });
  ssc.start();
  await clock.advance(3000);
  const moving = clock.advance(4000);
  while ((ssc.lastBatchTime ?? 0) < 7000) await new Promise((r) => setImmediate(r));
  const stopping = ssc.stop();
  release();
  await stopping;
  await moving;
  return { rec, store };
}

test('batches pending at the crash are recorded in the checkpoint and run again after recovery', async () => {
  const variant = { builtinState: true };
  const expected = await uninterrupted(variant);
  const { rec, store } = await crashWithBatchesPending(variant);
  const doc = decodeCheckpoint((await store.read()) as Uint8Array);
  assert.equal(doc.checkpointTime, 4000);
  assert.deepEqual(doc.pendingTimes, [5000, 6000, 7000]);
  assert.deepEqual(doc.sources, { 'input#0': 4, 'input#1': 0 });
  const clock2 = new ManualClock(7000);
  const recovered = await StreamingContext.getOrCreate(store, () => {
    const again = build(clock2, store, rec, variant);
    again.queueStream<number>([]).foreachRDD(() => {});
    return again;
  });
  recovered.start();
  await clock2.advance(13000);
  await recovered.stop();
  assertSameRun(rec, expected, 'pending batches 5–7');
});

test('ssc.recovered tells the program whether getOrCreate restored a checkpoint (create() runs either way)', async () => {
  const store = new InMemoryCheckpointStore();
  let creates = 0;
  const create = (clock: ManualClock) => (): StreamingContext => {
    creates++;
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock });
    ssc.checkpoint(store);
    ssc.queueStream<[string, number]>([[['a', 1]]]).updateStateByKey(runningSum).foreachRDD(() => {});
    return ssc;
  };
  const firstClock = new ManualClock();
  const first = await StreamingContext.getOrCreate(store, create(firstClock));
  assert.equal(first.recovered, false, 'an empty store: a new run');
  first.start();
  await firstClock.advance(2000);
  await first.stop();
  const second = await StreamingContext.getOrCreate(store, create(new ManualClock(2000)));
  assert.equal(second.recovered, true);
  assert.equal(creates, 2);
  await second.stop();
});

test('after a day of downtime, the pending batches and the queued input still run at their own batch times; only empty overdue times are skipped', async () => {
  const variant = { builtinState: true };
  const expected = await uninterrupted(variant);
  const { rec, store } = await crashWithBatchesPending(variant);
  const restart = 7000 + 86_400_000;
  const clock2 = new ManualClock(restart);
  let submitted = 0;
  const recovered = await StreamingContext.getOrCreate(store, () => {
    const again = build(clock2, store, rec, variant);
    again.queueStream<number>([]).foreachRDD(() => {});
    again.addStreamingListener({ onBatchSubmitted: () => void submitted++ });
    return again;
  });
  recovered.start();
  await clock2.advance(2000);
  await recovered.stop();
  // 5000–7000 pending, 8000–20000 take the rest of the queue, then the batches at the restart time and the two after it.
  assert.equal(submitted, 16 + 3);
  assert.equal(recovered.skippedBatchCount, (restart - 20000) / INTERVAL - 1);
  const upTo20s = new Recorder();
  for (const [key, value] of rec.values) if (Number(key.split('@')[1]) <= 20000) upTo20s.values.set(key, value);
  assertSameRun(upTo20s, expected, 'pending batches 5–7 and queued input after a day down');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type CheckpointOptions, type CheckpointStore, InMemoryCheckpointStore, StateDiscardError, ManualClock, type Pair, pairWithOne, Receiver, runningSum, StateSpec, StreamingContext, subtract, sum,
} from '../../src/index.js';
import { decodeCheckpoint } from '../../src/internals.js';

const input = (): string[][] => [['a', 'b'], ['a'], ['c']];

interface Shape {
  readonly intervalMs?: number;
  readonly countsName?: string;
  readonly countsAsMapWithState?: boolean;
  readonly windowMs?: number;
  readonly stringState?: boolean;
  readonly inputs?: number;
  readonly withoutTrend?: boolean;
}

function build(store: CheckpointStore, shape: Shape = {}, clock = new ManualClock()): StreamingContext {
  const ssc = new StreamingContext({ batchIntervalMs: shape.intervalMs ?? 1000, clock });
  ssc.checkpoint(store, { checkpointInterval: 1 });
  const pairs = ssc.queueStream(input()).map(pairWithOne);
  for (let i = 1; i < (shape.inputs ?? 1); i++) ssc.queueStream<string>([]).print();
  const counts = shape.countsAsMapWithState
    ? pairs.mapWithState(StateSpec.function((k: string) => k))
    : shape.stringState
      ? pairs.updateStateByKey((v: number[], s: string | undefined) => `${s ?? ''}${v.length}`)
      : pairs.updateStateByKey(runningSum);
  counts.name(shape.countsName ?? 'counts').foreachRDD(() => {});
  if (shape.withoutTrend !== true) pairs.reduceByKeyAndWindow(sum, subtract, shape.windowMs ?? 2000).name('trend').foreachRDD(() => {});
  return ssc;
}

async function storeAfterTwoBatches(shape: Shape = {}): Promise<InMemoryCheckpointStore> {
  const store = new InMemoryCheckpointStore('store S');
  const clock = new ManualClock();
  const ssc = build(store, shape, clock);
  ssc.start();
  await clock.advance(2000);
  await ssc.stop();
  return store;
}

function incompatible(pattern: RegExp): (e: unknown) => boolean {
  return (e: unknown) => (e as { code?: string }).code === 'ERR_SLUICE_CHECKPOINT_INCOMPATIBLE' && pattern.test((e as Error).message);
}

test('state missing for a renamed operator: clear error listing what the checkpoint holds', async () => {
  const store = await storeAfterTwoBatches();
  await assert.rejects(
    StreamingContext.getOrCreate(store, () => build(store, { countsName: 'totals' })),
    incompatible(/store S: it holds no state for updateStateByKey 'totals' \(it holds state for: 'counts', 'trend'\)\. If the operator was renamed, give it its old name/),
  );
});

test('an operator whose kind changed under the same name', async () => {
  const store = await storeAfterTwoBatches();
  await assert.rejects(
    StreamingContext.getOrCreate(store, () => build(store, { countsAsMapWithState: true })),
    incompatible(/'counts' was a updateStateByKey when the checkpoint was written and is a mapWithState now\. Give the new operator another \.name/),
  );
});

test('a window whose length changed', async () => {
  const store = await storeAfterTwoBatches();
  await assert.rejects(
    StreamingContext.getOrCreate(store, () => build(store, { windowMs: 3000 })),
    incompatible(/reduceByKeyAndWindow 'trend'.*the window length was 2000 ms when the checkpoint was written and is 3000 ms now/),
  );
});

test('state typed differently: runningSum cannot continue string state', async () => {
  const store = await storeAfterTwoBatches({ stringState: true });
  await assert.rejects(StreamingContext.getOrCreate(store, () => build(store)), incompatible(/'counts'.*values that are not numbers/));
});

test('another batch interval, or a source the graph no longer has', async () => {
  const store = await storeAfterTwoBatches({ inputs: 2 });
  await assert.rejects(StreamingContext.getOrCreate(store, () => build(store, { intervalMs: 500 })), incompatible(/batch interval of 1000 ms and this context has 500 ms/));
  await assert.rejects(StreamingContext.getOrCreate(store, () => build(store)), incompatible(/position for source 'input#1', which the new graph does not have/));
});

test('a corrupted checkpoint in the store: ERR_SLUICE_CHECKPOINT_CORRUPT', async () => {
  const good = (await (await storeAfterTwoBatches()).read()) as Uint8Array;
  const bad = good.slice();
  bad[bad.length - 5] = (bad[bad.length - 5] as number) ^ 1;
  const store = new InMemoryCheckpointStore();
  await store.write(bad);
  await assert.rejects(StreamingContext.getOrCreate(store, () => build(store)), { code: 'ERR_SLUICE_CHECKPOINT_CORRUPT' });
});

test('getOrCreate with an empty store returns the created context, checkpointing to that store', async () => {
  const store = new InMemoryCheckpointStore();
  const clock = new ManualClock(5000);
  const ssc = await StreamingContext.getOrCreate(store, () => {
    const created = new StreamingContext({ batchIntervalMs: 1000, clock });
    created.queueStream([[['k', 1]] as Pair<string, number>[]]).updateStateByKey(runningSum).foreachRDD(() => {});
    return created;
  });
  assert.equal(ssc.checkpointStore, store);
  ssc.start();
  assert.equal(ssc.zeroTime, 5000);
  await clock.advance(1000);
  await ssc.stop();
  // The start record (written before start), then the checkpoint a stop writes of its last batch.
  assert.equal(store.writes, 2);
  const doc = decodeCheckpoint((await store.read()) as Uint8Array);
  assert.deepEqual([doc.zeroTime, doc.checkpointTime, doc.pendingTimes, doc.sources], [5000, 6000, [], { 'input#0': 1 }]);
});

test('the default checkpoint interval is max(batch, 10 s) in whole batches; checkpointIntervalMs is the same as a duration', async () => {
  /** Checkpoints written by `batches` batches, and after the stop that follows (which checkpoints its last batch if it was not). */
  const writesAfter = async (batchIntervalMs: number, batches: number, options: CheckpointOptions = {}): Promise<[number, number]> => {
    const store = new InMemoryCheckpointStore();
    const clock = new ManualClock();
    const ssc = new StreamingContext({ batchIntervalMs, clock });
    ssc.checkpoint(store, options);
    ssc.queueStream([[['k', 1]] as Pair<string, number>[]]).updateStateByKey(runningSum).foreachRDD(() => {});
    ssc.start();
    await clock.advance(batches * batchIntervalMs);
    const running = store.writes;
    await ssc.stop();
    return [running, store.writes];
  };
  assert.deepEqual(await writesAfter(1000, 35), [3, 4]);
  assert.deepEqual(await writesAfter(3000, 10), [2, 3], '10 s is rounded up to 4 batches of 3 s');
  assert.deepEqual(await writesAfter(20_000, 3), [3, 3], 'a batch longer than 10 s checkpoints every batch');
  assert.deepEqual(await writesAfter(1000, 35, { checkpointIntervalMs: 5000 }), [7, 7]);
  assert.deepEqual(await writesAfter(1000, 35, { checkpointInterval: 1 }), [35, 35]);
  const ssc = new StreamingContext({ batchIntervalMs: 1000 });
  for (const bad of [{ checkpointIntervalMs: 1500 }, { checkpointIntervalMs: 500 }, { checkpointIntervalMs: 2000, checkpointInterval: 2 }]) {
    assert.throws(() => ssc.checkpoint(new InMemoryCheckpointStore(), bad), { code: 'ERR_SLUICE_INVALID_ARGUMENT' }, JSON.stringify(bad));
  }
});

test('two streams with one name: clear error at start()', () => {
  const ssc = build(new InMemoryCheckpointStore(), { countsName: 'trend' });
  assert.throws(() => ssc.start(), { code: 'ERR_SLUICE_INVALID_ARGUMENT', message: /Two streams are named 'trend'/ });
  assert.equal(ssc.state, 'initialized');
});

test('checkpointInterval must be a positive whole number', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  assert.throws(() => ssc.checkpoint(new InMemoryCheckpointStore(), { checkpointInterval: 0 }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
});

/** Replayable receiver: position = how many lines it has stored; restorePosition must come before onStart. */
class CountingReceiver extends Receiver {
  stored = 0;
  restoredTo: number | undefined;
  startedAfterRestore = false;
  onStart(): void {
    this.startedAfterRestore = this.restoredTo !== undefined;
  }
  onStop(): void {}
  push(line: string): void {
    this.store(line);
    this.stored++;
  }
  override checkpointPosition(): number {
    return this.stored;
  }
  override restorePosition(position: unknown): void {
    this.restoredTo = position as number;
    this.stored = position as number;
  }
}

test("a receiver's position is saved right after each batch and restored before it starts", async () => {
  const store = new InMemoryCheckpointStore();
  const clock = new ManualClock();
  const make = (receiver: CountingReceiver, c: ManualClock): StreamingContext => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: c });
    ssc.checkpoint(store, { checkpointInterval: 1 });
    ssc.receiverStream(receiver).name('lines').map(pairWithOne).updateStateByKey(runningSum).foreachRDD(() => {});
    return ssc;
  };
  const first = new CountingReceiver();
  const ssc = make(first, clock);
  ssc.start();
  first.push('x');
  first.push('y');
  await clock.advance(1000);
  first.push('z');
  await clock.advance(1000);
  first.push('not yet in a batch');
  await ssc.stop();
  const second = new CountingReceiver();
  const recovered = await StreamingContext.getOrCreate(store, () => make(second, new ManualClock(2000)));
  assert.equal(second.restoredTo, 3);
  recovered.start();
  assert.equal(second.startedAfterRestore, true);
  await recovered.stop();
});

test('a graph that dropped a stateful operator is refused (the state is named, the checkpoint untouched) unless discardState names it', async () => {
  const store = await storeAfterTwoBatches();
  const before = await store.read();
  const writes = store.writes;
  await assert.rejects(StreamingContext.getOrCreate(store, () => build(store, { withoutTrend: true })), (e: unknown) => {
    assert.ok(e instanceof StateDiscardError);
    assert.equal(e.code, 'ERR_SLUICE_CHECKPOINT_STATE_DISCARDED');
    assert.deepEqual(e.operators, ['trend']);
    assert.match(e.message, /store S would discard the state of reduceByKeyAndWindow 'trend'.*Nothing was started and the checkpoint is unchanged.*discardState: \['trend'\]/);
    return true;
  });
  assert.equal(store.writes, writes);
  assert.deepEqual(await store.read(), before);
  // Naming other state does not allow it.
  await assert.rejects(StreamingContext.getOrCreate(store, () => build(store, { withoutTrend: true }), { discardState: ['counts'] }), StateDiscardError);
  await assert.rejects(StreamingContext.getOrCreate(store, () => build(store), { discardState: 'trend' as unknown as string[] }), /discardState must be a list/);
  // Allowed explicitly: recovers the rest and continues.
  const clock = new ManualClock(2000);
  let counts: readonly Pair<string, number>[] = [];
  const ssc = await StreamingContext.getOrCreate(
    store,
    () => {
      const again = build(store, { withoutTrend: true }, clock);
      again.graph.streams().find((s) => s.constructor.name === 'StateDStream')?.foreachRDD((b) => void (counts = b.collect() as Pair<string, number>[]));
      return again;
    },
    { discardState: ['trend'] },
  );
  ssc.start();
  await clock.advance(1000);
  await ssc.stop();
  assert.deepEqual([...counts].sort(), [['a', 2], ['b', 1], ['c', 1]]);
  assert.deepEqual(Object.keys(decodeCheckpoint((await store.read()) as Uint8Array).operators), ['counts']);
});

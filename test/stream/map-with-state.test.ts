import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IllegalStateError, InMemoryCheckpointStore, ManualClock, type Pair, State, StateSpec, StreamingContext } from '../../src/index.js';
import { testOperation } from '../harness/operation.js';

type P = Pair<string, number>;
const store = () => new InMemoryCheckpointStore();

/** Running count per word, emitting (word, count so far) for each record; on timeout emits (word, 'timeout'). */
const runningCount = (key: string, value: number | undefined, state: State<number>): Pair<string, number | string> => {
  if (state.isTimingOut()) return [key, `timeout after ${state.get()}`];
  const next = (state.getOption() ?? 0) + (value as number);
  state.update(next);
  return [key, next];
};

test('mapWithState: one call per record, in order, with the state updated between calls', async () => {
  await testOperation<P, Pair<string, number | string>>(
    [[['a', 1], ['b', 1], ['a', 1]], [], [['a', 5]]],
    (s) => s.mapWithState(StateSpec.function(runningCount)),
    [[['a', 1], ['b', 1], ['a', 2]], [], [['a', 7]]],
    { checkpoint: store() },
  );
});

test('stateSnapshots: the whole state after each batch', async () => {
  await testOperation<P, Pair<string, number>>(
    [[['a', 1], ['b', 1], ['a', 1]], [], [['a', 5]]],
    (s) => s.mapWithState(StateSpec.function(runningCount)).stateSnapshots(),
    [[['a', 2], ['b', 1]], [['a', 2], ['b', 1]], [['a', 7], ['b', 1]]],
    { checkpoint: store() },
  );
});

test('idle timeout: a key idle longer than the timeout gets one timing-out call, then is removed', async () => {
  // Scanned every batch (checkpoint(1000)), timeout 2 s: b's last record is at 1000; at 4000 the threshold is 2000 > 1000, so b times out there.
  const input: P[][] = [[['a', 1], ['b', 1]], [['a', 1]], [['a', 1]], [['a', 1]], [], [], []];
  const outputs = await testOperation<P, Pair<string, number | string>>(
    input,
    (s) => s.mapWithState(StateSpec.function(runningCount).timeout(2000)).checkpoint(1000),
    [[['a', 1], ['b', 1]], [['a', 2]], [['a', 3]], [['a', 4], ['b', 'timeout after 1']], [], [], [['a', 'timeout after 4']]],
    { checkpoint: store() },
  );
  assert.equal(outputs.outputs.length, 7);
});

test('as in Spark, idle keys are looked for only every 10 batches by default: b (last record at 1000, timeout 2 s) times out at 10000', async () => {
  const input: P[][] = [[['a', 1], ['b', 1]], ...Array.from({ length: 8 }, (): P[] => [['a', 1]]), [], [], []];
  const run = await testOperation<P, Pair<string, number | string>>(
    input,
    (s) => s.mapWithState(StateSpec.function(runningCount).timeout(2000)),
    [[['a', 1], ['b', 1]], [['a', 2]], [['a', 3]], [['a', 4]], [['a', 5]], [['a', 6]], [['a', 7]], [['a', 8]], [['a', 9]], [['b', 'timeout after 1']], [], []],
    { checkpoint: store() },
  );
  assert.equal(run.outputs.length, 12);
});

test('checkpoint(ms) sets how often idle keys are looked for: every 3 batches, b times out at 6000 (at 3000 its threshold, 1000, is not past)', async () => {
  const input: P[][] = [[['a', 1], ['b', 1]], [], [], [], [], [], [], [], []];
  await testOperation<P, Pair<string, number | string>>(
    input,
    (s) => s.mapWithState(StateSpec.function(runningCount).timeout(2000)).checkpoint(3000),
    [[['a', 1], ['b', 1]], [], [], [], [], [['a', 'timeout after 1'], ['b', 'timeout after 1']], [], [], []],
    { checkpoint: store() },
  );
});

test('checkpoint(ms) on mapWithState takes a multiple of the batch interval, before start()', async () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  ssc.checkpoint(store());
  const mapped = ssc.queueStream<P>([]).mapWithState(StateSpec.function(runningCount).timeout(2000));
  for (const bad of [0, 500, 1500, -1000, Number.NaN]) {
    assert.throws(() => mapped.checkpoint(bad), { code: 'ERR_SLUICE_INVALID_ARGUMENT', message: /multiple of its batch interval \(1000 ms, its input's slide\)/ });
  }
  mapped.checkpoint(2000).foreachRDD(() => {});
  ssc.start();
  assert.throws(() => mapped.checkpoint(1000), { code: 'ERR_SLUICE_ILLEGAL_STATE' });
  await ssc.stop();
});

test('a record refreshes the idle time even without an update; a removed key gets no timeout call', async () => {
  const input: P[][] = [[['a', 1], ['r', 1]], [['a', 0], ['r', -1]], [['a', 0]], [], [], []];
  await testOperation<P, string>(
    input,
    (s) =>
      s.mapWithState(
        StateSpec.function((key: string, value: number | undefined, state: State<number>) => {
          if (state.isTimingOut()) return `${key} timed out`;
          if (value === -1) {
            state.remove();
            return `${key} removed`;
          }
          if (!state.exists()) state.update(value as number);
          return `${key}=${state.get()}`;
        }).timeout(2000),
      ).checkpoint(1000),
    [['a=1', 'r=1'], ['a=1', 'r removed'], ['a=1'], [], [], ['a timed out']],
    { checkpoint: store() },
  );
});

test('initial state: keys start with it (and time out from the first batch)', async () => {
  await testOperation<P, Pair<string, number | string>>(
    [[['a', 1]], [], [], []],
    (s) => s.mapWithState(StateSpec.function(runningCount).initialState([['a', 10], ['z', 3]]).timeout(2000)).checkpoint(1000),
    [[['a', 11]], [], [], [['a', 'timeout after 11'], ['z', 'timeout after 3']]],
    { checkpoint: store() },
  );
});

test('State rules: no update or remove while timing out, no update after remove, get() without state throws', () => {
  const timingOut = new State<number>().wrap(true, 5, true);
  assert.equal(timingOut.isTimingOut(), true);
  assert.equal(timingOut.exists(), true);
  assert.equal(timingOut.get(), 5);
  assert.throws(() => timingOut.update(6), (e: unknown) => e instanceof IllegalStateError && /timing out/.test(e.message));
  assert.throws(() => timingOut.remove(), (e: unknown) => e instanceof IllegalStateError && /timing out/.test(e.message));

  const fresh = new State<number>().wrap(false, undefined);
  assert.equal(fresh.exists(), false);
  assert.equal(fresh.getOption(), undefined);
  assert.throws(() => fresh.get(), (e: unknown) => e instanceof IllegalStateError && /getOption/.test(e.message));
  fresh.update(1);
  assert.equal(fresh.get(), 1);
  assert.equal(fresh.outcome(), 'updated');
  fresh.remove();
  assert.equal(fresh.exists(), false);
  assert.equal(fresh.outcome(), 'removed');
  assert.throws(() => fresh.update(2), /after it has been removed/);
  assert.throws(() => fresh.remove(), /already been removed/);
});

test('updating a timing-out state fails the batch with the rule in the message', async () => {
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock });
  ssc.checkpoint(store());
  ssc.queueStream<P>([[['a', 1]]]).mapWithState(StateSpec.function((_k: string, v: number | undefined, state: State<number>) => state.update(v ?? 0)).timeout(1000)).checkpoint(1000).foreachRDD(() => {});
  ssc.start();
  await clock.advance(5000);
  await assert.rejects(ssc.awaitTermination(), (e: unknown) => (e as { code?: string }).code === 'ERR_SLUICE_JOB_FAILED' && /timing out/.test(String((e as Error).message)));
});

test('StateSpec checks its arguments; mapWithState needs a checkpoint store', () => {
  assert.throws(() => StateSpec.function(undefined as unknown as () => 0), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  assert.throws(() => StateSpec.function(() => 0).timeout(0), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  ssc.queueStream<P>([]).mapWithState(StateSpec.function(runningCount)).print();
  assert.throws(() => ssc.start(), { code: 'ERR_SLUICE_CHECKPOINT_REQUIRED' });
});

test('StateSpec.initialState of something that is not pairs fails at the call with what to pass', () => {
  const spec = () => StateSpec.function((key: string, value: number | undefined) => [key, value]);
  const invalid = (pattern: RegExp) => (e: unknown): boolean => (e as { code?: string }).code === 'ERR_SLUICE_INVALID_ARGUMENT' && pattern.test((e as Error).message);
  assert.throws(() => spec().initialState(undefined as unknown as Pair<string, number>[]), invalid(/StateSpec.initialState\(pairs\) needs \[key, state\] pairs.*; got undefined/));
  assert.throws(() => spec().initialState([1, 2] as unknown as Pair<string, number>[]), invalid(/one element is the number 1/));
  assert.deepEqual(spec().initialState(new Map([['a', 1]])).getInitialState(), [['a', 1]]);
});

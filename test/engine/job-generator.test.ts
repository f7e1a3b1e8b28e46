import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Batch, type CheckpointStore, InMemoryCheckpointStore, ManualClock, type Pair, pairWithOne, Receiver, runningSum, splitWhitespace, type State,
  StateSpec, StreamingContext, subtract, sum,
} from '../../src/index.js';

const INTERVAL = 10;
const DAY = 86_400_000;

class PushReceiver extends Receiver {
  onStart(): void {}
  onStop(): void {}
}

/** Outputs by "name@time", the number of batches submitted, and the receiver to push lines into. */
class Run {
  readonly outputs = new Map<string, string>();
  submitted = 0;
  readonly receiver = new PushReceiver('push');
  readonly ssc: StreamingContext;

  constructor(clock: ManualClock, store: CheckpointStore) {
    const ssc = new StreamingContext({ batchIntervalMs: INTERVAL, clock, kernels: null });
    ssc.checkpoint(store, { checkpointInterval: 1 });
    const lines = ssc.receiverStream(this.receiver);
    const pairs = lines.flatMap(splitWhitespace).map(pairWithOne);
    pairs.updateStateByKey(runningSum).name('counts').foreachRDD(this.sink('counts'));
    pairs.reduceByKeyAndWindow(sum, subtract, 50, 20).name('trend').foreachRDD(this.sink('trend'));
    lines.window(30).foreachRDD(this.sink('window'));
    const letters = pairs.mapWithState(
      StateSpec.function((key: string, value: number | undefined, state: State<number>) => {
        if (state.isTimingOut()) return `${key} idle at ${state.get()}`;
        state.update((state.getOption() ?? 0) + (value as number));
        return `${key}=${state.get()}`;
      }).timeout(100),
    ).checkpoint(INTERVAL); // idle keys looked for every batch (Spark: every 10 by default)
    letters.foreachRDD(this.sink('mapWithState'));
    letters.stateSnapshots().foreachRDD(this.sink('snapshots'));
    ssc.addStreamingListener({ onBatchSubmitted: () => void this.submitted++ });
    this.ssc = ssc;
  }

  sink<T>(name: string): (batch: Batch<T>, time: number) => void {
    return (batch, time) => void this.outputs.set(`${name}@${time}`, JSON.stringify(batch.collect().map((e) => JSON.stringify(e)).sort()));
  }

  /** Outputs at or after `from`, by key. */
  since(from: number, names?: readonly string[]): Map<string, string> {
    return new Map(
      [...this.outputs].filter(([key]) => {
        const [name, time] = key.split('@');
        return Number(time) >= from && (names === undefined || names.includes(name as string));
      }),
    );
  }
}

/** Five batches of data, then `downBatches` batch times in which nothing arrives, then one more line. Returns the run and the restart time. */
async function before(clock: ManualClock, run: Run): Promise<void> {
  run.ssc.start();
  for (const line of ['a b a', 'b c', 'a', 'c c d', 'd a']) {
    run.receiver.store(line);
    await clock.advance(INTERVAL);
  }
}

async function after(clock: ManualClock, run: Run): Promise<void> {
  run.receiver.store('a e');
  await clock.advance(INTERVAL);
  await clock.advance(6 * INTERVAL);
  await run.ssc.stop();
}

test('after downtime, empty overdue batches are skipped and every output after the gap equals a run that generated each of them', async () => {
  const gap = 300;
  const restart = (5 + gap) * INTERVAL;
  // Spark's behaviour: one process that generated every batch of the gap.
  const clockA = new ManualClock();
  const reference = new Run(clockA, new InMemoryCheckpointStore());
  await before(clockA, reference);
  await clockA.advance(gap * INTERVAL);
  await after(clockA, reference);

  const store = new InMemoryCheckpointStore();
  const clockB = new ManualClock();
  const first = new Run(clockB, store);
  await before(clockB, first);
  await first.ssc.stop();
  const clock = new ManualClock(restart);
  let recovered!: Run;
  const ssc = await StreamingContext.getOrCreate(store, () => (recovered = new Run(clock, store)).ssc);
  ssc.start();
  await clock.advance(0);
  assert.equal(recovered.submitted, 1, 'only the batch at the restart time ran');
  assert.equal(ssc.skippedBatchCount, gap - 1);
  await after(clock, recovered);

  assert.ok(reference.submitted > gap);
  assert.equal(recovered.submitted, 8);
  const same = ['counts', 'trend', 'window', 'snapshots'];
  assert.deepEqual(recovered.since(restart, same), reference.since(restart, same));
  assert.ok([...recovered.since(restart, ['trend']).values()].every((v) => !v.includes('"c"')), 'the inverse window dropped what left it during the gap');
  assert.deepEqual(recovered.since(restart + INTERVAL, ['mapWithState']), reference.since(restart + INTERVAL, ['mapWithState']));
  // The timeouts that fell due during the gap fire at the first batch after it, with the state they had.
  assert.deepEqual(JSON.parse(recovered.outputs.get(`mapWithState@${restart}`) as string), ['"a idle at 4"', '"b idle at 2"', '"c idle at 3"', '"d idle at 2"']);
});

test('a day of downtime at 10 ms batches (8.64 M batch times) recovers with a handful of batches, and new data is counted at once', { timeout: 120_000 }, async () => {
  const store = new InMemoryCheckpointStore();
  const clockA = new ManualClock();
  const first = new Run(clockA, store);
  await before(clockA, first);
  await first.ssc.stop();
  const restart = 5 * INTERVAL + DAY;
  const clock = new ManualClock(restart);
  let recovered!: Run;
  const ssc = await StreamingContext.getOrCreate(store, () => (recovered = new Run(clock, store)).ssc);
  const heapBefore = process.memoryUsage().heapUsed;
  ssc.start();
  await clock.advance(0);
  assert.equal(ssc.skippedBatchCount, DAY / INTERVAL - 1);
  assert.equal(recovered.submitted, 1);
  recovered.receiver.store('a e');
  await clock.advance(INTERVAL);
  assert.equal(recovered.submitted, 2, 'the first new data ran in the first batch after the restart');
  assert.equal(recovered.outputs.get(`counts@${restart + INTERVAL}`), JSON.stringify(['["a",5]', '["b",2]', '["c",3]', '["d",2]', '["e",1]']));
  assert.equal(recovered.outputs.get(`window@${restart + INTERVAL}`), JSON.stringify(['"a e"']));
  // Nothing per skipped batch was kept (8.64 M batches would take gigabytes).
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 * 1024 * 1024);
  await ssc.stop();
});

test('an immediate or a graceful stop during the catch-up returns promptly and runs nothing after it', async () => {
  for (const graceful of [false, true]) {
    const store = new InMemoryCheckpointStore();
    const clockA = new ManualClock();
    const first = new Run(clockA, store);
    await before(clockA, first);
    await first.ssc.stop();
    const clock = new ManualClock(5 * INTERVAL + DAY);
    let recovered!: Run;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const ssc = await StreamingContext.getOrCreate(store, () => {
      recovered = new Run(clock, store);
      recovered.ssc.queueStream<number>([]).foreachRDD(() => gate);
      return recovered.ssc;
    });
    ssc.start();
    // The stored line makes the first overdue batch run (and block on the gate): stop while the catch-up is under way.
    recovered.receiver.store('x');
    const moving = clock.advance(0);
    while (recovered.submitted < 2) await new Promise((resolve) => setImmediate(resolve));
    const stopped = ssc.stop({ graceful });
    release();
    await stopped;
    await moving;
    assert.equal(recovered.submitted, 2, `${graceful ? 'graceful' : 'immediate'}: the overdue batch with data and the one at the restart time`);
    assert.equal(recovered.outputs.has(`counts@${6 * INTERVAL}`), true);
    assert.equal(recovered.outputs.has(`counts@${5 * INTERVAL + DAY}`), graceful, 'a graceful stop finishes the queued batch, an immediate one drops it');
    await clock.advance(100 * INTERVAL);
    assert.equal(recovered.submitted, 2, 'nothing after the stop');
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Batch,
  type BatchInfo,
  CheckpointError,
  type CheckpointStore,
  DStream,
  IllegalStateError,
  InputDStream,
  InvalidArgumentError,
  JobError,
  ManualClock,
  Receiver,
  StreamingContext,
} from '../../src/internals.js';

/** A stream that needs a checkpoint, as updateStateByKey will. */
class NeedsCheckpointDStream<T> extends DStream<T> {
  readonly dependencies: readonly DStream<unknown>[];
  override requiresCheckpoint = true;
  constructor(readonly parent: DStream<T>) {
    super(parent.context);
    this.dependencies = [parent];
  }
  compute(time: number): Batch<T> | undefined {
    return this.parent.getOrCompute(time);
  }
}

const memoryStore: CheckpointStore = {
  write: async () => undefined,
  read: async () => undefined,
  describe: () => 'memory',
};

function context(startTime = 0, batchIntervalMs = 1000): { ssc: StreamingContext; clock: ManualClock } {
  const clock = new ManualClock(startTime);
  return { ssc: new StreamingContext({ batchIntervalMs, clock }), clock };
}

test('the constructor rejects a bad batch interval', () => {
  assert.throws(() => new StreamingContext({ batchIntervalMs: 0 }), InvalidArgumentError);
  assert.throws(() => new StreamingContext({ batchIntervalMs: 1.5 }), InvalidArgumentError);
  assert.throws(() => new StreamingContext({ batchIntervalMs: '1000' as unknown as number }), /batchIntervalMs must be a positive whole number of milliseconds, e\.g\. \{ batchIntervalMs: 1000 \} .*; got the string "1000"/);
});

test('new StreamingContext(1000) (Spark\'s positional duration) says to pass an options object', () => {
  assert.throws(
    () => new StreamingContext(1000 as unknown as { batchIntervalMs: number }),
    (e: unknown) => e instanceof InvalidArgumentError && e.message === 'new StreamingContext needs an options object, e.g. new StreamingContext({ batchIntervalMs: 1000 }); got the number 1000',
  );
  assert.throws(() => new StreamingContext(undefined as unknown as { batchIntervalMs: number }), /needs an options object.*got undefined/);
});

test('intervals beyond the 2^31 ms timer limit are accepted: the first batch comes after the interval, not at once', async () => {
  const clock = new ManualClock(0);
  const interval = 2 ** 31 + 1000;
  const ssc = new StreamingContext({ batchIntervalMs: interval, clock });
  const times: number[] = [];
  ssc.queueStream([[1]]).foreachRDD((_b, t) => void times.push(t));
  ssc.start();
  await clock.advance(interval - 1);
  assert.deepEqual(times, []);
  await clock.advance(1);
  assert.deepEqual(times, [interval]);
  await ssc.stop();
});

test('ssc.union(...streams): elements of all streams per batch; an array works too; bad arguments fail at the call', async () => {
  const { ssc, clock } = context();
  const a = ssc.queueStream([[1], [2]], { oneAtATime: true });
  const b = ssc.queueStream([[10], [20]], { oneAtATime: true });
  const seen: number[][] = [];
  ssc.union(a, b).foreachRDD((batch) => void seen.push(batch.collect()));
  ssc.union([a, b] as unknown as import('../../src/internals.js').DStream<number>).foreachRDD(() => undefined);
  assert.throws(() => ssc.union(), /needs at least one stream/);
  assert.throws(() => ssc.union(a, 3 as unknown as typeof a), /takes DStreams of one StreamingContext; got the number 3/);
  const other = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  assert.throws(() => ssc.union(a, other.queueStream<number>([])), /different StreamingContexts/);
  ssc.start();
  await clock.advance(2000);
  await ssc.stop();
  assert.deepEqual(seen, [[1, 10], [2, 20]]);
});

test('awaitTerminationOrTimeout: false after the timeout on the clock, true once stopped; a bad timeout fails at the call', async () => {
  const { ssc, clock } = context();
  ssc.queueStream<number>([]).foreachRDD(() => undefined);
  ssc.start();
  assert.throws(() => ssc.awaitTerminationOrTimeout(-1), /awaitTerminationOrTimeout\(timeoutMs\) needs a duration in ms ≥ 0/);
  const timedOut = ssc.awaitTerminationOrTimeout(1500);
  await clock.advance(2000);
  assert.equal(await timedOut, false);
  const done = ssc.awaitTerminationOrTimeout(10_000);
  // A zero timeout answers at once, without waiting for the (manual) clock to move.
  const waited = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1000));
  assert.equal(await Promise.race([ssc.awaitTerminationOrTimeout(0), waited]), false);
  await ssc.stop();
  assert.equal(await done, true);
  assert.equal(await ssc.awaitTerminationOrTimeout(0), true);
});

test('misused arguments of the context fail at the call with ERR_SLUICE_INVALID_ARGUMENT, not as a TypeError later', async () => {
  const invalid = (pattern: RegExp) => (e: unknown): boolean => e instanceof InvalidArgumentError && e.code === 'ERR_SLUICE_INVALID_ARGUMENT' && pattern.test(e.message);
  assert.throws(() => new StreamingContext({ batchIntervalMs: 1000, clock: {} as ManualClock }), invalid(/clock must be a Clock/));
  assert.throws(() => new StreamingContext({ batchIntervalMs: 1000, output: 5 as unknown as () => void }), invalid(/output must be a function/));
  assert.throws(() => new StreamingContext({ batchIntervalMs: 1000, logger: 5 as unknown as null }), invalid(/logger must be/));
  const { ssc } = context();
  // Spark's ssc.checkpoint takes a directory: a path string says what to pass instead.
  assert.throws(() => ssc.checkpoint('/tmp/ckpt' as unknown as CheckpointStore), invalid(/needs a CheckpointStore, not the string "\/tmp\/ckpt": pass new FileCheckpointStore\(dir\)/));
  assert.throws(() => ssc.checkpoint(undefined as unknown as CheckpointStore), invalid(/needs a CheckpointStore, not undefined/));
  assert.throws(() => ssc.addStreamingListener(null as unknown as object), invalid(/addStreamingListener\(listener\) needs an object/));
  assert.throws(() => ssc.queueStream('a b' as unknown as string[][]), invalid(/queueStream\(queue\) needs an array of arrays/));
  assert.throws(() => ssc.receiverStream({} as Receiver), invalid(/needs an instance of a Receiver subclass/));
  class Idle extends Receiver {
    onStart(): void {}
    onStop(): void {}
  }
  assert.throws(() => ssc.receiverStream(new Idle(), { maxRecordBytes: -1 }), invalid(/maxRecordBytes must be an integer in \[0, 2\^30\), got -1/));
  assert.throws(() => ssc.receiverStream(new Idle(), { initialRecords: Number.NaN }), invalid(/initialRecords must be a positive integer, got NaN/));
  // The refused streams are not in the graph (an input that is would be started and fail every batch).
  assert.deepEqual(ssc.graph.inputStreams(), []);
  await assert.rejects(StreamingContext.getOrCreate('/tmp/ckpt' as unknown as CheckpointStore, () => ssc), invalid(/getOrCreate\(store, create\) needs a CheckpointStore/));
  await assert.rejects(StreamingContext.getOrCreate(memoryStore, undefined as unknown as () => StreamingContext), invalid(/needs a function/));
  await assert.rejects(StreamingContext.getOrCreate(memoryStore, () => undefined as unknown as StreamingContext), invalid(/create\(\) must return the StreamingContext it built; got undefined/));
  ssc.queueStream<number>([]).foreachRDD(() => undefined);
  ssc.start();
  assert.throws(() => ssc.awaitTermination(Number.NaN), invalid(/awaitTermination\(timeoutMs\) needs a duration/));
  assert.throws(() => ssc.awaitTermination('10' as unknown as number), invalid(/awaitTermination\(timeoutMs\) needs a duration/));
  // Spark's ssc.stop(true, true) would otherwise be a silent non-graceful stop.
  assert.throws(() => ssc.stop(true as unknown as object), invalid(/stop\(options\) takes an object, e\.g\. stop\(\{ graceful: true \}\).*got the boolean true/));
  assert.equal(ssc.state, 'active');
  await ssc.stop();
});

test('recovered is false for a context getOrCreate did not restore', () => {
  const { ssc } = context();
  assert.equal(ssc.recovered, false);
});

test('start() needs an output, only warns when the context is already started, and a stopped context cannot restart', async () => {
  const { ssc } = context();
  const stream = ssc.queueStream<number>([]);
  assert.throws(() => ssc.start(), (e: unknown) => e instanceof IllegalStateError && /No output operations/.test(e.message));
  stream.foreachRDD(() => undefined);
  ssc.start();
  assert.equal(ssc.state, 'active');
  assert.doesNotThrow(() => ssc.start());
  assert.equal(ssc.state, 'active');
  assert.throws(() => stream.map((x) => x), IllegalStateError, 'no new streams after start');
  await ssc.stop();
  assert.equal(ssc.state, 'stopped');
  assert.throws(() => ssc.start(), IllegalStateError);
});

test('start() on a started context logs a warning and changes nothing, as Spark 3.5 does: batches are not doubled', async () => {
  const clock = new ManualClock();
  const warnings: string[] = [];
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, logger: { warn: (m) => void warnings.push(m), info: () => undefined } });
  const times: number[] = [];
  ssc.queueStream<number>([[1], [2]]).foreachRDD((_batch, time) => void times.push(time));
  ssc.start();
  ssc.start();
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /StreamingContext has already been started/);
  await clock.advance(2000);
  assert.deepEqual(times, [1000, 2000]);
  await ssc.stop();
});

test('stateful streams need a checkpoint store: ERR_SLUICE_CHECKPOINT_REQUIRED at start()', () => {
  const { ssc } = context();
  new NeedsCheckpointDStream(ssc.queueStream<number>([])).foreachRDD(() => undefined);
  assert.throws(
    () => ssc.start(),
    (e: unknown) => e instanceof CheckpointError && e.code === 'ERR_SLUICE_CHECKPOINT_REQUIRED' && /ssc\.checkpoint/.test(e.message),
  );
  assert.equal(ssc.state, 'initialized');
  ssc.checkpoint(memoryStore);
  assert.equal(ssc.checkpointStore, memoryStore);
  ssc.start();
  assert.equal(ssc.state, 'active');
  void ssc.stop();
});

test('batch times are multiples of the interval after start; a batch holds what arrived before its time', async () => {
  const { ssc, clock } = context(2500);
  const queue: number[][] = [[1], [2, 3]];
  const seen: [number, number[]][] = [];
  ssc.queueStream(queue).foreachRDD((batch, time) => {
    seen.push([time, batch.collect()]);
  });
  ssc.start();
  assert.equal(ssc.zeroTime, 2000);
  await clock.advance(500);
  assert.deepStrictEqual(seen, [[3000, [1]]]);
  queue.push([4]);
  await clock.advance(2000);
  assert.deepStrictEqual(seen, [[3000, [1]], [4000, [2, 3]], [5000, [4]]]);
  await ssc.stop();
});

test('listeners see submitted/started/completed in order with Spark delays and record counts', async () => {
  const { ssc, clock } = context();
  const events: string[] = [];
  const completed: BatchInfo[] = [];
  ssc.addStreamingListener({
    onBatchSubmitted: ({ batchInfo }) => events.push(`submitted ${batchInfo.batchTime}`),
    onBatchStarted: ({ batchInfo }) => events.push(`started ${batchInfo.batchTime}`),
    onBatchCompleted: ({ batchInfo }) => {
      events.push(`completed ${batchInfo.batchTime}`);
      completed.push(batchInfo);
    },
  });
  ssc.addStreamingListener({
    onBatchSubmitted: () => {
      throw new Error('a broken listener is ignored');
    },
  });
  // The output of batch 1000 takes 1500 ms of clock time, so batch 2000 waits 500 ms.
  ssc.queueStream([[1, 2, 3], [4]]).foreachRDD(async (_batch, time) => {
    if (time === 1000) await new Promise<void>((resolve) => clock.schedule(2500, resolve));
  });
  ssc.start();
  await clock.advance(3000);
  await ssc.stop();
  assert.deepStrictEqual(events.slice(0, 6), [
    'submitted 1000',
    'started 1000',
    'submitted 2000',
    'completed 1000',
    'started 2000',
    'completed 2000',
  ]);
  const [first, second] = completed;
  assert.ok(first !== undefined && second !== undefined);
  assert.equal(first.numRecords, 3);
  assert.equal(first.schedulingDelay, 0);
  assert.equal(first.processingDelay, 1500);
  assert.equal(first.totalDelay, 1500);
  assert.equal(second.numRecords, 1);
  assert.equal(second.submissionTime, 2000);
  assert.equal(second.processingStartTime, 2500);
  assert.equal(second.schedulingDelay, 500);
  assert.equal(second.processingDelay, 0);
  assert.equal(second.totalDelay, 500);
});

test('outputs run in batch order and, within a batch, in registration order', async () => {
  const { ssc, clock } = context();
  const order: string[] = [];
  const stream = ssc.queueStream([[1], [2]]);
  stream.foreachRDD((b) => void order.push(`A${b.first()}`));
  stream.foreachRDD((b) => void order.push(`B${b.first()}`));
  ssc.start();
  await clock.advance(2000);
  await ssc.stop();
  assert.deepStrictEqual(order, ['A1', 'B1', 'A2', 'B2']);
});

test('a throwing output fails its batch: listeners see it, the logger says so once, awaitTermination rejects with a JobError carrying the cause, the context stops', async () => {
  const clock = new ManualClock();
  const warnings: string[] = [];
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, logger: { warn: (m) => void warnings.push(m), info: () => undefined } });
  const boom = new Error('boom');
  const processed: number[] = [];
  let failure: JobError | undefined;
  ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => (failure ??= batchInfo.failure) });
  ssc.queueStream([[1], [2], [3]]).foreachRDD((batch, time) => {
    if (time === 2000) throw boom;
    processed.push(batch.first());
  });
  ssc.start();
  const termination = assert.rejects(
    ssc.awaitTermination(),
    (e: unknown) => e instanceof JobError && e.code === 'ERR_SLUICE_JOB_FAILED' && e.cause === boom && /boom/.test(e.message),
  );
  await clock.advance(5000);
  await termination;
  assert.ok(failure instanceof JobError);
  assert.deepStrictEqual(processed, [1]);
  assert.equal(ssc.state, 'stopped');
  // A program that never awaits termination still learns why its stream stopped (Spark logs "Error running job").
  assert.deepEqual(warnings, [`${failure.message} awaitTermination() rejects with this error (ERR_SLUICE_JOB_FAILED).`]);
  assert.match(warnings[0] as string, /^Batch 2000 failed in output operation of stream \d+: boom\./);
  await assert.rejects(ssc.awaitTermination(), JobError);
  await ssc.stop();
});

test('a throwing map closure fails the batch the same way', async () => {
  const { ssc, clock } = context();
  ssc.queueStream([[1]]).map(() => {
    throw new TypeError('bad element');
  }).print();
  ssc.start();
  await clock.advance(1000);
  await assert.rejects(ssc.awaitTermination(), (e: unknown) => e instanceof JobError && e.cause instanceof TypeError);
});

test('awaitTermination resolves false after its timeout on the clock, true once stopped', async () => {
  const { ssc, clock } = context();
  ssc.queueStream<number>([]).foreachRDD(() => undefined);
  ssc.start();
  const timedOut = ssc.awaitTermination(1500);
  await clock.advance(2000);
  assert.equal(await timedOut, false);
  const done = ssc.awaitTermination();
  await ssc.stop();
  assert.equal(await done, true);
  assert.equal(await ssc.awaitTermination(), true);
});

test('a non-graceful stop drops queued batches; stop before start is allowed', async () => {
  const { ssc, clock } = context();
  const seen: number[] = [];
  ssc.queueStream([[1], [2], [3]]).foreachRDD((b) => void seen.push(b.first()));
  ssc.start();
  await clock.advance(1000);
  await ssc.stop();
  await clock.advance(5000);
  assert.deepStrictEqual(seen, [1]);
  const idle = context().ssc;
  await idle.stop();
  assert.equal(idle.state, 'stopped');
});

test('await ssc.stop() inside an output (Spark programs stop from foreachRDD) does not deadlock: the batch finishes, then the context stops', async () => {
  for (const graceful of [false, true]) {
    const { ssc, clock } = context();
    const seen: string[] = [];
    const stream = ssc.queueStream([[1], [2], [3]]);
    stream.foreachRDD(async (batch, time) => {
      seen.push(`first ${time}`);
      if (batch.first() === 2) {
        await ssc.stop({ graceful });
        seen.push('stop returned');
      }
    });
    stream.foreachRDD((_batch, time) => void seen.push(`second ${time}`));
    ssc.start();
    await clock.advance(1000);
    const deadlock = new Promise((resolve) => setTimeout(() => resolve('deadlock'), 2000));
    assert.equal(await Promise.race([clock.advance(1000).then(() => 'advanced'), deadlock]), 'advanced', `graceful ${graceful}`);
    assert.equal(await Promise.race([ssc.awaitTermination(), deadlock]), true);
    await clock.advance(3000);
    assert.equal(ssc.state, 'stopped');
    assert.deepEqual(seen, ['first 1000', 'second 1000', 'first 2000', 'stop returned', 'second 2000']);
  }
});

test('awaitTermination() inside an output, which could never resolve, is an IllegalStateError that says what to do', async () => {
  const { ssc, clock } = context();
  let thrown: unknown;
  ssc.queueStream([[1]]).foreachRDD(async () => {
    try {
      await ssc.awaitTermination();
    } catch (error) {
      thrown = error;
    }
  });
  ssc.start();
  const deadlock = new Promise((resolve) => setTimeout(() => resolve('deadlock'), 2000));
  assert.equal(await Promise.race([clock.advance(1000).then(() => 'advanced'), deadlock]), 'advanced');
  assert.ok(thrown instanceof IllegalStateError && /inside an output function would wait for itself.*Call ssc\.stop\(\) there/.test(thrown.message), String(thrown));
  await ssc.stop();
});

test('stop() twice: the second call returns the first stop, so receivers stop once and awaitTermination resolves true', async () => {
  const { ssc, clock } = context();
  let stops = 0;
  class Counting extends Receiver {
    onStart(): void {}
    onStop(): void {
      stops++;
    }
  }
  ssc.receiverStream(new Counting()).foreachRDD(() => undefined);
  ssc.start();
  await clock.advance(1000);
  const first = ssc.stop();
  const second = ssc.stop({ graceful: true });
  assert.strictEqual(second, first);
  await second;
  assert.equal(stops, 1);
  assert.equal(await ssc.awaitTermination(1000), true);
});

test('addBatchCounter adds to the BatchInfo counters of that batch', async () => {
  const { ssc, clock } = context();
  const counters: Record<string, number>[] = [];
  ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => counters.push({ ...batchInfo.counters }) });
  ssc.queueStream([[1], [2]]).foreachRDD((_b, time) => {
    ssc.addBatchCounter(time, 'seen', time / 1000);
    ssc.addBatchCounter(time, 'seen', 10);
  });
  ssc.start();
  await clock.advance(2000);
  await ssc.stop();
  assert.deepStrictEqual(counters, [{ seen: 11 }, { seen: 12 }]);
});

test('after-batch hooks run after successful outputs, before completion; a throwing hook fails the batch', async () => {
  const { ssc, clock } = context();
  const order: string[] = [];
  ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => order.push(`completed ${batchInfo.batchTime}`) });
  ssc.queueStream([[1], [2], [3]]).foreachRDD((_b, time) => void order.push(`output ${time}`));
  ssc.addAfterBatchHook(async (time) => {
    await Promise.resolve();
    order.push(`hook ${time}`);
    if (time === 2000) throw new Error('commit failed');
  });
  ssc.start();
  const failed = assert.rejects(ssc.awaitTermination(), (e: unknown) => e instanceof JobError && /commit failed/.test(e.message));
  await clock.advance(3000);
  await failed;
  assert.deepStrictEqual(order, ['output 1000', 'hook 1000', 'completed 1000', 'output 2000', 'hook 2000', 'completed 2000']);
});

test('an input that throws while its batch is generated fails that batch', async () => {
  const { ssc, clock } = context();
  class BrokenInput extends InputDStream<number> {
    protected take(): Batch<number> {
      throw new Error('source exploded');
    }
  }
  new BrokenInput(ssc).foreachRDD(() => undefined);
  ssc.start();
  const failed = assert.rejects(ssc.awaitTermination(), (e: unknown) => e instanceof JobError && (e.cause as Error).message === 'source exploded');
  await clock.advance(1000);
  await failed;
});

test('ssc.remember(ms): every stream keeps its batches at least that long (Spark\'s StreamingContext.remember)', async () => {
  const run = async (rememberMs?: number): Promise<{ input: number[]; mapped: number[] }> => {
    const clock = new ManualClock();
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock });
    if (rememberMs !== undefined) ssc.remember(rememberMs);
    const input = ssc.queueStream([[1], [2], [3], [4], [5], [6]], { oneAtATime: true });
    const mapped = input.map((x) => x * 2);
    mapped.foreachRDD(() => undefined);
    ssc.start();
    for (let i = 0; i < 6; i++) await clock.advance(1000);
    const times = { input: input.cachedTimes(), mapped: mapped.cachedTimes() };
    await ssc.stop();
    return times;
  };
  // By default a stream with no window keeps only its last batch.
  assert.deepEqual(await run(), { input: [6000], mapped: [6000] });
  assert.deepEqual(await run(3000), { input: [4000, 5000, 6000], mapped: [4000, 5000, 6000] });
  const started = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  assert.throws(() => started.remember(0), InvalidArgumentError);
  started.queueStream<number>([]).foreachRDD(() => undefined);
  started.start();
  assert.throws(() => started.remember(1000), IllegalStateError);
  await started.stop();
});

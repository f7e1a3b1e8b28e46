// A receiver feeding a context whose kernels are the worker pool: each batch
// is written once into the pool's shared memory as it arrives (no copy when
// the pool counts it), and that memory is given back once the batch is older
// than the stream's remember duration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusLines } from '../../../src/corpus/index.js';
import {
  type Batch, type DStream, InMemoryCheckpointStore, ManualClock, StreamingContext, createKernels, nonZero, pairWithOne,
  runningSum, splitWhitespace, subtract, sum,
} from '../../../src/index.js';
import { Prng } from '../../kernels/prng.js';
import { withPool } from './pools.js';
import { ScriptedReceiver } from '../../receivers/scripted-receiver.js';

const BATCHES = 5;
const LINES_PER_BATCH = 4000;

/**
 * Asks for a restart in the middle of a batch, like a receiver whose
 * connection dropped; its source is replayable, so nothing is lost: a
 * quarter of the batch is stored before, a quarter is its final flush in
 * onStop (kept by the supervisor), and the rest is stored once restarted.
 */
class RestartingReceiver extends ScriptedReceiver {
  starts = 0;
  private heldBack: readonly string[] = [];
  private afterRestart: readonly string[] = [];

  constructor(private readonly restartInBatch: number) {
    super();
    this.restartDelayMs = 300;
  }

  override onStart(): void {
    this.starts++;
    const rest = this.afterRestart;
    this.afterRestart = [];
    if (rest.length > 0) super.feed(rest);
  }

  override onStop(): void {
    const held = this.heldBack;
    this.heldBack = [];
    if (held.length > 0) super.feed(held);
  }

  override feed(lines: readonly string[], batch = -1): void {
    if (batch !== this.restartInBatch) {
      super.feed(lines);
      return;
    }
    const quarter = lines.length >> 2;
    super.feed(lines.slice(0, quarter));
    this.heldBack = lines.slice(quarter, 2 * quarter);
    this.afterRestart = lines.slice(2 * quarter);
    this.restart('connection reset by peer');
  }
}

function inputBatches(count: number): string[][] {
  const lines = corpusLines('english');
  return Array.from({ length: count }, () => Array.from({ length: LINES_PER_BATCH }, () => lines.next().value as string));
}

interface RunOptions {
  readonly receiver?: ScriptedReceiver;
  readonly checkpoint?: boolean;
  readonly afterBatch?: () => void;
  /** Batches fed (default BATCHES). */
  readonly batches?: number;
}

async function run(
  kernels: ConstructorParameters<typeof StreamingContext>[0]['kernels'],
  build: (input: DStream<string>) => void,
  options: RunOptions = {},
): Promise<{ out: string[]; kept: Batch<string>[]; checkpoints: number }> {
  const batches = inputBatches(options.batches ?? BATCHES);
  const clock = new ManualClock();
  const out: string[] = [];
  const kept: Batch<string>[] = [];
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, kernels, output: (line) => out.push(line) });
  const store = new InMemoryCheckpointStore();
  if (options.checkpoint === true) ssc.checkpoint(store, { checkpointInterval: 1 });
  const receiver = options.receiver ?? new ScriptedReceiver();
  const input = ssc.receiverStream(receiver);
  input.foreachRDD((batch) => void kept.push(batch));
  build(input);
  ssc.start();
  for (const [i, batch] of batches.entries()) {
    if (receiver instanceof RestartingReceiver) receiver.feed(batch, i);
    else receiver.feed(batch);
    await clock.advance(1000);
    options.afterBatch?.();
  }
  await clock.advance(1000);
  await ssc.stop({ graceful: true });
  return { out, kept, checkpoints: store.writes };
}

const wordCounts = (stream: DStream<string>) => stream.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum);

test('receiver batches are written into the pool\'s shared memory and counted there without a copy', async () => {
  const build = (input: DStream<string>): void => void wordCounts(input).print(30);
  const single = await run(createKernels({ fallback: false }), build);
  await withPool({ workers: 2, minBytesPerKey: 0 }, async (pool) => {
    const lent: number[] = [];
    const pooled = await run(pool, build, { afterBatch: () => lent.push(pool.lentInputRegions) });
    assert.deepEqual(pooled.out, single.out);
    // Held: the last batch (remembered for one interval, as Spark does) and the arena being filled.
    assert.ok(Math.max(...lent) <= 3, `lent regions after each batch: ${lent.join(', ')}`);
    assert.ok(pool.stats.parallelBatches >= BATCHES, `${pool.stats.parallelBatches} parallel batches`);
    assert.equal(pool.stats.copiedBytes, 0);
    // The context stopped: every region it was lent is back.
    assert.equal(pool.lentInputRegions, 0);
    // A batch kept past its remember duration has no bytes left, and says so.
    const old = pooled.kept[0] as Batch<string>;
    assert.throws(() => old.count(), { code: 'ERR_SLUICE_ILLEGAL_STATE', message: /remember duration/ });
  });
});

test('a window keeps the input batches it needs lent until they leave it, then gives them back', async () => {
  const build = (input: DStream<string>): void => void wordCounts(input).window(3000, 1000).print(30);
  const single = await run(createKernels({ fallback: false }), build);
  await withPool({ workers: 2, minBytesPerKey: 0 }, async (pool) => {
    const lent: number[] = [];
    const pooled = await run(pool, build, { afterBatch: () => lent.push(pool.lentInputRegions) });
    assert.deepEqual(pooled.out, single.out);
    // The window's 3 batches stay lent (and no more: the count stops growing), plus the arena being filled.
    assert.ok(Math.max(...lent) >= 3 && Math.max(...lent) <= 5, `lent regions after each batch: ${lent.join(', ')}`);
    assert.equal(lent[lent.length - 1], lent[lent.length - 2], `lent regions after each batch: ${lent.join(', ')}`);
    assert.equal(pool.lentInputRegions, 0);
  });
});

test('windows over the input lines themselves read every batch of the window from lent memory, then give it back', async () => {
  const build = (input: DStream<string>): void => {
    wordCounts(input.window(3000, 1000)).print(30);
    input.window(3000, 2000).count().print();
  };
  const batches = 8;
  const single = await run(createKernels({ fallback: false }), build, { batches });
  // Both windows were really computed: full windows count 3 batches of lines.
  assert.ok(single.out.some((line) => line === String(3 * LINES_PER_BATCH)), single.out.filter((l) => /^\d+$/.test(l)).join(', '));
  await withPool({ workers: 2, minBytesPerKey: 0 }, async (pool) => {
    const lent: number[] = [];
    const pooled = await run(pool, build, { batches, afterBatch: () => lent.push(pool.lentInputRegions) });
    assert.deepEqual(pooled.out, single.out);
    // As in Spark, the input remembers a window plus its slide (3000 + 2000 ms): at most 5 batches, and the arena
    // being filled; then the count stops growing.
    assert.ok(Math.max(...lent) >= 3 && Math.max(...lent) <= 6, `lent regions after each batch: ${lent.join(', ')}`);
    assert.deepEqual(lent.slice(-3), Array.from({ length: 3 }, () => lent[lent.length - 1]), `lent regions after each batch: ${lent.join(', ')}`);
    assert.ok(pool.stats.parallelBatches >= BATCHES, `${pool.stats.parallelBatches} parallel batches`);
    assert.equal(pool.lentInputRegions, 0);
  });
});

test('a checkpointed context with state and windows over receiver input prints the same with the pool', async () => {
  const build = (input: DStream<string>): void => {
    const pairs = input.flatMap(splitWhitespace).map(pairWithOne);
    pairs.updateStateByKey(runningSum).print(25);
    pairs.reduceByKeyAndWindow(sum, subtract, 3000, 1000, nonZero).print(25);
    input.window(2000, 1000).count().print();
  };
  const single = await run(createKernels({ fallback: false }), build, { checkpoint: true });
  assert.ok(single.checkpoints >= BATCHES, `${single.checkpoints} checkpoints`);
  await withPool({ workers: 2, minBytesPerKey: 0 }, async (pool) => {
    const pooled = await run(pool, build, { checkpoint: true });
    assert.deepEqual(pooled.out, single.out);
    assert.equal(pooled.checkpoints, single.checkpoints);
    assert.ok(pool.stats.parallelBatches >= BATCHES, `${pool.stats.parallelBatches} parallel batches`);
    assert.equal(pool.lentInputRegions, 0);
  });
});

test('a receiver that restarts in the middle of a batch loses no line and leaks no lent region', async () => {
  const build = (input: DStream<string>): void => {
    wordCounts(input).print(30);
    input.count().print();
  };
  const singleReceiver = new RestartingReceiver(2);
  const single = await run(createKernels({ fallback: false }), build, { receiver: singleReceiver });
  assert.equal(singleReceiver.starts, 2, 'restarted once');
  // Line counts per batch (the batch after the last is empty).
  const counts = single.out.filter((line) => /^\d+$/.test(line)).map(Number);
  assert.deepEqual(counts, [...Array.from({ length: BATCHES }, () => LINES_PER_BATCH), 0], 'every line of every batch, the restarted one included');
  await withPool({ workers: 2, minBytesPerKey: 0 }, async (pool) => {
    const receiver = new RestartingReceiver(2);
    const lent: number[] = [];
    const pooled = await run(pool, build, { receiver, afterBatch: () => lent.push(pool.lentInputRegions) });
    assert.equal(receiver.starts, 2);
    assert.deepEqual(pooled.out, single.out);
    assert.ok(Math.max(...lent) <= 3, `lent regions after each batch: ${lent.join(', ')}`);
    assert.equal(pool.stats.copiedBytes, 0);
    assert.equal(pool.lentInputRegions, 0);
  });
});

test('a context recovered from its checkpoint on the same pool continues the running totals (receiver input, lent regions)', async () => {
  const runningTotals = (input: DStream<string>): void => void input.flatMap(splitWhitespace).map(pairWithOne).updateStateByKey(runningSum).print(25);
  type Kernels = ConstructorParameters<typeof StreamingContext>[0]['kernels'];
  const crashAfter = 3;
  const batches = inputBatches(BATCHES);
  async function crashAndRecover(kernels: Kernels, afterContext: () => void): Promise<string[]> {
    const out: string[] = [];
    const store = new InMemoryCheckpointStore();
    const create = (clock: ManualClock, receiver: ScriptedReceiver): StreamingContext => {
      const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, kernels, output: (line) => out.push(line) });
      ssc.checkpoint(store, { checkpointInterval: 1 });
      runningTotals(ssc.receiverStream(receiver));
      return ssc;
    };
    const firstClock = new ManualClock();
    const firstReceiver = new ScriptedReceiver();
    const first = create(firstClock, firstReceiver);
    first.start();
    for (const batch of batches.slice(0, crashAfter)) {
      firstReceiver.feed(batch);
      await firstClock.advance(1000);
    }
    // Stopped at a batch boundary, as a crash there would: every batch so far completed and was checkpointed.
    await first.stop();
    afterContext();
    const clock = new ManualClock(crashAfter * 1000);
    const receiver = new ScriptedReceiver();
    const second = await StreamingContext.getOrCreate(store, () => create(clock, receiver));
    second.start();
    for (const batch of batches.slice(crashAfter)) {
      receiver.feed(batch);
      await clock.advance(1000);
    }
    await second.stop({ graceful: true });
    afterContext();
    return out;
  }
  const uninterrupted = await run(createKernels({ fallback: false }), runningTotals, { checkpoint: true });
  const single = await crashAndRecover(createKernels({ fallback: false }), () => undefined);
  // The recovered run printed the same totals at the same batch times as the one that never stopped.
  assert.deepEqual(single, uninterrupted.out.slice(0, single.length));
  assert.ok(single.length >= BATCHES * 25, `${single.length} lines`);
  await withPool({ workers: 2, minBytesPerKey: 0 }, async (pool) => {
    const lentAfterContexts: number[] = [];
    const pooled = await crashAndRecover(pool, () => lentAfterContexts.push(pool.lentInputRegions));
    assert.deepEqual(pooled, single);
    assert.deepEqual(lentAfterContexts, [0, 0], 'each context gave every lent region back when it stopped');
    assert.ok(pool.stats.parallelBatches >= BATCHES, `${pool.stats.parallelBatches} parallel batches`);
  });
});

test('receiver batches of words the key cache knows are counted against it: every count as on one thread', async () => {
  // A 3,000-word vocabulary in ~1 MB batches: after two batches the cache knows it, and each partition is bigger than the cache.
  const vocabulary = Array.from({ length: 3000 }, (_, i) => `w${i}`);
  const prng = new Prng(7);
  const batches = Array.from({ length: 6 }, (_, b) => Array.from({ length: 14_000 }, (_, line) => {
    const words = Array.from({ length: 12 }, () => vocabulary[prng.int(vocabulary.length)] as string);
    if (line % 997 === 0) words.push(`new-in-${b}`);
    return words.join(' ');
  }));
  const counted = async (kernels: ConstructorParameters<typeof StreamingContext>[0]['kernels']): Promise<string[]> => {
    const clock = new ManualClock();
    const out: string[] = [];
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, kernels });
    const receiver = new ScriptedReceiver();
    wordCounts(ssc.receiverStream(receiver)).foreachRDD((batch) => void out.push(JSON.stringify(batch.collect())));
    ssc.start();
    for (const batch of batches) {
      receiver.feed(batch);
      await clock.advance(1000);
    }
    await ssc.stop({ graceful: true });
    return out;
  };
  const single = await counted(createKernels({ fallback: false }));
  await withPool({ workers: 2 }, async (pool) => {
    assert.deepEqual(await counted(pool), single);
    assert.ok(pool.stats.knownWordBatches >= 3, `${pool.stats.knownWordBatches} batches counted against the cache`);
    assert.equal(pool.stats.copiedBytes, 0);
  });
});

// A receiver feeding a context whose kernels are the worker pool: each batch
// is written once into the pool's shared memory as it arrives (no copy when
// the pool counts it), and that memory is given back once the batch is older
// than the stream's remember duration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusLines } from '../../../src/corpus/index.js';
import {
  type Batch, ManualClock, Receiver, StreamingContext, createKernels, pairWithOne, splitWhitespace, sum,
} from '../../../src/index.js';
import { withPool } from './pools.js';

const BATCHES = 5;
const LINES_PER_BATCH = 4000;

class ScriptedReceiver extends Receiver {
  onStart(): void {}
  onStop(): void {}
  feed(lines: readonly string[]): void {
    this.storeLines(new TextEncoder().encode(`${lines.join('\n')}\n`));
  }
}

async function run(
  kernels: ConstructorParameters<typeof StreamingContext>[0]['kernels'],
  windowMs?: number,
  afterBatch: () => void = () => undefined,
): Promise<{ out: string[]; kept: Batch<string>[] }> {
  const lines = corpusLines('english');
  const batches = Array.from({ length: BATCHES }, () => Array.from({ length: LINES_PER_BATCH }, () => lines.next().value as string));
  const clock = new ManualClock();
  const out: string[] = [];
  const kept: Batch<string>[] = [];
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, kernels, output: (line) => out.push(line) });
  const receiver = new ScriptedReceiver();
  const input = ssc.receiverStream(receiver);
  input.foreachRDD((batch) => void kept.push(batch));
  const counted = input.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum);
  (windowMs === undefined ? counted : counted.window(windowMs, 1000)).print(30);
  ssc.start();
  for (const batch of batches) {
    receiver.feed(batch);
    await clock.advance(1000);
    afterBatch();
  }
  await clock.advance(1000);
  await ssc.stop({ graceful: true });
  return { out, kept };
}

test('receiver batches are written into the pool\'s shared memory and counted there without a copy', async () => {
  const single = await run(createKernels({ fallback: false }));
  await withPool({ workers: 2, minBytesPerKey: 0 }, async (pool) => {
    const lent: number[] = [];
    const pooled = await run(pool, undefined, () => lent.push(pool.lentInputRegions));
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
  const single = await run(createKernels({ fallback: false }), 3000);
  await withPool({ workers: 2, minBytesPerKey: 0 }, async (pool) => {
    const lent: number[] = [];
    const pooled = await run(pool, 3000, () => lent.push(pool.lentInputRegions));
    assert.deepEqual(pooled.out, single.out);
    // The window's 3 batches stay lent (and no more: the count stops growing), plus the arena being filled.
    assert.ok(Math.max(...lent) >= 3 && Math.max(...lent) <= 5, `lent regions after each batch: ${lent.join(', ')}`);
    assert.equal(lent[lent.length - 1], lent[lent.length - 2], `lent regions after each batch: ${lent.join(', ')}`);
    assert.equal(pool.lentInputRegions, 0);
  });
});

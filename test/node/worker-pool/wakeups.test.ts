/**
 * Thousands of tiny and mixed-size batches through 2- to 4-worker pools with
 * partitions of a few bytes, word count and delimited orders, each compared
 * with the inline kernels. A worker woken without a new command (a notify
 * that arrives after the worker has already taken that command, because the
 * owner was descheduled between posting and notifying) once ran its last
 * command again, concurrently with the owner: totals inflated, keys merged,
 * malformed counts off, a trap in the fold. The afterReply hook makes such
 * wake-ups happen on purpose, at seeded points.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/corpus/index.js';
import { createKernels, type DelimitedSpec, type Reducer } from '../../../src/kernels/index.js';
import type { MergeStrategy, WorkerPool } from '../../../src/node/worker-pool/index.js';
import { plain, withPool } from './pools.js';

const reference = createKernels({ fallback: false });
const encoder = new TextEncoder();
const REDUCERS: readonly Reducer[] = ['sum', 'count', 'min', 'max'];
const orders = (reducer: Reducer): DelimitedSpec => ({ delimiter: ',', keyField: 1, valueField: 2, reducer, expectedFields: 3 });

/** Few keys, words split by spaces and newlines. */
function wordBatch(rng: Rng, bytes: number, keys: number): Uint8Array {
  let text = '';
  while (text.length < bytes) text += `w${rng.nextInt(keys)}${rng.chance(0.2) ? '\n' : ' '}`;
  return encoder.encode(text);
}

/**
 * orderId,provinceId,price lines over few provinces, some malformed. Prices
 * are multiples of 0.25, so every sum is exact: partitioning cannot change
 * it, and any difference from the inline kernels is a wrong result.
 */
function ordersBatch(rng: Rng, bytes: number, keys: number): Uint8Array {
  let text = '';
  while (text.length < bytes) {
    const province = 1 + rng.nextInt(keys);
    const kind = rng.nextInt(40);
    if (kind === 0) text += `${rng.nextInt(1e6)},${province}\n`;
    else if (kind === 1) text += `${rng.nextInt(1e6)},${province},12.5x\n`;
    else text += `${rng.nextInt(1e6)},${province},${rng.nextInt(400_000) / 4}\n`;
  }
  return encoder.encode(text);
}

/**
 * A quarter of the batches are read in place from a region the pool lends
 * (allocInput), released right after, so later batches reuse it.
 */
function placed(pool: WorkerPool, rng: Rng, bytes: Uint8Array): { bytes: Uint8Array; release(): void } {
  if (!rng.chance(0.25)) return { bytes, release: () => undefined };
  const region = pool.allocInput(bytes.length);
  region.bytes.set(bytes);
  return region;
}

/** Runs `batches` seeded batches through the pool; returns the descriptions of the wrong ones. */
function runBatches(pool: WorkerPool, seed: number, batches: number): string[] {
  const rng = new Rng(seed);
  const wrong: string[] = [];
  for (let i = 0; i < batches; i++) {
    const size = rng.chance(0.5) ? 1 + rng.nextInt(200) : 200 + rng.nextInt(2800);
    const keys = 1 + rng.nextInt(8);
    const where = `seed ${seed}, batch ${i} (${size} bytes, ${keys} keys)`;
    try {
      if (rng.chance(0.5)) {
        const bytes = wordBatch(rng, size, keys);
        const input = placed(pool, rng, bytes);
        const got = plain(pool.wordCount(input.bytes));
        input.release();
        const expected = plain(reference.wordCount(bytes));
        if (!isDeepEqual(got, expected)) wrong.push(`word count, ${where}: ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
      } else {
        const bytes = ordersBatch(rng, size, keys);
        const spec = orders(REDUCERS[rng.nextInt(REDUCERS.length)] as Reducer);
        const input = placed(pool, rng, bytes);
        const got = pool.aggregateDelimited(input.bytes, spec);
        input.release();
        const expected = reference.aggregateDelimited(bytes, spec);
        if (!isDeepEqual(plain(got.result), plain(expected.result)) || got.malformed !== expected.malformed) {
          wrong.push(`orders ${spec.reducer}, ${where}: ${JSON.stringify(plain(got.result))}, malformed ${got.malformed}; expected ${JSON.stringify(plain(expected.result))}, malformed ${expected.malformed}`);
        }
      }
    } catch (error) {
      wrong.push(`${where} threw ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
  return wrong;
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

test('a worker woken without a new command runs nothing: every reply followed by such a wake-up, results stay exact', async () => {
  for (const mergeStrategy of ['ranges', 'fold', 'hash-targets'] as const) {
    let replies = 0;
    let wakes = 0;
    await withPool({
      workers: 2, minPartitionBytes: 1, minBytesPerKey: 0, mergeStrategy,
      hooks: { afterReply: (event) => { replies++; if (event.wake()) wakes++; } },
    }, (pool) => {
      const wrong = runBatches(pool, 7, 150);
      assert.deepEqual(wrong.slice(0, 3), [], `${mergeStrategy}: ${wrong.length} of 150 batches wrong`);
      assert.ok(pool.stats.mergedBatches > 100, 'most batches were split and merged');
    });
    // wake() gives up on a worker not seen waiting within a second (a host that descheduled it that long).
    assert.ok(replies > 500 && wakes > replies / 2, `the workers were woken without a command ${wakes} times after ${replies} replies`);
  }
});

test('stress: thousands of tiny and mixed batches, partitions of 1 to 64 bytes, 2 to 4 workers, every merge, seeded wake-ups: identical to the inline kernels', async () => {
  // 'auto' merges by hash ranges; with 3 and 4 workers the ranges are more than 2, and orders'
  // 8 partitions are not a multiple of 3.
  const configs: { workers: number; minPartitionBytes: number; mergeStrategy: MergeStrategy }[] = [
    { workers: 2, minPartitionBytes: 1, mergeStrategy: 'auto' },
    { workers: 2, minPartitionBytes: 16, mergeStrategy: 'fold' },
    { workers: 2, minPartitionBytes: 64, mergeStrategy: 'hash-targets' },
    { workers: 3, minPartitionBytes: 1, mergeStrategy: 'ranges' },
    { workers: 4, minPartitionBytes: 16, mergeStrategy: 'auto' },
  ];
  for (const [index, config] of configs.entries()) {
    const wakeRng = new Rng(1000 + index);
    await withPool({
      ...config,
      // One reply in 16 is followed by a wake-up that brings no command.
      hooks: { afterReply: (event) => { if (wakeRng.chance(1 / 16)) event.wake(); } },
    }, (pool) => {
      const wrong = runBatches(pool, 100 + index, 1500);
      assert.deepEqual(wrong.slice(0, 3), [], `${JSON.stringify(config)}: ${wrong.length} of 1500 batches wrong`);
      assert.ok(pool.stats.parallelBatches > 1000);
      if (config.mergeStrategy === 'auto' || config.mergeStrategy === 'ranges') assert.ok(pool.stats.rangeMergedBatches > 700, `${pool.stats.rangeMergedBatches} batches merged by ranges`);
    });
  }
});

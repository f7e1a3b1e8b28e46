// The same pipelines, state across batches and windows included, print the
// same lines on the single-thread kernels and on pools of 1, 2 and 4 workers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusLines } from '../../../src/corpus/index.js';
import {
  type DStream, type Kernels, InMemoryCheckpointStore, ManualClock, StreamingContext, createKernels, keyValueFields, nonZero, pairWithOne,
  runningSum, splitWhitespace, subtract, sum,
} from '../../../src/index.js';
import { withPool } from './pools.js';

const BATCHES = 6;

function batchesOf(corpus: 'english' | 'orders', linesPerBatch: number): string[][] {
  const lines = corpusLines(corpus);
  return Array.from({ length: BATCHES }, () => Array.from({ length: linesPerBatch }, () => lines.next().value));
}

async function printed(kernels: Kernels, batches: string[][], build: (lines: DStream<string>) => void): Promise<string[]> {
  const clock = new ManualClock();
  const out: string[] = [];
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, kernels, output: (line) => out.push(line) });
  ssc.checkpoint(new InMemoryCheckpointStore());
  build(ssc.queueStream(batches.map((batch) => [...batch]), { oneAtATime: true }));
  ssc.start();
  for (let i = 0; i < BATCHES + 3; i++) await clock.advance(1000);
  await ssc.stop();
  return out;
}

const words = batchesOf('english', 1500);
const orders = batchesOf('orders', 2000);
const pipelines: Record<string, { batches: string[][]; build: (lines: DStream<string>) => void }> = {
  'word count': { batches: words, build: (lines) => lines.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum).print(25) },
  'running word totals (updateStateByKey)': {
    batches: words,
    build: (lines) => lines.flatMap(splitWhitespace).map(pairWithOne).updateStateByKey(runningSum).print(25),
  },
  'windowed word counts with the inverse function': {
    batches: words,
    build: (lines) => lines.flatMap(splitWhitespace).map(pairWithOne).reduceByKeyAndWindow(sum, subtract, 3000, 1000, nonZero).print(25),
  },
  'windowed word counts without it': {
    batches: words,
    build: (lines) => lines.flatMap(splitWhitespace).map(pairWithOne).reduceByKeyAndWindow(sum, 3000, 2000).print(25),
  },
  'orders: totals per province, running totals': {
    batches: orders,
    build: (lines) => {
      const perBatch = lines.flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 })).reduceByKey(sum);
      perBatch.print(40);
      perBatch.updateStateByKey(runningSum).print(40);
    },
  },
};

for (const [name, { batches, build }] of Object.entries(pipelines)) {
  test(`${name}: identical output with 1, 2 and 4 workers and either merge`, async () => {
    const single = await printed(createKernels({ fallback: false }), batches, build);
    assert.ok(single.length > BATCHES * 10);
    const outputs: string[][] = [];
    const runs = [
      { workers: 1 }, { workers: 2 }, { workers: 4 }, { workers: 2, mergeStrategy: 'fold' }, { workers: 4, mergeStrategy: 'hash-targets' },
    ] as const;
    for (const run of runs) {
      // minBytesPerKey 0: these small batches are split and merged every time, however many keys they repeat.
      outputs.push(await withPool({ ...run, minBytesPerKey: 0 }, async (pool) => {
        const out = await printed(pool, batches, build);
        assert.ok(pool.stats.parallelBatches >= BATCHES, `${pool.stats.parallelBatches} parallel batches`);
        if (run.workers > 1) assert.ok(pool.stats.mergedBatches >= BATCHES, `${pool.stats.mergedBatches} merged batches`);
        if ('mergeStrategy' in run) assert.equal(pool.stats.foldedBatches, run.mergeStrategy === 'fold' ? pool.stats.mergedBatches : 0);
        return out;
      }));
    }
    for (const [i, run] of runs.entries()) assert.deepEqual(outputs[i], outputs[0], JSON.stringify(run));
    // Word counts are integers: the pool prints exactly what one thread prints. Float sums of
    // orders are cut into fixed partitions, so they may differ from one pass in the last bits.
    if (batches === words) assert.deepEqual(outputs[0], single);
    else assert.equal(outputs[0]?.length, single.length);
  });
}

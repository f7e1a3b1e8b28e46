import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusBytes } from '../../../src/corpus/index.js';
import { JobError, ManualClock, StreamingContext, createKernels, pairWithOne, splitWhitespace, sum } from '../../../src/index.js';
import { MAX_ATTEMPTS } from '../../../src/node/worker-pool/index.js';
import { plain, withPool } from './pools.js';

const reference = createKernels({ fallback: false });
const bytes = corpusBytes('english', 200_000);
const expected = plain(reference.wordCount(bytes));

test('a worker that exits while counting its partition is replaced and the batch is run again: nothing lost', async () => {
  let kills = 0;
  await withPool({
    workers: 2,
    hooks: {
      beforeCommand: (event) => {
        if (event.phase === 'count' && event.worker === 1 && event.attempt === 1 && kills === 0) {
          kills++;
          event.exit(70);
        }
      },
    },
  }, (pool) => {
    assert.deepEqual(plain(pool.wordCount(bytes)), expected);
    assert.equal(kills, 1);
    assert.equal(pool.stats.retries, 1);
    assert.equal(pool.stats.replacedWorkers, 1);
    // The replacement serves later batches like any other worker.
    assert.deepEqual(plain(pool.wordCount(bytes)), expected);
    assert.equal(pool.stats.retries, 1);
  });
});

test('a worker terminated from outside during the merge is presumed dead after stallTimeoutMs and replaced', async () => {
  let kills = 0;
  await withPool({
    workers: 2,
    stallTimeoutMs: 400,
    hooks: {
      beforeCommand: (event) => {
        if (event.phase === 'merge' && event.worker === 0 && kills === 0) {
          kills++;
          event.terminate();
        }
      },
    },
  }, (pool) => {
    assert.deepEqual(plain(pool.wordCount(bytes)), expected);
    assert.equal(pool.stats.retries, 1);
    assert.equal(pool.stats.replacedWorkers, 1);
    const orders = corpusBytes('orders', 100_000);
    const spec = { delimiter: ',', keyField: 1, valueField: 2, reducer: 'count' } as const;
    assert.deepEqual(pool.aggregateDelimited(orders, spec), reference.aggregateDelimited(orders, spec));
  });
});

test(`a batch whose workers die ${MAX_ATTEMPTS} times fails with a JobError naming the cause; the pool recovers for the next batch`, async () => {
  let failing = true;
  let kills = 0;
  await withPool({
    workers: 2,
    hooks: {
      beforeCommand: (event) => {
        if (failing && event.phase === 'count' && event.worker === 1) {
          kills++;
          event.exit(71);
        }
      },
    },
  }, (pool) => {
    assert.throws(() => pool.wordCount(bytes), (error: unknown) => {
      assert.ok(error instanceof JobError);
      assert.equal(error.code, 'ERR_SLUICE_JOB_FAILED');
      assert.match(error.message, /failed 3 times/);
      assert.ok(error.cause instanceof Error);
      assert.match(error.cause.message, /worker 1 exited during the count phase/);
      return true;
    });
    assert.equal(kills, MAX_ATTEMPTS);
    failing = false;
    assert.deepEqual(plain(pool.wordCount(bytes)), expected);
  });
});

test('in a StreamingContext, a batch that keeps losing workers fails the job with the pool error as its cause', async () => {
  await withPool({
    workers: 2,
    hooks: { beforeCommand: (event) => { if (event.worker === 1) event.exit(72); } },
  }, async (pool) => {
    const clock = new ManualClock();
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, kernels: pool, output: () => undefined });
    const lines = new TextDecoder().decode(bytes).split('\n').filter((line) => line !== '');
    ssc.queueStream([lines]).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum).print();
    ssc.start();
    await clock.advance(1000);
    await assert.rejects(ssc.awaitTermination(), (error: unknown) => {
      assert.ok(error instanceof JobError);
      assert.ok(error.cause instanceof JobError, 'the pool error is the cause');
      assert.match(error.cause.message, /worker threads were lost/);
      return true;
    });
    await ssc.stop();
  });
});

// Big enough that a 2-worker pool looks the result's keys up in parallel (the 'export' phase needs 4096 keys per worker).
const manyKeys = corpusBytes('english', 1_000_000);
const manyKeysExpected = plain(reference.wordCount(manyKeys));

test('fold merge: a worker that exits while folding a slice of partial 1 into partial 0 is replaced and the batch is run again', async () => {
  const kills: string[] = [];
  let armed = true;
  await withPool({
    workers: 2,
    mergeStrategy: 'fold',
    // Every batch is split and merged, however many distinct keys the last one had.
    minBytesPerKey: 0,
    hooks: {
      beforeCommand: (event) => {
        if (event.phase === 'merge' && event.worker === 1 && event.attempt === 1 && armed) {
          armed = false;
          kills.push(`${event.phase}:${event.worker}`);
          event.exit(73);
        }
      },
    },
  }, (pool) => {
    assert.deepEqual(plain(pool.wordCount(manyKeys)), manyKeysExpected);
    assert.deepEqual(kills, ['merge:1']);
    assert.equal(pool.stats.retries, 1);
    assert.equal(pool.stats.replacedWorkers, 1);
    // Only the attempt that finished is counted, and it folded.
    assert.equal(pool.stats.mergedBatches, 1);
    assert.equal(pool.stats.foldedBatches, 1);
    // The fold's tables were quarantined with the lost worker; fresh ones fold the next batches right.
    assert.deepEqual(plain(pool.wordCount(bytes)), expected);
    assert.deepEqual(plain(pool.wordCount(manyKeys)), manyKeysExpected);
    // A later batch loses its worker 1 in the fold again (attempt 1 of that batch): replaced again.
    kills.length = 0;
    armed = true;
    assert.deepEqual(plain(pool.wordCount(manyKeys)), manyKeysExpected);
    assert.deepEqual(kills, ['merge:1']);
    assert.equal(pool.stats.retries, 2);
    assert.equal(pool.stats.replacedWorkers, 2);
    assert.equal(pool.stats.mergedBatches, 4);
    assert.equal(pool.stats.foldedBatches, 4);
  });
});

test('export: a worker that exits while looking up a slice of the result\'s keys in the key cache is replaced; the batch is run again', async () => {
  let phases: string[] = [];
  let killIn: number | undefined = 0;
  await withPool({
    workers: 2,
    mergeStrategy: 'fold',
    // Every batch is split and merged, however many distinct keys the last one had.
    minBytesPerKey: 0,
    hooks: {
      beforeCommand: (event) => {
        phases.push(event.phase);
        if (event.phase === 'export' && event.worker === killIn && event.attempt === 1) {
          killIn = undefined;
          event.exit(74);
        }
      },
    },
  }, (pool) => {
    // Cold key cache: every key misses; the lookup fails before anything is cached.
    assert.deepEqual(plain(pool.wordCount(manyKeys)), manyKeysExpected);
    assert.ok(phases.includes('export'), `phases: ${[...new Set(phases)].join(', ')}`);
    assert.equal(killIn, undefined, 'the export hook fired');
    assert.equal(pool.stats.retries, 1);
    assert.equal(pool.stats.replacedWorkers, 1);
    // The second attempt ran count, merge and export again.
    assert.ok(phases.lastIndexOf('count') > phases.indexOf('export'), `phases: ${phases.join(', ')}`);
    assert.equal(phases[phases.length - 1], 'export');
    // Warm key cache: the lookups hit; losing worker 1 midway leaves the cache consistent.
    phases = [];
    killIn = 1;
    const cache = pool.local.context.keyCache.stats;
    const hitsBefore = cache.hits;
    assert.deepEqual(plain(pool.wordCount(manyKeys)), manyKeysExpected);
    assert.equal(cache.hits - hitsBefore, manyKeysExpected.keys.length, 'the retried export found every key cached');
    assert.equal(killIn, undefined, 'the export hook fired');
    assert.equal(pool.stats.retries, 2);
    assert.equal(pool.stats.replacedWorkers, 2);
    // And later batches, other keys included, are still right.
    assert.deepEqual(plain(pool.wordCount(bytes)), expected);
    assert.deepEqual(plain(pool.wordCount(manyKeys)), manyKeysExpected);
    assert.equal(pool.stats.retries, 2);
    assert.equal(pool.stats.parallelBatches, 4);
    // An attempt lost in its export had merged already, but merge stats count batches that succeeded.
    assert.equal(pool.stats.mergedBatches, pool.stats.parallelBatches);
    assert.equal(pool.stats.foldedBatches, pool.stats.mergedBatches);
  });
});

test('ranges merge: a worker that exits while folding its hash range, or while ordering the export list, is replaced; the batch is run again', async () => {
  const kills: string[] = [];
  let killIn: 'merge' | 'export' | undefined = 'merge';
  await withPool({
    workers: 2,
    mergeStrategy: 'ranges',
    minBytesPerKey: 0,
    hooks: {
      beforeCommand: (event) => {
        // The first export command of a range-merged batch lists partial 0 or sorts a run (ORDER_RUNS).
        if (event.phase === killIn && event.worker === 1 && event.attempt === 1) {
          kills.push(`${event.phase}:${event.worker}`);
          killIn = undefined;
          event.exit(75);
        }
      },
    },
  }, (pool) => {
    assert.deepEqual(plain(pool.wordCount(manyKeys)), manyKeysExpected);
    assert.deepEqual(kills, ['merge:1']);
    assert.equal(pool.stats.retries, 1);
    killIn = 'export';
    assert.deepEqual(plain(pool.wordCount(manyKeys)), manyKeysExpected);
    assert.deepEqual(kills, ['merge:1', 'export:1']);
    assert.equal(pool.stats.retries, 2);
    assert.equal(pool.stats.replacedWorkers, 2);
    // The lost workers' overflow tables, states and lists were quarantined; fresh ones merge the next batches right.
    assert.deepEqual(plain(pool.wordCount(bytes)), expected);
    assert.deepEqual(plain(pool.wordCount(manyKeys)), manyKeysExpected);
    assert.equal(pool.stats.rangeMergedBatches, 4);
    assert.equal(pool.stats.mergedBatches, 4);
  });
});

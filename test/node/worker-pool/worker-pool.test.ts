import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusBytes, distinctPassBytes } from '../../../src/corpus/index.js';
import { createKernels, type DelimitedSpec, type Reducer } from '../../../src/kernels/index.js';
import { WorkerPool } from '../../../src/node/worker-pool/index.js';
import { plain, withPool } from './pools.js';

const WORKER_COUNTS = [1, 2, 4];
const MERGE_STRATEGIES = ['ranges', 'fold', 'hash-targets'] as const;
const reference = createKernels({ fallback: false });
const orders = (reducer: Reducer): DelimitedSpec => ({ delimiter: ',', keyField: 1, valueField: 2, reducer, expectedFields: 3 });

test('the pool defaults to one worker per available core and refuses a bad worker count', async () => {
  const { availableParallelism } = await import('node:os');
  await withPool({}, (pool) => assert.equal(pool.parallelism, availableParallelism()));
  assert.throws(() => new WorkerPool({ workers: 0 }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
});

test('word count: 1, 2 and 4 workers give exactly the single-pass result, keys in first-occurrence order, with either merge', async () => {
  const english = corpusBytes('english', 300_000);
  const mixed = corpusBytes('mixed', 300_000);
  for (const mergeStrategy of MERGE_STRATEGIES) {
    for (const workers of WORKER_COUNTS) {
      await withPool({ workers, minBytesPerKey: 0, mergeStrategy }, (pool) => {
        for (const bytes of [english, mixed, english]) {
          assert.deepEqual(plain(pool.wordCount(bytes)), plain(reference.wordCount(bytes)), `workers=${workers}, ${mergeStrategy}`);
        }
        assert.equal(pool.stats.parallelBatches, 3);
        assert.equal(pool.stats.mergedBatches, workers > 1 ? 3 : 0);
        assert.equal(pool.stats.foldedBatches, workers > 1 && mergeStrategy === 'fold' ? 3 : 0);
        assert.equal(pool.stats.rangeMergedBatches, workers > 1 && mergeStrategy === 'ranges' ? 3 : 0);
        assert.equal(pool.stats.inlineBatches, 0);
      });
    }
  }
});

test("'auto' merges by hash ranges, whether partitions repeat each other's keys or not", async () => {
  // Split in three, a 4 MB english batch has few of partials 1 and 2's words new to partial 0; the distinct
  // batch has all of them new: the overflow tables, sized from the batch before, must grow midway.
  const english = corpusBytes('english', 4_000_000);
  const distinct = distinctPassBytes(100_000);
  await withPool({ workers: 3, minBytesPerKey: 0 }, (pool) => {
    for (const bytes of [english, english, distinct, distinct, english, english]) {
      assert.deepEqual(plain(pool.wordCount(bytes)), plain(reference.wordCount(bytes)));
    }
    assert.equal(pool.stats.mergedBatches, 6);
    assert.equal(pool.stats.rangeMergedBatches, 6);
    assert.equal(pool.stats.foldedBatches, 0);
  });
  assert.throws(() => new WorkerPool({ workers: 1, mergeStrategy: 'fastest' as 'auto' }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
});

test('1 million distinct keys: identical with 1, 2 and 4 workers (tables grow during counting and merging)', async () => {
  const bytes = distinctPassBytes(1_000_000);
  const expected = reference.wordCount(bytes);
  assert.equal(expected.keys.length, 1_000_000);
  const expectedKeys = expected.keys.join('\n');
  for (const mergeStrategy of MERGE_STRATEGIES) {
    for (const workers of WORKER_COUNTS) {
      await withPool({ workers, minPartitionBytes: 64 * 1024, mergeStrategy }, (pool) => {
        const got = pool.wordCount(bytes);
        // Joined and byte-wise comparisons: deepEqual on a million elements is slow.
        assert.ok(got.keys.join('\n') === expectedKeys, `keys, workers=${workers}, ${mergeStrategy}`);
        assert.ok(Buffer.from(got.values.buffer).equals(Buffer.from(expected.values.buffer)), `values, workers=${workers}, ${mergeStrategy}`);
      });
    }
  }
});

test('after a batch of mostly distinct keys the next one runs as one partition (no merge), until keys repeat again', async () => {
  const distinct = distinctPassBytes(100_000);
  const english = corpusBytes('english', 2_000_000);
  await withPool({ workers: 2 }, (pool) => {
    const merged: number[] = [];
    for (const bytes of [distinct, distinct, english, english]) {
      assert.deepEqual(plain(pool.wordCount(bytes)), plain(reference.wordCount(bytes)));
      merged.push(pool.stats.mergedBatches);
    }
    assert.deepEqual(merged, [1, 1, 1, 2]);
  });
  await withPool({ workers: 2, minBytesPerKey: 0 }, (pool) => {
    for (const bytes of [distinct, distinct]) assert.deepEqual(plain(pool.wordCount(bytes)), plain(reference.wordCount(bytes)));
    assert.equal(pool.stats.mergedBatches, 2);
  });
});

test('orders: per-province sum/count/min/max and malformed lines are identical with 1, 2 and 4 workers and either merge', async () => {
  const bytes = corpusBytes('orders', 400_000, { malformedRate: 0.02 });
  const results = new Map<string, unknown>();
  for (const [workers, mergeStrategy] of WORKER_COUNTS.flatMap((w) => MERGE_STRATEGIES.map((m) => [w, m] as const))) {
    await withPool({ workers, mergeStrategy }, (pool) => {
      const perReducer: unknown[] = [];
      for (const reducer of ['sum', 'count', 'min', 'max'] as const) {
        const got = pool.aggregateDelimited(bytes, orders(reducer));
        const want = reference.aggregateDelimited(bytes, orders(reducer));
        assert.ok(got.malformed > 0);
        assert.equal(got.malformed, want.malformed, `malformed, workers=${workers}`);
        assert.deepEqual(got.result.keys, want.result.keys, `keys, ${reducer}, workers=${workers}`);
        if (reducer === 'sum') {
          // A float sum over partitions differs from one pass in the last bits only.
          got.result.values.forEach((v, i) => assert.ok(Math.abs(v - (want.result.values[i] as number)) <= 1e-9 * Math.abs(v), `${v} vs ${want.result.values[i]}`));
        } else {
          assert.deepEqual([...got.result.values], [...want.result.values], `${reducer}, workers=${workers}`);
        }
        perReducer.push(plain(got.result), got.malformed);
      }
      results.set(`${workers} ${mergeStrategy}`, perReducer);
    });
  }
  // Float sums included (each value folded in partition order), every worker count and merge gives the same bits.
  const first = results.get('1 fold');
  for (const [run, result] of results) assert.deepEqual(result, first, run);
});

test('batches below minPartitionBytes run inline on the calling thread with the same result', async () => {
  await withPool({ workers: 2 }, (pool) => {
    const bytes = new TextEncoder().encode('to be or not to be\n');
    assert.deepEqual(plain(pool.wordCount(bytes)), plain(reference.wordCount(bytes)));
    assert.deepEqual(pool.aggregateDelimited(new TextEncoder().encode('1,a,2\n2,a,3\nbad\n'), orders('sum')), {
      result: { keys: ['a'], values: new Float64Array([5]) },
      malformed: 1,
    });
    assert.equal(pool.stats.inlineBatches, 2);
    assert.equal(pool.stats.parallelBatches, 0);
  });
});

test('tables, tokenize and hash run on the owner thread; word counts fold into a table in first-occurrence order', async () => {
  await withPool({ workers: 2 }, (pool) => {
    const bytes = corpusBytes('english', 100_000);
    const table = pool.createTable('sum');
    pool.wordCountInto(table, bytes);
    pool.wordCountInto(table, bytes);
    const once = reference.wordCount(bytes);
    assert.deepEqual(table.entries().keys, once.keys);
    assert.deepEqual([...table.entries().values], [...once.values].map((v) => v * 2));
    assert.throws(() => pool.wordCountInto(pool.createTable('max'), bytes), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
    const orderTable = pool.createTable('max');
    const ordersBytes = corpusBytes('orders', 50_000);
    assert.equal(pool.aggregateDelimitedInto(orderTable, ordersBytes, orders('sum')).malformed, 0);
    assert.deepEqual(plain(orderTable.entries()), plain(reference.aggregateDelimited(ordersBytes, orders('max')).result));
    assert.deepEqual(pool.tokenize(bytes.subarray(0, 1000)), reference.tokenize(bytes.subarray(0, 1000)));
    assert.equal(pool.hash64(bytes.subarray(0, 10), 3), reference.hash64(bytes.subarray(0, 10), 3));
  });
});

test('a closed pool refuses work and close() is idempotent', async () => {
  const pool = await withPool({ workers: 1 }, (p) => p);
  await pool.close();
  assert.throws(() => pool.wordCount(new Uint8Array(10)), { code: 'ERR_SLUICE_ILLEGAL_STATE' });
});

test('a pool of more than 8 workers cuts float sums into one partition per worker by default, and word counts stay exact with fewer partitions than workers', async () => {
  const bytes = corpusBytes('orders', 400_000);
  const countersOf = (seen: Set<number>) => ({ beforeCommand: (event: { phase: string; worker: number }) => { if (event.phase === 'count') seen.add(event.worker); } });
  const byDefault = new Set<number>();
  const eight = new Set<number>();
  const expected = reference.aggregateDelimited(bytes, orders('sum'));
  await withPool({ workers: 12, hooks: countersOf(byDefault) }, (pool) => {
    const got = pool.aggregateDelimited(bytes, orders('sum'));
    assert.deepEqual(got.result.keys, expected.result.keys);
    assert.equal(got.malformed, expected.malformed);
  });
  await withPool({ workers: 12, partitions: 8, hooks: countersOf(eight) }, (pool) => {
    pool.aggregateDelimited(bytes, orders('sum'));
  });
  assert.equal(byDefault.size, 12);
  assert.equal(eight.size, 8);
  // Word counts cut one partition per worker, whatever `partitions` says.
  const english = corpusBytes('english', 400_000);
  await withPool({ workers: 12, partitions: 2, minBytesPerKey: 0, mergeStrategy: 'ranges' }, (pool) => {
    for (let i = 0; i < 3; i++) assert.deepEqual(plain(pool.wordCount(english)), plain(reference.wordCount(english)));
  });
});

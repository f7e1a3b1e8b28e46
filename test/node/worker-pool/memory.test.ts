import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusBytes, distinctPassBytes } from '../../../src/corpus/index.js';
import { KernelError } from '../../../src/errors.js';
import { PAGE_BYTES, createKernels } from '../../../src/kernels/index.js';
import { plain, withPool } from './pools.js';

const reference = createKernels({ fallback: false });

for (const mergeStrategy of ['ranges', 'fold', 'hash-targets'] as const) {
  test(`a batch larger than the initial shared memory grows it; every worker sees the grown memory (merge: ${mergeStrategy})`, async () => {
    const bytes = distinctPassBytes(500_000);
    assert.ok(bytes.length > 32 * PAGE_BYTES);
    await withPool({ workers: 2, initialPages: 32, minBytesPerKey: 0, mergeStrategy }, (pool) => {
      assert.equal(pool.memory.buffer.byteLength, 32 * PAGE_BYTES);
      assert.deepEqual(plain(pool.wordCount(bytes)), plain(reference.wordCount(bytes)));
      assert.ok(pool.memory.buffer.byteLength > 2 * bytes.length, `memory is ${pool.memory.buffer.byteLength} bytes`);
      // Regions are reused: the same batch again does not grow the memory further.
      const after = pool.memory.buffer.byteLength;
      assert.deepEqual(plain(pool.wordCount(bytes)), plain(reference.wordCount(bytes)));
      assert.equal(pool.memory.buffer.byteLength, after);
      assert.equal(pool.stats.foldedBatches, mergeStrategy === 'fold' ? 2 : 0);
      assert.equal(pool.stats.rangeMergedBatches, mergeStrategy === 'ranges' ? 2 : 0);
    });
  });
}

test('a batch over the maximum memory fails with ERR_SLUICE_KERNEL_MEMORY (no trap), and the pool keeps working', async () => {
  const maximumPages = 64; // 4 MiB
  const small = corpusBytes('english', 200_000);
  await withPool({ workers: 2, initialPages: 32, maximumPages }, (pool) => {
    const tooBig = corpusBytes('english', 5 * 1024 * 1024);
    assert.throws(() => pool.wordCount(tooBig), (error: unknown) => {
      assert.ok(error instanceof KernelError);
      assert.equal(error.code, 'ERR_SLUICE_KERNEL_MEMORY');
      assert.match(error.message, /use smaller batches/);
      return true;
    });
    // Input fits, but the tables of 200,000 distinct keys do not: the owner's grow fails mid-batch.
    const manyKeys = distinctPassBytes(200_000);
    assert.ok(manyKeys.length < maximumPages * PAGE_BYTES / 2);
    assert.throws(() => pool.wordCount(manyKeys), { code: 'ERR_SLUICE_KERNEL_MEMORY' });
    assert.deepEqual(plain(pool.wordCount(small)), plain(reference.wordCount(small)));
    assert.equal(pool.stats.retries, 0);
  });
});

test('a batch written straight into a region the pool lends (allocInput) is counted in place, without a copy', async () => {
  const words = corpusBytes('english', 300_000);
  const orders = corpusBytes('orders', 200_000, { malformedRate: 0.01 });
  const spec = { delimiter: ',', keyField: 1, valueField: 2, reducer: 'max' } as const;
  await withPool({ workers: 2 }, (pool) => {
    const region = pool.allocInput(words.length);
    const view = region.bytes;
    assert.ok(view.buffer instanceof SharedArrayBuffer);
    view.set(words);
    assert.deepEqual(plain(pool.wordCount(view)), plain(reference.wordCount(words)));
    // Counting does not write to the input: the same view counts again to the same result.
    assert.deepEqual(plain(pool.wordCount(view)), plain(reference.wordCount(words)));
    const ordersRegion = pool.allocInput(orders.length);
    ordersRegion.bytes.set(orders);
    assert.deepEqual(pool.aggregateDelimited(ordersRegion.bytes, spec), reference.aggregateDelimited(orders, spec));
    assert.equal(pool.stats.copiedBytes, 0);
    assert.equal(pool.stats.parallelBatches, 3);
    // Other bytes are copied.
    assert.deepEqual(plain(pool.wordCount(words)), plain(reference.wordCount(words)));
    assert.equal(pool.stats.copiedBytes, words.length);
    // A view of a released region is not trusted in place: it is copied (what it reads is the caller's problem).
    region.release();
    const stale = new Uint8Array(view.buffer, view.byteOffset, view.length);
    pool.wordCount(stale);
    assert.equal(pool.stats.copiedBytes, 2 * words.length);
    ordersRegion.release();
    assert.equal(pool.lentInputRegions, 0);
  });
});

test('a batch in place is posted one count command per worker (partitions claimed from a queue); copied bytes are posted in chunks, so counting overlaps the copy', async () => {
  const words = corpusBytes('english', 300_000);
  let countCommands = 0;
  const hooks = { beforeCommand: ({ phase }: { phase: string }) => void (phase === 'count' && countCommands++) };
  // One worker on a machine with more cores: the pool may chunk, since the owner thread has a core to copy on.
  await withPool({ workers: 1, hooks }, (pool) => {
    const region = pool.allocInput(words.length);
    region.bytes.set(words);
    // The first batch grows the partial table (each growth posts the rest again); the second has room.
    assert.deepEqual(plain(pool.wordCount(region.bytes)), plain(reference.wordCount(words)));
    assert.ok(countCommands > 1, `the first batch resumed after each grow (${countCommands} commands)`);
    countCommands = 0;
    assert.deepEqual(plain(pool.wordCount(region.bytes)), plain(reference.wordCount(words)));
    assert.equal(countCommands, 1, 'in place: no chunks, one wake-up');
    countCommands = 0;
    assert.deepEqual(plain(pool.wordCount(words)), plain(reference.wordCount(words)));
    if (availableParallelism() > 1) assert.ok(countCommands > 1, `copied: chunked (${countCommands} commands)`);
    region.release();
  });
});

test('orders in place: 8 partitions claimed by 1, 2 or 3 workers (or all by the first, posted alone) give the same float bits as a copied batch', async () => {
  // Prices with many decimals: sums that depend on the order of addition, so any partition counted into the wrong partial shows.
  const orders = corpusBytes('orders', 600_000, { malformedRate: 0.01 });
  const spec = { delimiter: ',', keyField: 1, valueField: 2, reducer: 'sum', expectedFields: 3 } as const;
  const bits = (r: { result: { keys: readonly string[]; values: Float64Array }; malformed: number }): unknown =>
    ({ keys: [...r.result.keys], bits: [...new Uint8Array(r.result.values.buffer, r.result.values.byteOffset, r.result.values.byteLength)], malformed: r.malformed });
  let expected: unknown;
  for (const [workers, oneAtATime] of [[1, false], [2, false], [3, false], [2, true]] as const) {
    let countCommands = 0;
    const hooks = { oneAtATime, beforeCommand: ({ phase }: { phase: string }) => void (phase === 'count' && countCommands++) };
    await withPool({ workers, hooks, minPartitionBytes: 16_384 }, (pool) => {
      const region = pool.allocInput(orders.length);
      region.bytes.set(orders);
      const copied = bits(pool.aggregateDelimited(orders, spec));
      expected ??= copied;
      assert.deepEqual(copied, expected, `${workers} workers, copied`);
      countCommands = 0;
      assert.deepEqual(bits(pool.aggregateDelimited(region.bytes, spec)), expected, `${workers} workers${oneAtATime ? ', one command at a time' : ''}, in place`);
      assert.equal(countCommands, workers, 'in place: one count command per worker');
      region.release();
    });
  }
});

test('lent input regions: a batch inside one, or any part of one followed by other data, is counted in place', async () => {
  const words = corpusBytes('english', 300_000);
  const orders = corpusBytes('orders', 200_000, { malformedRate: 0.01 });
  const spec = { delimiter: ',', keyField: 1, valueField: 2, reducer: 'sum' } as const;
  await withPool({ workers: 2 }, (pool) => {
    const region = pool.allocInput(words.length + orders.length);
    assert.equal(pool.lentInputRegions, 1);
    region.bytes.set(words);
    region.bytes.set(orders, words.length);
    // The words are followed by order lines (not whitespace): the kernels must not read past the end.
    const wordsPart = region.bytes.subarray(0, words.length);
    assert.deepEqual(plain(pool.wordCount(wordsPart)), plain(reference.wordCount(words)));
    const ordersPart = region.bytes.subarray(words.length);
    const pooled = pool.aggregateDelimited(ordersPart, spec);
    const copied = pool.aggregateDelimited(orders, spec);
    assert.deepEqual(pooled, copied);
    assert.equal(pool.stats.copiedBytes, orders.length, 'only the plain copy of the orders was copied');
    // Nothing was written into the region either: the words are intact.
    assert.ok(Buffer.from(wordsPart).equals(Buffer.from(words)));
    region.release();
    region.release();
    assert.equal(pool.lentInputRegions, 0);
    assert.throws(() => pool.allocInput(-1), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  });
});

const encoder = new TextEncoder();

/** The bytes without their trailing spaces and newlines (so that the part ends right after the word appended to it). */
function trimmedEnd(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x20)) end--;
  return bytes.subarray(0, end);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

test('a lent region: a part ending in the middle of what the region holds ends there ("foo" then "bar" counts foo, not foobar)', async () => {
  const before = concat(trimmedEnd(corpusBytes('english', 300_000)), encoder.encode(' foo'));
  const after = concat(encoder.encode('bar '), corpusBytes('english', 100_000));
  const small = encoder.encode('the quick foo');
  await withPool({ workers: 2, minBytesPerKey: 0 }, (pool) => {
    const region = pool.allocInput(before.length + after.length + small.length + 3);
    region.bytes.set(before);
    region.bytes.set(after, before.length);
    region.bytes.set(small, before.length + after.length);
    region.bytes.set(encoder.encode('bar'), before.length + after.length + small.length);
    const head = region.bytes.subarray(0, before.length);
    const counted = plain(pool.wordCount(head));
    assert.deepEqual(counted, plain(reference.wordCount(before.slice())));
    assert.ok(counted.keys.includes('foo') && !counted.keys.includes('foobar'), 'the last word is foo');
    // The part that starts right after "foo": its first word is "bar".
    const tail = region.bytes.subarray(before.length, before.length + after.length);
    const tailCounted = plain(pool.wordCount(tail));
    assert.deepEqual(tailCounted, plain(reference.wordCount(after.slice())));
    assert.equal(tailCounted.keys[0], 'bar');
    // Below minPartitionBytes the batch runs inline on the owner thread: the same rule.
    const inline = region.bytes.subarray(before.length + after.length, before.length + after.length + small.length);
    assert.deepEqual(plain(pool.wordCount(inline)), { keys: ['the', 'quick', 'foo'], values: [1, 1, 1] });
    assert.equal(pool.stats.parallelBatches, 2);
    assert.equal(pool.stats.inlineBatches, 1);
    assert.equal(pool.stats.copiedBytes, 0, 'the parallel parts were counted in place');
    region.release();
  });
});

test('a lent region: an orders part without a final newline, followed by digits, aggregates like a plain copy of it', async () => {
  // The part's last line is the batch's largest order; read on into the next bytes, it would be 999999.2575.
  const part = concat(corpusBytes('orders', 200_000, { malformedRate: 0.01 }), encoder.encode('201710269999999999,5,999999.25'));
  const next = concat(encoder.encode('75\n'), corpusBytes('orders', 20_000));
  await withPool({ workers: 2, minBytesPerKey: 0 }, (pool) => {
    const region = pool.allocInput(part.length + next.length);
    region.bytes.set(part);
    region.bytes.set(next, part.length);
    const inRegion = region.bytes.subarray(0, part.length);
    for (const reducer of ['max', 'count', 'sum'] as const) {
      const spec = { delimiter: ',', keyField: 1, valueField: 2, reducer } as const;
      const copied = pool.aggregateDelimited(part.slice(), spec);
      const pooled = pool.aggregateDelimited(inRegion, spec);
      assert.deepEqual(pooled, copied, reducer);
      const single = reference.aggregateDelimited(part.slice(), spec);
      // Float sums are cut into fixed partitions: only their keys, order and malformed count must match one thread's.
      if (reducer === 'sum') assert.deepEqual([pooled.result.keys, pooled.malformed], [single.result.keys, single.malformed]);
      else assert.deepEqual(pooled, single, reducer);
      if (reducer === 'max') assert.equal(pooled.result.values[pooled.result.keys.indexOf('5')], 999999.25);
    }
    assert.equal(pool.stats.copiedBytes, 3 * part.length, 'only the plain copies were copied');
    region.release();
    assert.equal(pool.lentInputRegions, 0);
  });
});

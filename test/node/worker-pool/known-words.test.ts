/**
 * The pool's word counts against the key cache (src/kernels/known-words.ts):
 * once the cache knows a stream's words, batches in shared memory are
 * counted into copies of the cache's table and added up offset by offset.
 * Results must equal the inline kernels' batch after batch while new words
 * keep arriving, survive a worker lost mid-count, and the forced merge
 * strategies and copied batches must not use it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKernels } from '../../../src/kernels/index.js';
import type { WorkerPool } from '../../../src/node/worker-pool/index.js';
import { Prng } from '../../kernels/prng.js';
import { plain, withPool } from './pools.js';

const encoder = new TextEncoder();
const VOCABULARY = Array.from({ length: 3000 }, (_, i) => `word${i}`);
const BATCH_BYTES = 1 << 20;

/** About BATCH_BYTES of vocabulary words in lines, with `fresh` new words spread through it. */
function batchText(seed: number, fresh: readonly string[]): Uint8Array {
  const prng = new Prng(seed);
  const random = (): number => prng.next();
  const words: string[] = [];
  let bytes = 0;
  while (bytes < BATCH_BYTES) {
    const word = random() < 0.002 && fresh.length > 0
      ? (fresh[Math.floor(random() * fresh.length)] as string)
      : (VOCABULARY[Math.floor(random() * VOCABULARY.length)] as string);
    words.push(word);
    bytes += word.length + 1;
  }
  return encoder.encode(words.map((w, i) => (i % 12 === 11 ? `${w}\n` : `${w} `)).join(''));
}

/** The batch written into a region of the pool's shared memory, as the engine's receivers write theirs. */
function lent(pool: WorkerPool, bytes: Uint8Array): Uint8Array {
  const { bytes: view } = pool.allocInput(bytes.length);
  view.set(bytes);
  return view;
}

test('batch after batch, with new words in each, the pool counts against the cache and agrees with the inline kernels', async () => {
  const reference = createKernels({ fallback: false });
  await withPool({ workers: 2 }, (pool) => {
    for (let b = 0; b < 6; b++) {
      const bytes = batchText(b + 1, [`new${b}`, `new${b + 1}`, `日本${b}`]);
      assert.deepEqual(plain(pool.wordCount(lent(pool, bytes))), plain(reference.wordCount(bytes)), `batch ${b}`);
    }
    // The first two batches teach the cache; the rest are counted against it.
    assert.equal(pool.stats.knownWordBatches, 4);
    assert.equal(pool.stats.rangeMergedBatches, 2);
    assert.equal(pool.stats.mergedBatches, 6);
  });
});

test('a worker lost while counting against the cache is replaced and the batch counted again: nothing lost', async () => {
  const reference = createKernels({ fallback: false });
  let kills = 0;
  let armed = false;
  await withPool({
    workers: 2,
    hooks: {
      beforeCommand: (event) => {
        if (armed && event.phase === 'count' && event.worker === 1 && event.attempt === 1 && kills === 0) {
          kills++;
          event.exit(70);
        }
      },
    },
  }, (pool) => {
    for (let b = 0; b < 5; b++) {
      armed = b === 3;
      const bytes = batchText(100 + b, [`late${b}`]);
      assert.deepEqual(plain(pool.wordCount(lent(pool, bytes))), plain(reference.wordCount(bytes)), `batch ${b}`);
    }
    assert.equal(kills, 1);
    assert.equal(pool.stats.retries, 1);
    assert.equal(pool.stats.replacedWorkers, 1);
    assert.equal(pool.stats.knownWordBatches, 3, 'batches 2, 3 (retried) and 4');
  });
});

test('a forced merge strategy, and batches not in shared memory, merge tables as before', async () => {
  const reference = createKernels({ fallback: false });
  await withPool({ workers: 2, mergeStrategy: 'ranges' }, (pool) => {
    for (let b = 0; b < 4; b++) {
      const bytes = batchText(200 + b, []);
      assert.deepEqual(plain(pool.wordCount(lent(pool, bytes))), plain(reference.wordCount(bytes)));
    }
    assert.equal(pool.stats.knownWordBatches, 0);
    assert.equal(pool.stats.rangeMergedBatches, 4);
  });
  await withPool({ workers: 2 }, (pool) => {
    for (let b = 0; b < 4; b++) {
      const bytes = batchText(300 + b, []);
      assert.deepEqual(plain(pool.wordCount(bytes)), plain(reference.wordCount(bytes)));
    }
    assert.equal(pool.stats.knownWordBatches, 0, 'copied batches are counted chunk by chunk into tables');
    assert.equal(pool.stats.mergedBatches, 4);
  });
});

test('a batch of mostly new words after a known vocabulary grows the workers\' seen lists and copies mid-count: still exact', async () => {
  const reference = createKernels({ fallback: false });
  await withPool({ workers: 2 }, (pool) => {
    for (let b = 0; b < 3; b++) {
      const bytes = batchText(400 + b, []);
      assert.deepEqual(plain(pool.wordCount(lent(pool, bytes))), plain(reference.wordCount(bytes)));
    }
    // 30,000 distinct new words in each half: past each seen list's room (ids + 4,096) and each copy's 64 KiB for new words.
    const fresh = Array.from({ length: 60_000 }, (_, i) => `fresh-${i % 30_000}-${i < 30_000 ? 'a' : 'b'}`);
    const bytes = encoder.encode(`${fresh.join(' ')} ${VOCABULARY.join(' ')}\n`);
    const before = pool.stats.knownWordBatches;
    assert.deepEqual(plain(pool.wordCount(lent(pool, bytes))), plain(reference.wordCount(bytes)));
    assert.equal(pool.stats.knownWordBatches, before + 1, 'counted against the cache');
    // The next batch of the old vocabulary is right too (the cache now also holds the new words).
    const again = batchText(500, []);
    assert.deepEqual(plain(pool.wordCount(lent(pool, again))), plain(reference.wordCount(again)));
  });
});

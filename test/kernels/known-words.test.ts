/**
 * Word counts against the key cache (src/kernels/known-words.ts,
 * assembly/known-words.ts), on one thread: partitions counted into copies
 * of the cache's table must give exactly the fallback's word count of the
 * whole batch, keys in first-occurrence order, whatever mix of known and
 * new words the partitions hold, and however far their seen lists and
 * tables must grow. The worker pool's use of it is tested under
 * test/node/worker-pool/known-words.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyedValues } from '../../src/kernels/api.js';
import { INPUT_PADDING, WasmKernels, createKernels, jsKernels } from '../../src/kernels/index.js';
import { KnownWordCounts } from '../../src/kernels/known-words.js';

const encoder = new TextEncoder();
const VOCABULARY = Array.from({ length: 2000 }, (_, i) => `w${i}`);

/** WASM kernels whose cache has learnt VOCABULARY (two exports: the second finds every key). */
function warmKernels(): WasmKernels {
  const kernels = createKernels({ fallback: false });
  assert.ok(kernels instanceof WasmKernels);
  const all = encoder.encode(VOCABULARY.join(' '));
  kernels.wordCount(all);
  kernels.wordCount(all);
  return kernels;
}

function assertSameResult(actual: KeyedValues, expected: KeyedValues, label: string): void {
  assert.deepEqual(actual.keys, expected.keys, `${label}: keys`);
  assert.deepEqual([...actual.values], [...expected.values], `${label}: values`);
}

/** Counts `partitions` (consecutive in one input region, as a pool's are) against the cache on this thread; undefined when begin declines. */
function countKnown(kernels: WasmKernels, known: KnownWordCounts, partitions: readonly Uint8Array[]): KeyedValues | undefined {
  const { context } = kernels;
  const total = partitions.reduce((n, p) => n + p.length, 0);
  const ptr = context.scratch.get('known-test-input', total + INPUT_PADDING);
  const u8 = context.instance.memory.u8();
  let at = ptr;
  for (const p of partitions) {
    u8.set(p, at);
    at += p.length;
  }
  u8.fill(0, at, at + INPUT_PADDING);
  const batch = known.begin(partitions.length, Math.min(...partitions.map((p) => p.length)));
  if (batch === undefined) return undefined;
  at = ptr;
  partitions.forEach((p, k) => {
    known.count(batch, k, at, p.length);
    at += p.length;
  });
  return known.finish(batch);
}

/** The partitions as one batch, counted by the JS fallback (which has no cache). */
function expectedOf(partitions: readonly Uint8Array[]): KeyedValues {
  const total = new Uint8Array(partitions.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of partitions) {
    total.set(p, at);
    at += p.length;
  }
  return jsKernels().wordCount(total);
}

/** A partition of `words` (strings or raw bytes) separated by spaces, padded with known words up to `minBytes`, ending in a newline. */
function partition(words: readonly (string | Uint8Array)[], minBytes = 0): Uint8Array {
  const parts: Uint8Array[] = words.map((w) => (typeof w === 'string' ? encoder.encode(w) : w));
  let length = parts.reduce((n, p) => n + p.length + 1, 0);
  for (let i = 0; length < minBytes; i++) {
    const filler = encoder.encode(VOCABULARY[(i * 7) % VOCABULARY.length] as string);
    parts.push(filler);
    length += filler.length + 1;
  }
  const out = new Uint8Array(length);
  let at = 0;
  parts.forEach((p, i) => {
    out.set(p, at);
    at += p.length;
    out[at++] = i === parts.length - 1 ? 0x0a : 0x20;
  });
  return out;
}

// Partitions at least as big as the cache's table region (else copying it would cost more than counting).
const PARTITION_BYTES = 256 * 1024;

test('partitions of known and new words come out as the whole batch counted once: first-occurrence order, totals across partitions', () => {
  const kernels = warmKernels();
  const known = new KnownWordCounts(kernels.context);
  const broken = new Uint8Array([0x61, 0xff, 0x62]);
  const partitions = [
    partition(['w5', 'new-c', 'w5', 'w1999', 'w0'], PARTITION_BYTES),
    partition(['new-a', 'w1999', broken, 'new-a', 'w7', 'w5', '日本語'], PARTITION_BYTES),
    partition(['new-b', 'new-a', 'w8', 'new-c', broken, 'w1999'], PARTITION_BYTES),
  ];
  const result = countKnown(kernels, known, partitions);
  assert.ok(result !== undefined, 'the warm cache is used');
  assertSameResult(result, expectedOf(partitions), 'three partitions');
});

test('new words are cached by the batch that found them: the next batch finds every word known', () => {
  const kernels = warmKernels();
  const known = new KnownWordCounts(kernels.context);
  const partitions = [partition(['fresh-1', 'w1', 'fresh-2'], PARTITION_BYTES), partition(['fresh-2', 'fresh-3'], PARTITION_BYTES)];
  const idsBefore = kernels.context.keyCache.knownWordsTable()?.ids;
  assertSameResult(countKnown(kernels, known, partitions) as KeyedValues, expectedOf(partitions), 'first batch');
  assert.equal(kernels.context.keyCache.knownWordsTable()?.ids, (idsBefore as number) + 3);
  const misses = kernels.context.keyCache.stats.misses;
  assertSameResult(countKnown(kernels, known, partitions) as KeyedValues, expectedOf(partitions), 'second batch');
  assert.equal(kernels.context.keyCache.stats.misses, misses, 'nothing decoded the second time');
});

test('a partition of many new words grows its seen list and its table mid-count and loses nothing', () => {
  const kernels = warmKernels();
  const known = new KnownWordCounts(kernels.context);
  // 12,000 distinct new words: past the seen list's first room (ids + 4096) and the copy's 64 KiB for new words.
  const fresh = Array.from({ length: 12_000 }, (_, i) => `new-word-${i}`);
  const partitions = [partition(['w3', ...fresh.slice(0, 6000), 'w3'], PARTITION_BYTES), partition([...fresh, 'w4', ...fresh.slice(0, 100)], PARTITION_BYTES)];
  const result = countKnown(kernels, known, partitions);
  assert.ok(result !== undefined);
  assertSameResult(result, expectedOf(partitions), 'grown');
});

test('begin declines while the cache is cold, and for partitions much smaller than the cache table it would copy', () => {
  const cold = createKernels({ fallback: false });
  assert.ok(cold instanceof WasmKernels);
  assert.equal(new KnownWordCounts(cold.context).begin(2, PARTITION_BYTES), undefined);
  // One export: the cache holds the words, but has not yet been seen to find them.
  cold.wordCount(encoder.encode(VOCABULARY.join(' ')));
  assert.equal(new KnownWordCounts(cold.context).begin(2, PARTITION_BYTES), undefined);
  const kernels = warmKernels();
  assert.notEqual(new KnownWordCounts(kernels.context).begin(2, PARTITION_BYTES), undefined);
  assert.equal(new KnownWordCounts(kernels.context).begin(2, 1024), undefined, 'a 1 KiB partition is far less than the cache');
});

test('a batch of mostly new words is still counted exactly, and the cache then stops being used for words', () => {
  const kernels = warmKernels();
  const known = new KnownWordCounts(kernels.context);
  const fresh = Array.from({ length: 30_000 }, (_, i) => `other-${i}`);
  const partitions = [partition(fresh.slice(0, 15_000), PARTITION_BYTES), partition(fresh.slice(10_000), PARTITION_BYTES)];
  assertSameResult(countKnown(kernels, known, partitions) as KeyedValues, expectedOf(partitions), 'mostly new');
  assert.equal(kernels.context.keyCache.knownWordsTable(), undefined, 'a batch that found few words turns it off');
});

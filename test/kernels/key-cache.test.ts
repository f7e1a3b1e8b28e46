/**
 * The decoded-key cache (src/kernels/key-cache.ts) behind every WASM export:
 * keys served from it must equal a cold decode byte for byte (invalid UTF-8,
 * U+FEFF and non-BMP keys included), keys beyond its bound must still come
 * out right, and it must step aside (and empty itself when full) when
 * exports stop finding their keys. References: the JS fallback, which
 * never caches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyedValues } from '../../src/kernels/api.js';
import {
  INPUT_PADDING, MODE_FOLD, VALUE_I64, WasmKernels, WasmTable, allocTable, createKernels, exportByOrigin, exportTable,
  geometryFor, growTable, jsKernels, type KernelContext,
} from '../../src/kernels/index.js';
import { MAX_CACHED_KEYS, type KeyLookup, type KeyCacheStats } from '../../src/kernels/key-cache.js';
import { corpusBytes, distinctPassBytes } from '../../src/corpus/index.js';
import { pairsOf } from './reference.js';

const encoder = new TextEncoder();

/** WASM kernels with a cache of their own, so each test starts cold. */
function freshKernels(): WasmKernels {
  const kernels = createKernels({ fallback: false });
  assert.ok(kernels instanceof WasmKernels);
  return kernels;
}

function statsOf(kernels: WasmKernels): KeyCacheStats {
  return { ...kernels.context.keyCache.stats };
}

function assertSameResult(actual: KeyedValues, expected: KeyedValues, label: string): void {
  assert.equal(actual.keys.length, expected.keys.length, `${label}: key count`);
  assert.deepEqual(actual.keys, expected.keys, `${label}: keys`);
  assert.deepEqual([...actual.values], [...expected.values], `${label}: values`);
}

/** A word count through the cache, checked against the fallback; returns the stats' change. */
function countAndCheck(kernels: WasmKernels, bytes: Uint8Array, label: string): KeyCacheStats {
  const before = statsOf(kernels);
  assertSameResult(kernels.wordCount(bytes), jsKernels().wordCount(bytes), label);
  const after = statsOf(kernels);
  return {
    exports: after.exports - before.exports,
    hits: after.hits - before.hits,
    misses: after.misses - before.misses,
    resets: after.resets - before.resets,
  };
}

/** `count` words never seen before (tag makes each batch's words its own), one per line. */
function freshWords(tag: string, count: number): Uint8Array {
  return encoder.encode(Array.from({ length: count }, (_, i) => `${tag}-${i}`).join('\n') + '\n');
}

/**
 * Looks keys up in `slices` slices of the list, one keyCacheLookup each, as
 * the worker pool's threads do; with more than one slice, the caller's
 * `meanwhile` runs between the first two (as the pool's owner runs it while
 * its threads look up), with one it is left to the caller.
 */
function slicedLookup(ctx: KernelContext, slices: number): KeyLookup {
  return (cache, t, list, n, ids, values, meanwhile) => {
    let misses = 0;
    for (let s = 0; s < slices; s++) {
      const from = Math.floor((n * s) / slices);
      const to = Math.floor((n * (s + 1)) / slices);
      misses += ctx.instance.exports.keyCacheLookup(cache, t, list, from, to, ids, values) >>> 0;
      if (s === 0 && slices > 1) meanwhile?.();
    }
    return misses;
  };
}

test('a repeated word count hits every key and exports exactly what a cold decode does', () => {
  const kernels = freshKernels();
  const bytes = corpusBytes('mixed', 40_000);
  const n = jsKernels().wordCount(bytes).keys.length;
  assert.ok(n > 1000);
  assert.deepEqual(countAndCheck(kernels, bytes, 'cold'), { exports: 1, hits: 0, misses: n, resets: 0 });
  assert.deepEqual(countAndCheck(kernels, bytes, 'warm'), { exports: 1, hits: n, misses: 0, resets: 0 });
  // A later stretch of the stream sharing most keys: cached and new keys interleave in one export.
  const longer = corpusBytes('mixed', 60_000);
  let lineStart = 20_000;
  while (longer[lineStart - 1] !== 0x0a) lineStart++;
  const next = longer.subarray(lineStart);
  const mixed = countAndCheck(kernels, next, 'partly cached');
  assert.ok(mixed.hits > 0 && mixed.misses > 0, `hits ${mixed.hits}, misses ${mixed.misses}`);
  assert.deepEqual(countAndCheck(kernels, next, 'partly cached, again'), { exports: 1, hits: mixed.hits + mixed.misses, misses: 0, resets: 0 });
  assert.deepEqual(countAndCheck(kernels, bytes, 'first batch again'), { exports: 1, hits: n, misses: 0, resets: 0 });
});

test('invalid UTF-8, U+FEFF and non-BMP keys decode the same from the cache as without it', () => {
  const special: number[][] = [
    [0xff], [0xfe], [0x80], [0xc3], [0x61, 0xc3], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82, 0x78],
    [0xf0, 0x9f, 0x98], [0xf0, 0x9f, 0x98, 0x80], [0xf0, 0x90, 0x8d, 0x88], [0xf4, 0x90, 0x80, 0x80],
    [0xef, 0xbb, 0xbf], [0xef, 0xbb, 0xbf, 0x61], [0x61, 0xef, 0xbb, 0xbf, 0x62], [...encoder.encode('长江\u{1F600}')],
  ];
  const filler = Array.from({ length: 70 }, (_, i) => [...encoder.encode(`w${i}`)]);
  const batch = (words: number[][]): Uint8Array => Uint8Array.from(words.flatMap((w) => [...w, 0x20]));
  const kernels = freshKernels();
  const first = batch([...special, ...filler, ...special]);
  assert.deepEqual(countAndCheck(kernels, first, 'cold'), { exports: 1, hits: 0, misses: special.length + filler.length, resets: 0 });
  // Reordered, with a few new keys: every special key now comes from the cache.
  const second = batch([...[...special].reverse(), ...filler.slice(35), [0xfd, 0x41], ...filler.slice(0, 35), [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]]);
  assert.deepEqual(countAndCheck(kernels, second, 'warm'), { exports: 1, hits: special.length + filler.length, misses: 2, resets: 0 });
  // Two keys of different bytes that decode to the same string stay two keys, through the cache too.
  assert.equal(jsKernels().wordCount(first).keys.filter((k) => k === '\uFFFD').length, 5);
  assert.equal(kernels.wordCount(first).keys.filter((k) => k === '\uFFFD').length, 5);
});

test('table exports (f64 values) through the cache, looked up in slices, equal the fallback', () => {
  const kernels = freshKernels();
  const keys = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? `\uFEFF${i}` : i % 3 === 1 ? `\u{1F680}${i}\u{10FFFF}` : `k${i}`));
  const input: KeyedValues = { keys, values: Float64Array.from(keys, (_, i) => (i - 77) / 3 + (i % 5 === 0 ? 1e300 : 0)) };
  const table = kernels.createTable('sum');
  const reference = jsKernels().createTable('sum');
  table.mergeValues(input);
  reference.mergeValues(input);
  const expected = reference.entries();
  assertSameResult(table.entries(), expected, 'cold');
  assert.ok(table instanceof WasmTable);
  const ctx = kernels.context;
  for (const slices of [1, 2, 3, 7]) {
    const before = statsOf(kernels);
    assertSameResult(exportTable(ctx, table.pointer, slicedLookup(ctx, slices)), expected, `${slices} slices`);
    assert.equal(statsOf(kernels).hits - before.hits, keys.length, `${slices} slices: all hits`);
  }
  table.mergeValues({ keys: keys.slice(0, 50), values: new Float64Array(50).fill(0.25) });
  reference.mergeValues({ keys: keys.slice(0, 50), values: new Float64Array(50).fill(0.25) });
  // Cached keys, new values: the values come from the table, not from the cache.
  assertSameResult(table.entries(), reference.entries(), 'values changed');
  assert.deepEqual(pairsOf(table.top(3)), pairsOf(reference.top(3)));
});

test('merge targets read by origin through the cache (offsets below the first arena wrap) equal one pass', () => {
  const kernels = freshKernels();
  const ctx = kernels.context;
  const bytes = corpusBytes('mixed', 60_000);
  const expected = jsKernels().wordCount(bytes);
  const input = ctx.allocator.alloc(bytes.length + INPUT_PADDING);
  ctx.instance.writeInput(input, bytes);
  let partial = allocTable(ctx, geometryFor(0, 0), VALUE_I64, 'sum', 7n);
  let done = 0;
  while ((done += ctx.instance.wordCount(partial, input + done, bytes.length - done)) < bytes.length) partial = growTable(ctx, partial);
  const targets = [0, 1, 2].map((part) => {
    let target = allocTable(ctx, geometryFor(0, 0), VALUE_I64, 'sum', 99n);
    let from = 0;
    while ((from = ctx.instance.mergeTable(target, partial, from, part, 3, MODE_FOLD)) < ctx.instance.header(partial).arenaUsed) target = growTable(ctx, target);
    return target;
  });
  const before = statsOf(kernels);
  for (const order of [targets, [...targets].reverse(), targets]) {
    assertSameResult(exportByOrigin(ctx, order), expected, 'by origin');
    assertSameResult(exportByOrigin(ctx, order, slicedLookup(ctx, 2)), expected, 'by origin, 2 slices');
  }
  const after = statsOf(kernels);
  assert.equal(after.exports - before.exports, 6);
  assert.equal(after.misses - before.misses, expected.keys.length, 'each key decoded once');
  assert.equal(after.hits - before.hits, 5 * expected.keys.length);
  for (const t of [...targets, partial, input]) ctx.allocator.release(t);
});

test('more distinct keys than the cache holds still export correctly, cached or not', () => {
  const kernels = freshKernels();
  const keyCount = Math.ceil((2 * MAX_CACHED_KEYS) / 10) * 10;
  const bytes = distinctPassBytes(keyCount);
  const expected = jsKernels().wordCount(bytes);
  assert.equal(expected.keys.length, keyCount);
  assertSameResult(kernels.wordCount(bytes), expected, 'cold');
  const cold = statsOf(kernels);
  assert.deepEqual(cold, { exports: 1, hits: 0, misses: keyCount, resets: 0 });
  assertSameResult(kernels.wordCount(bytes), expected, 'warm');
  const warm = statsOf(kernels);
  const hits = warm.hits - cold.hits;
  // The cache took exactly its bound; the rest did not fit and were decoded (not added) again.
  assert.equal(hits, MAX_CACHED_KEYS);
  assert.equal(warm.misses - cold.misses, keyCount - hits);
});

test('exports that find too few keys bypass the cache for 8 exports; a cache that is not full is kept', () => {
  const kernels = freshKernels();
  const words = Array.from({ length: 12 }, (_, b) => freshWords(`b${b}`, 100));
  assert.equal(countAndCheck(kernels, words[0] as Uint8Array, 'batch 0').exports, 1);
  // The second export since the cache was (re)started is the first one judged: no hits, so bypass.
  assert.deepEqual(countAndCheck(kernels, words[1] as Uint8Array, 'batch 1'), { exports: 1, hits: 0, misses: 100, resets: 0 });
  for (let b = 2; b < 10; b++) assert.equal(countAndCheck(kernels, words[b] as Uint8Array, `batch ${b}, bypassed`).exports, 0);
  // Back on after 8: batch 0's keys are still cached.
  assert.deepEqual(countAndCheck(kernels, words[0] as Uint8Array, 'batch 0 again'), { exports: 1, hits: 100, misses: 0, resets: 0 });
  // Exports below 64 keys never go through the cache and do not count down a bypass.
  assert.equal(countAndCheck(kernels, freshWords('tiny', 63), 'tiny').exports, 0);
  assert.equal(countAndCheck(kernels, words[10] as Uint8Array, 'batch 10').exports, 1);
  assert.equal(countAndCheck(kernels, words[11] as Uint8Array, 'batch 11, bypassed').exports, 0);
});

test('a cache at least half full is emptied when its keys stop being found, then learns the new keys', () => {
  const kernels = freshKernels();
  const keyCount = Math.ceil(MAX_CACHED_KEYS / 2 / 10) * 10 + 10;
  const big = distinctPassBytes(keyCount);
  assert.deepEqual(countAndCheck(kernels, big, 'big, cold'), { exports: 1, hits: 0, misses: keyCount, resets: 0 });
  assert.deepEqual(countAndCheck(kernels, freshWords('new', 100), 'new keys'), { exports: 1, hits: 0, misses: 100, resets: 1 });
  for (let b = 0; b < 8; b++) assert.equal(countAndCheck(kernels, freshWords(`bypassed${b}`, 100), 'bypassed').exports, 0);
  // The big batch's keys were forgotten with the reset: decoded again, then cached again.
  assert.deepEqual(countAndCheck(kernels, big, 'big after reset'), { exports: 1, hits: 0, misses: keyCount, resets: 0 });
  assert.deepEqual(countAndCheck(kernels, big, 'big, warm'), { exports: 1, hits: keyCount, misses: 0, resets: 0 });
  assert.equal(statsOf(kernels).resets, 1);
});

test('a cache growing batch after batch is moved by doubling, not at every export with a new key', () => {
  const kernels = freshKernels();
  const moves: number[] = [];
  const ctx = kernels.context;
  // Each batch: the keys so far plus 2,000 new ones; the cache table moves when its pointer changes.
  let last = -1;
  const vocabulary: string[] = [];
  for (let b = 0; b < 40; b++) {
    for (let i = 0; i < 2000; i++) vocabulary.push(`k${b}x${i}`);
    const bytes = new TextEncoder().encode(`${vocabulary.join(' ')}\n`);
    const got = kernels.wordCount(bytes);
    assert.equal(got.keys.length, vocabulary.length);
    assert.equal(got.keys[got.keys.length - 1], vocabulary[vocabulary.length - 1]);
    const table = (ctx.keyCache as unknown as { table: number }).table;
    if (table !== last) moves.push(b);
    last = table;
  }
  // 2,000 to 80,000 keys: a handful of doublings, not 40 moves.
  assert.ok(moves.length <= 8, `the cache moved after batches ${moves.join(', ')}`);
  assert.equal(statsOf(kernels).hits + statsOf(kernels).misses, vocabulary.length * 41 / 2);
});

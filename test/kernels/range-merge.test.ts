/**
 * The worker pool's 'ranges' merge, kernel by kernel, on one thread:
 * tableFoldRange for every hash range (in a shuffled order, overflow tables
 * starting tiny so they stop for a grow again and again), then the export
 * list (tableList of partial 0, tableOrderRuns for every later source) must
 * read exactly what merging the partials one after the other into one table
 * gives: the same keys in first-occurrence order, the same value bits
 * (float sums folded in partition order), whatever the number of ranges.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyedValues, Reducer } from '../../src/kernels/api.js';
import {
  INPUT_PADDING, LAYOUT, MODE_FOLD, VALUE_F64, VALUE_I64, WasmKernels,
  allocTable, exportListed, exportTable, geometryFor, growTable, mergeTables, type KernelContext, type ValueKind,
} from '../../src/kernels/index.js';
import { initRangeState, rangeRunCount, rangeStateBytes, sortScratchBytes } from '../../src/kernels/layout.js';
import { corpusBytes } from '../../src/corpus/index.js';
import { wasmKernels } from './kernels-under-test.js';
import { Prng } from './prng.js';
import { copyTable } from './tables.js';

const PARTIAL_SEED = 0n;
const OVERFLOW_SEED = 0x9e3779b97f4a7c15n;

function contextOf(): KernelContext {
  const kernels = wasmKernels();
  assert.ok(kernels instanceof WasmKernels);
  return kernels.context;
}

type Counter = (ctx: KernelContext, t: number, ptr: number, len: number) => number;

const countWords: Counter = (ctx, t, ptr, len) => ctx.instance.wordCount(t, ptr, len);
/** orderId,province,price lines: the per-province float total (or min/max), as the orders pipeline computes it. */
const sumPrices = (stats: number): Counter => (ctx, t, ptr, len) =>
  ctx.instance.exports.aggregateDelimited(t, ptr, len, 0x2c, 1, 2, 3, stats) >>> 0;

/** Counts [start, end) of the input region into a fresh table that starts at the smallest geometry. */
function partial(ctx: KernelContext, count: Counter, kind: ValueKind, reducer: Reducer, input: number, start: number, end: number): number {
  let t = allocTable(ctx, geometryFor(0, 0), kind, reducer, PARTIAL_SEED);
  let done = 0;
  while ((done += count(ctx, t, input + start + done, end - start - done)) < end - start) t = growTable(ctx, t);
  return t;
}

/** Cut points after a '\n' (records stay whole), at seeded positions: partitions of very different sizes. */
function cuts(bytes: Uint8Array, partitions: number, prng: Prng): number[] {
  const points = new Set<number>();
  while (points.size < partitions - 1) {
    let at = 1 + prng.int(bytes.length - 1);
    while (at < bytes.length && bytes[at - 1] !== 0x0a) at++;
    if (at < bytes.length) points.add(at);
  }
  return [0, ...[...points].sort((a, b) => a - b), bytes.length];
}

/** The reference: the partials merged one after the other, in partition order, into one fresh table. */
function mergedInOrder(ctx: KernelContext, partials: readonly number[], kind: ValueKind, reducer: Reducer): KeyedValues {
  let t = allocTable(ctx, geometryFor(0, 0), kind, reducer, OVERFLOW_SEED);
  for (const p of partials) t = mergeTables(ctx, t, p, MODE_FOLD);
  const result = exportTable(ctx, t);
  ctx.allocator.release(t);
  return result;
}

/** The range merge of copies of the partials, into `parts` ranges; also returns how often an overflow table grew. */
function mergedByRanges(ctx: KernelContext, originals: readonly number[], reducer: Reducer, parts: number, prng: Prng): { result: KeyedValues; grows: number; overflowKeys: number } {
  const { exports } = ctx.instance;
  const partials = originals.map((t) => copyTable(ctx, t));
  const count = partials.length;
  const sources = ctx.allocator.alloc(count * 4);
  new Uint32Array(ctx.instance.memory.u8().buffer, sources, count).set(partials);
  const kind = ctx.instance.header(partials[0] as number).valueKind;
  const overflows = Array.from({ length: parts }, () => allocTable(ctx, geometryFor(0, 0), kind, reducer, OVERFLOW_SEED));
  const stateBytes = rangeStateBytes(count);
  const states = ctx.allocator.alloc(parts * stateBytes);
  for (let j = 0; j < parts; j++) initRangeState(ctx.instance.memory.view(), states + j * stateBytes);
  let grows = 0;
  // Ranges are independent: any order gives the same result (the pool runs them at once).
  const order = Array.from({ length: parts }, (_, j) => j).sort(() => prng.next() - 0.5);
  for (const j of order) {
    while (exports.tableFoldRange(sources, count, overflows[j] as number, j, parts, states + j * stateBytes) === 0) {
      overflows[j] = growTable(ctx, overflows[j] as number);
      grows++;
    }
  }
  const view = ctx.instance.memory.view();
  const first = partials[0] as number;
  const runs = Array.from({ length: count }, (_, k) => (k === 0 ? ctx.instance.header(first).size : overflows.reduce((n, _, j) => n + rangeRunCount(view, states + j * stateBytes, k), 0)));
  const n = runs.reduce((a, b) => a + b, 0);
  const overflowKeys = overflows.reduce((a, t) => a + ctx.instance.header(t).size, 0);
  assert.equal(n - (runs[0] as number), overflowKeys, 'the runs count every overflow key once');
  const list = ctx.allocator.alloc(Math.max(4, n * 4));
  const overflowList = ctx.allocator.alloc(parts * 4);
  new Uint32Array(ctx.instance.memory.u8().buffer, overflowList, parts).set(overflows);
  assert.equal(exports.tableList(first, list), runs[0]);
  let at = runs[0] as number;
  for (let k = 1; k < count; k++) {
    const scratch = ctx.allocator.alloc(sortScratchBytes(runs[k] as number));
    assert.equal(exports.tableOrderRuns(first, overflowList, parts, states, stateBytes, k, list + at * 4, scratch), runs[k]);
    ctx.allocator.release(scratch);
    at += runs[k] as number;
  }
  const arenaBytes = [first, ...overflows].reduce((a, t) => a + ctx.instance.header(t).arenaUsed, 0);
  const result = exportListed(ctx, first, list, n, arenaBytes);
  for (const region of [...partials, ...overflows, sources, states, list, overflowList]) ctx.allocator.release(region);
  return { result, grows, overflowKeys };
}

function assertSameResult(got: KeyedValues, expected: KeyedValues, label: string): void {
  assert.deepEqual(got.keys, expected.keys, `${label}: keys in first-occurrence order`);
  assert.deepEqual(new Uint8Array(got.values.buffer, got.values.byteOffset, got.values.byteLength), new Uint8Array(expected.values.buffer, expected.values.byteOffset, expected.values.byteLength), `${label}: value bits`);
}

/** Checks every range count on partials of `bytes`; returns the overflow grows and keys seen. */
function checkRanges(ctx: KernelContext, bytes: Uint8Array, partitions: number, count: Counter, kind: ValueKind, reducer: Reducer, prng: Prng, label: string): { grows: number; overflowKeys: number } {
  const input = ctx.allocator.alloc(bytes.length + INPUT_PADDING);
  ctx.instance.writeInput(input, bytes);
  const ends = cuts(bytes, partitions, prng);
  const partials = ends.slice(1).map((end, k) => partial(ctx, count, kind, reducer, input, ends[k] as number, end));
  const expected = mergedInOrder(ctx, partials, kind, reducer);
  const span = Math.min(...partials.slice(1).map((t) => ctx.instance.header(t).capacity));
  let grows = 0;
  let overflowKeys = 0;
  for (const parts of [1, 2, 3, 4, 7, 16].filter((p) => p <= span)) {
    const merged = mergedByRanges(ctx, partials, reducer, parts, prng);
    assertSameResult(merged.result, expected, `${label}, ${partitions} partitions, ${parts} ranges`);
    grows += merged.grows;
    overflowKeys = merged.overflowKeys;
  }
  for (const t of partials) ctx.allocator.release(t);
  ctx.allocator.release(input);
  return { grows, overflowKeys };
}

test('word counts: every number of ranges reads what merging the partials in order reads (counts, first-occurrence order)', () => {
  const ctx = contextOf();
  const prng = new Prng(14);
  let grows = 0;
  let radixSorted = false;
  for (const [corpus, size] of [['english', 120_000], ['mixed', 60_000], ['distinct', 40_000]] as const) {
    for (const partitions of [2, 3, 5, 8]) {
      const checked = checkRanges(ctx, corpusBytes(corpus, size), partitions, countWords, VALUE_I64, 'sum', prng, corpus);
      grows += checked.grows;
      // More than 32 keys first seen in one partition take the radix sort rather than the insertion sort.
      if (checked.overflowKeys > 32 * partitions) radixSorted = true;
    }
  }
  assert.ok(grows > 50, `overflow tables stopped for a grow and resumed (${grows} times)`);
  assert.ok(radixSorted, 'some runs were radix sorted');
});

test('float totals, min and max per key of delimited lines: value bits identical to merging in partition order', () => {
  const ctx = contextOf();
  const prng = new Prng(7);
  const stats = ctx.allocator.alloc(LAYOUT.LAYOUT_STATS_BYTES);
  let text = '';
  for (let i = 0; text.length < 80_000; i++) text += `${i},p${prng.int(i < 500 ? 40 : 3000)},${((prng.next() - 0.4) * 10 ** prng.int(7)).toFixed(prng.int(4))}\n`;
  const bytes = new TextEncoder().encode(text);
  for (const reducer of ['sum', 'min', 'max'] as const) {
    for (const partitions of [2, 4, 8]) checkRanges(ctx, bytes, partitions, sumPrices(stats), VALUE_F64, reducer, prng, `f64 ${reducer}`);
  }
  ctx.allocator.release(stats);
});

test('all keys in partial 0, and an empty partial 0: nothing or everything goes through the overflow tables', () => {
  const ctx = contextOf();
  const prng = new Prng(3);
  const repeated = new TextEncoder().encode('a b c d e f g h\n'.repeat(200));
  const allKnown = checkRanges(ctx, repeated, 4, countWords, VALUE_I64, 'sum', prng, 'repeated keys');
  assert.equal(allKnown.overflowKeys, 0);
  // A partial 0 of blanks only: every key is new to it.
  const blankFirst = new TextEncoder().encode(`${' '.repeat(50)}\n${Array.from({ length: 3000 }, (_, i) => `k${i % 700}`).join(' ')}\n`);
  const input = ctx.allocator.alloc(blankFirst.length + INPUT_PADDING);
  ctx.instance.writeInput(input, blankFirst);
  const ends = [0, 51, 51 + Math.floor((blankFirst.length - 51) / 2), blankFirst.length];
  while (blankFirst[(ends[2] as number) - 1] !== 0x20) ends[2] = (ends[2] as number) + 1;
  const partials = ends.slice(1).map((end, k) => partial(ctx, countWords, VALUE_I64, 'sum', input, ends[k] as number, end));
  assert.equal(ctx.instance.header(partials[0] as number).size, 0);
  const expected = mergedInOrder(ctx, partials, VALUE_I64, 'sum');
  for (const parts of [1, 2, 5]) {
    const merged = mergedByRanges(ctx, partials, 'sum', parts, prng);
    assertSameResult(merged.result, expected, `empty partial 0, ${parts} ranges`);
    assert.equal(merged.overflowKeys, 700);
  }
  for (const t of partials) ctx.allocator.release(t);
  ctx.allocator.release(input);
});

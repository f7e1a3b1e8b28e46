/**
 * The worker pool's 'fold' merge, kernel by kernel: tableFoldExisting run on
 * every arena slice of src, the slices' pending lists joined in slice order
 * and added by tableMergeListed, must leave dst exactly as one
 * tableMerge(dst, src, MODE_FOLD) does (same live entries, value bits,
 * origins and insertion order). And tableListByOrigin, which reads such
 * merge targets, must skip dead entries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyedValues, Reducer } from '../../src/kernels/api.js';
import {
  INPUT_PADDING, LAYOUT, MODE_FOLD, MODE_SUBTRACT_DROP_ZERO, VALUE_F64, VALUE_I64, WasmKernels,
  allocTable, applyPairs, exportByOrigin, exportListed, exportTable, geometryFor, growTable, moveTable, tableRegionBytes,
  type KernelContext,
} from '../../src/kernels/index.js';
import { corpusBytes } from '../../src/corpus/index.js';
import { wasmKernels } from './kernels-under-test.js';
import { Prng } from './prng.js';
import { copyTable, liveEntries } from './tables.js';

const SLICE_COUNTS = [1, 2, 3, 7] as const;

function contextOf(): KernelContext {
  const kernels = wasmKernels();
  assert.ok(kernels instanceof WasmKernels);
  return kernels.context;
}

function kv(pairs: ReadonlyArray<readonly [string, number]>): KeyedValues {
  return { keys: pairs.map((p) => p[0]), values: Float64Array.from(pairs, (p) => p[1]) };
}

/** Moves t into a region whose arena holds exactly its live entries, so the next new key makes it grow. */
function packTight(ctx: KernelContext, t: number): number {
  const h = ctx.instance.header(t);
  return moveTable(ctx, t, { capacity: h.capacity, arenaCapacity: h.arenaUsed - h.deadBytes });
}

/** dst after tableMerge(dst, src, MODE_FOLD) (on a copy, growing as needed). */
function mergedByTableMerge(ctx: KernelContext, dst: number, src: number): number {
  let t = copyTable(ctx, dst);
  const used = ctx.instance.header(src).arenaUsed;
  let from = 0;
  while ((from = ctx.instance.mergeTable(t, src, from, 0, 1, MODE_FOLD)) < used) t = growTable(ctx, t);
  return t;
}

/**
 * dst after folding src slice by slice (on a copy): each slice's pending
 * offsets are checked to lie in that slice and ascend, then the joined list
 * is added by tableMergeListed, growing as needed. Returns the table and
 * the joined pending list.
 */
function mergedBySlices(ctx: KernelContext, dst: number, src: number, parts: number): { table: number; pending: number[]; grows: number } {
  const { exports } = ctx.instance;
  let t = copyTable(ctx, dst);
  const before = ctx.instance.header(t);
  const s = ctx.instance.header(src);
  const lists = Array.from({ length: parts }, () => ctx.allocator.alloc(Math.max(4, s.size * 4)));
  const pending: number[] = [];
  for (let part = 0; part < parts; part++) {
    const n = exports.tableFoldExisting(t, src, part, parts, lists[part] as number) >>> 0;
    const listed = Array.from(new Uint32Array(ctx.instance.memory.u8().buffer, lists[part] as number, n));
    const sliceStart = Math.floor((s.arenaUsed * part) / parts);
    const sliceEnd = Math.floor((s.arenaUsed * (part + 1)) / parts);
    for (const off of listed) assert.ok(off >= sliceStart && off < sliceEnd, `parts=${parts}: offset ${off} outside slice ${part} [${sliceStart}, ${sliceEnd})`);
    pending.push(...listed);
  }
  for (let i = 1; i < pending.length; i++) assert.ok((pending[i] as number) > (pending[i - 1] as number), `parts=${parts}: pending list ascends`);
  // Folding into existing keys never inserts, so dst never grows or changes shape here.
  const folded = ctx.instance.header(t);
  assert.deepEqual([folded.size, folded.arenaUsed, folded.capacity], [before.size, before.arenaUsed, before.capacity], `parts=${parts}: fold inserted nothing`);
  const all = ctx.allocator.alloc(Math.max(4, pending.length * 4));
  new Uint32Array(ctx.instance.memory.u8().buffer, all, pending.length).set(pending);
  let from = 0;
  let grows = 0;
  while ((from = exports.tableMergeListed(t, src, all, from, pending.length, MODE_FOLD) >>> 0) < pending.length) {
    t = growTable(ctx, t);
    grows++;
  }
  ctx.allocator.release(all);
  for (const list of lists) ctx.allocator.release(list);
  return { table: t, pending, grows };
}

/** Checks that every slicing of src folds into dst exactly as tableMerge does; returns how often tableMergeListed made dst grow. */
function assertSlicedFoldMatchesMerge(ctx: KernelContext, dst: number, src: number, label: string): number {
  const reference = mergedByTableMerge(ctx, dst, src);
  const expected = liveEntries(ctx, reference);
  let grows = 0;
  let firstPending: number[] | undefined;
  for (const parts of SLICE_COUNTS) {
    const sliced = mergedBySlices(ctx, dst, src, parts);
    assert.deepEqual(liveEntries(ctx, sliced.table), expected, `${label}, parts=${parts}`);
    // The same keys are pending however src is sliced.
    firstPending ??= sliced.pending;
    assert.deepEqual(sliced.pending, firstPending, `${label}, parts=${parts}: pending keys`);
    grows += sliced.grows;
    ctx.allocator.release(sliced.table);
  }
  assert.equal(firstPending?.length, ctx.instance.header(reference).size - ctx.instance.header(dst).size, `${label}: pending = new keys`);
  ctx.allocator.release(reference);
  return grows;
}

/** Counts the words of [start, end) of the input region into a fresh i64 table. */
function countWords(ctx: KernelContext, input: number, start: number, end: number, seed: bigint, reducer: Reducer = 'sum'): number {
  let t = allocTable(ctx, geometryFor(0, 0), VALUE_I64, reducer, seed);
  let done = 0;
  while ((done += ctx.instance.wordCount(t, input + start + done, end - start - done)) < end - start) t = growTable(ctx, t);
  return t;
}

/** Position of the first space or newline at or after `at`. */
function wordBoundary(bytes: Uint8Array, at: number): number {
  while (at < bytes.length && bytes[at] !== 0x20 && bytes[at] !== 0x0a) at++;
  return at;
}

/** Removes the given keys of t (subtracting their whole values, dropping zeros): leaves dead entries. */
function dropKeys(ctx: KernelContext, t: number, keys: readonly string[]): number {
  const current = exportTable(ctx, t);
  const pairs = [...new Set(keys)].map((key) => {
    const i = current.keys.indexOf(key);
    assert.ok(i >= 0, `key ${key} is in the table`);
    return [key, current.values[i] as number] as const;
  });
  const after = applyPairs(ctx, t, kv(pairs), MODE_SUBTRACT_DROP_ZERO);
  assert.ok(ctx.instance.header(after).deadBytes > 0);
  return after;
}

test('i64 count tables: sliced fold equals tableMerge, with dead entries in src and dst and dst forced to grow', () => {
  const ctx = contextOf();
  const bytes = corpusBytes('mixed', 60_000);
  const input = ctx.allocator.alloc(bytes.length + INPUT_PADDING);
  ctx.instance.writeInput(input, bytes);
  const cut = wordBoundary(bytes, 35_000);
  let grows = 0;
  for (const reducer of ['sum', 'count', 'max'] as const) {
    // Different seeds: the fold must hash with dst's seed, not src's.
    let dst = countWords(ctx, input, 0, cut, 7n, reducer);
    let src = countWords(ctx, input, cut, bytes.length, 99n, 'sum');
    const dstKeys = exportTable(ctx, dst).keys;
    const srcKeys = exportTable(ctx, src).keys;
    const inDst = new Set(dstKeys);
    const shared = srcKeys.filter((k) => inDst.has(k));
    const fresh = srcKeys.filter((k) => !inDst.has(k));
    assert.ok(shared.length > 20 && fresh.length > 20, 'both halves share keys and have keys of their own');
    dst = packTight(ctx, dst);
    grows += assertSlicedFoldMatchesMerge(ctx, dst, src, `${reducer}, live only`);
    // Dead entries: src's first and last entries and a few in between; a removed key of dst that src
    // has (so it is pending, not folded into the dead entry); a key dropped from src and added again
    // (a dead entry, then a live one at the end).
    dst = dropKeys(ctx, dst, [dstKeys[0] as string, shared[3] as string, shared[4] as string]);
    src = dropKeys(ctx, src, [srcKeys[0] as string, srcKeys[srcKeys.length - 1] as string, shared[0] as string, fresh[0] as string, shared[7] as string]);
    src = applyPairs(ctx, src, kv([[shared[7] as string, 5]]), MODE_FOLD);
    grows += assertSlicedFoldMatchesMerge(ctx, dst, src, `${reducer}, with dead entries`);
    ctx.allocator.release(dst);
    ctx.allocator.release(src);
  }
  assert.ok(grows > 0, 'tableMergeListed stopped for a grow and resumed');
  ctx.allocator.release(input);
});

function floatTable(ctx: KernelContext, reducer: Reducer, seed: bigint, prng: Prng, keys: readonly string[], rounds: number): number {
  let t = allocTable(ctx, geometryFor(0, 0), VALUE_F64, reducer, seed);
  for (let r = 0; r < rounds; r++) {
    const pairs = Array.from({ length: 60 }, () => [prng.pick(keys), (prng.next() - 0.3) * 10 ** prng.int(9) / 7] as const);
    t = applyPairs(ctx, t, kv(pairs), MODE_FOLD);
  }
  return t;
}

test('f64 tables: sliced fold is bit-identical to tableMerge (float sums, min, max)', () => {
  const ctx = contextOf();
  const keys = Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? `键${i}` : i % 11 === 0 ? `\u{1F600}${i}` : `f${i}`));
  for (const reducer of ['sum', 'min', 'max'] as const) {
    const prng = new Prng(reducer.length * 31);
    let dst = floatTable(ctx, reducer, 3n, prng, keys.slice(0, 250), 6);
    let src = floatTable(ctx, 'sum', 5n, prng, keys.slice(150), 6);
    assertSlicedFoldMatchesMerge(ctx, dst, src, `f64 ${reducer}`);
    // A float sum of -x + x is 0: dropping it leaves dead entries in both.
    const srcEntries = exportTable(ctx, src);
    src = applyPairs(ctx, src, kv([0, 5, 9].map((i) => [srcEntries.keys[i] as string, srcEntries.values[i] as number] as const)), MODE_SUBTRACT_DROP_ZERO);
    const dstEntries = exportTable(ctx, dst);
    dst = applyPairs(ctx, dst, kv([[dstEntries.keys[2] as string, dstEntries.values[2] as number]]), MODE_SUBTRACT_DROP_ZERO);
    assert.ok(ctx.instance.header(src).deadBytes > 0 && ctx.instance.header(dst).deadBytes > 0);
    dst = packTight(ctx, dst);
    assertSlicedFoldMatchesMerge(ctx, dst, src, `f64 ${reducer}, with dead entries`);
    ctx.allocator.release(dst);
    ctx.allocator.release(src);
  }
});

test('sliced fold of an empty src, an all-dead src, and a src with fewer entries than slices', () => {
  const ctx = contextOf();
  let dst = applyPairs(ctx, allocTable(ctx, geometryFor(0, 0), VALUE_F64, 'sum', 1n), kv([['a', 1], ['b', 2], ['c', 3]]), MODE_FOLD);
  const empty = allocTable(ctx, geometryFor(0, 0), VALUE_F64, 'sum', 2n);
  assert.equal(ctx.instance.header(empty).arenaUsed, 0);
  assertSlicedFoldMatchesMerge(ctx, dst, empty, 'empty src');
  for (const parts of SLICE_COUNTS) {
    for (let part = 0; part < parts; part++) assert.equal(ctx.instance.exports.tableFoldExisting(dst, empty, part, parts, 0), 0);
  }
  let dead = applyPairs(ctx, allocTable(ctx, geometryFor(0, 0), VALUE_F64, 'sum', 2n), kv([['a', 4], ['z', 5]]), MODE_FOLD);
  dead = applyPairs(ctx, dead, kv([['a', 4], ['z', 5]]), MODE_SUBTRACT_DROP_ZERO);
  assert.deepEqual([ctx.instance.header(dead).size, ctx.instance.header(dead).arenaUsed > 0], [0, true]);
  assertSlicedFoldMatchesMerge(ctx, dst, dead, 'all-dead src');
  const few = applyPairs(ctx, allocTable(ctx, geometryFor(0, 0), VALUE_F64, 'sum', 2n), kv([['c', 0.5], ['new', 1], ['a', -1]]), MODE_FOLD);
  dst = packTight(ctx, dst);
  assertSlicedFoldMatchesMerge(ctx, dst, few, '3 entries, up to 7 slices');
  for (const t of [dst, empty, dead, few]) ctx.allocator.release(t);
});

test('tableListByOrigin skips dead entries of the targets (first, last, all of one) and keeps origin order', () => {
  const ctx = contextOf();
  const kernels = wasmKernels();
  const bytes = corpusBytes('mixed', 60_000);
  const expected = kernels.wordCount(bytes);
  const input = ctx.allocator.alloc(bytes.length + INPUT_PADDING);
  ctx.instance.writeInput(input, bytes);
  const cut = wordBoundary(bytes, 30_000);
  const partials = [countWords(ctx, input, 0, cut, 7n), countWords(ctx, input, cut, bytes.length, 7n)];
  const { exports } = ctx.instance;
  for (const parts of [2, 3]) {
    let targets: number[] = [];
    for (let part = 0; part < parts; part++) {
      let target = allocTable(ctx, geometryFor(0, 0), VALUE_I64, 'sum', 99n);
      for (const src of partials) {
        let from = 0;
        while ((from = ctx.instance.mergeTable(target, src, from, part, parts, MODE_FOLD)) < ctx.instance.header(src).arenaUsed) target = growTable(ctx, target);
      }
      targets.push(target);
    }
    const dropped = new Set<string>();
    targets = targets.map((t, i) => {
      const keys = exportTable(ctx, t).keys;
      // With 3 targets the last loses every key; the others their first, a middle and their last entry.
      const drop = parts === 3 && i === 2 ? keys : [keys[0] as string, keys[keys.length >> 1] as string, keys[keys.length - 1] as string];
      for (const k of drop) dropped.add(k);
      return dropKeys(ctx, t, drop);
    });
    const live = targets.reduce((n, t) => n + ctx.instance.header(t).size, 0);
    const want = expected.keys.map((k, i) => [k, expected.values[i] as number] as const).filter(([k]) => !dropped.has(k));
    assert.equal(live, want.length);
    // Raw kernel: the count of items is the live entries; reading them gives first-occurrence order.
    const pointers = ctx.allocator.alloc(parts * 4);
    const cursors = ctx.allocator.alloc(parts * 4);
    const out = ctx.allocator.alloc(Math.max(4, live * 4));
    for (const order of [targets, [...targets].reverse()]) {
      new Uint32Array(ctx.instance.memory.u8().buffer, pointers, parts).set(order);
      const n = exports.tableListByOrigin(pointers, parts, cursors, out) >>> 0;
      assert.equal(n, live, `parts=${parts}: items listed`);
      const arenaBytes = order.reduce((sum, t) => sum + ctx.instance.header(t).arenaUsed, 0);
      const listed = exportListed(ctx, order[0] as number, out, n, arenaBytes);
      assert.deepEqual(listed.keys, want.map(([k]) => k), `parts=${parts}`);
      assert.deepEqual([...listed.values], want.map(([, v]) => v), `parts=${parts}`);
      const viaExport = exportByOrigin(ctx, order);
      assert.deepEqual(viaExport.keys, listed.keys);
    }
    // One table alone lists as tableList does; none lists nothing.
    new Uint32Array(ctx.instance.memory.u8().buffer, pointers, 1).set([targets[0] as number]);
    const one = exports.tableListByOrigin(pointers, 1, cursors, out) >>> 0;
    assert.deepEqual(exportListed(ctx, targets[0] as number, out, one).keys, exportTable(ctx, targets[0] as number).keys);
    assert.equal(exports.tableListByOrigin(pointers, 0, cursors, out), 0);
    for (const t of [...targets, pointers, cursors, out]) ctx.allocator.release(t);
  }
  for (const t of partials) ctx.allocator.release(t);
  ctx.allocator.release(input);
});

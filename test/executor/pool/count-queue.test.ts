/**
 * The count queue on one thread: two "workers" (two control slots) take
 * turns running COUNT_QUEUE, tables start tiny so that every partition
 * stops for a grow again and again, and each stopped worker is resumed only
 * after the other has run: partitions are claimed in an interleaved order.
 * Every partial table must hold exactly what counting its partition alone
 * gives (keys in order, value bits, malformed lines), every partition be
 * claimed once, and a worker find the queue empty at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusBytes } from '../../../src/corpus/index.js';
import { Command, RESULT0, RESULT1, TABLE, controlBlockBytes, wordOf } from '../../../src/executor/pool/control-block.js';
import { countQueueBytes, runCountQueue, setQueuedTable, writeCountQueue, type CountKind } from '../../../src/executor/pool/count-queue.js';
import { writeCommand } from '../../../src/executor/pool/pool-task.js';
import { partitionEnds, afterNewline, atWhitespace } from '../../../src/executor/pool/partitions.js';
import type { KeyedValues, Reducer } from '../../../src/kernels/api.js';
import {
  INPUT_PADDING, LAYOUT, VALUE_F64, VALUE_I64, WasmKernels, allocTable, createKernels, exportTable, geometryFor, growTable, type KernelContext, type ValueKind,
} from '../../../src/kernels/index.js';

function contextOf(): KernelContext {
  const kernels = createKernels({ fallback: false });
  assert.ok(kernels instanceof WasmKernels);
  return kernels.context;
}

const ORDERS: CountKind = { command: Command.Delimited, delimiterCode: 0x2c, keyField: 1, valueField: 2, expectedFields: 3 };
const WORDS: CountKind = { command: Command.CountWords };

/** Counts [start, end) alone, the way one worker does when it is posted a partition: the reference for partial k. */
function countAlone(ctx: KernelContext, kind: CountKind, valueKind: ValueKind, reducer: Reducer, start: number, end: number): { result: KeyedValues; malformed: number } {
  let t = allocTable(ctx, geometryFor(0, 0), valueKind, reducer, 0n);
  const stats = ctx.allocator.alloc(LAYOUT.LAYOUT_STATS_BYTES);
  ctx.instance.memory.u8().fill(0, stats, stats + LAYOUT.LAYOUT_STATS_BYTES);
  let at = start;
  for (;;) {
    at += kind.command === Command.Delimited
      ? ctx.instance.exports.aggregateDelimited(t, at, end - at, kind.delimiterCode, kind.keyField, kind.valueField, kind.expectedFields, stats) >>> 0
      : ctx.instance.wordCount(t, at, end - at);
    if (at >= end) break;
    t = growTable(ctx, t);
  }
  const malformed = ctx.instance.memory.view().getUint32(stats + LAYOUT.LAYOUT_STATS_MALFORMED, true);
  const result = exportTable(ctx, t);
  ctx.allocator.release(t);
  ctx.allocator.release(stats);
  return { result, malformed };
}

function bitsOf(values: Float64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function checkQueue(bytes: Uint8Array, kind: CountKind, valueKind: ValueKind, reducer: Reducer, partitions: number): { grows: number; claimedBy: number[] } {
  const ctx = contextOf();
  const input = ctx.allocator.alloc(bytes.length + INPUT_PADDING);
  ctx.instance.writeInput(input, bytes);
  const ends = partitionEnds(bytes, partitions, 1, kind.command === Command.Delimited ? afterNewline : atWhitespace);
  assert.equal(ends.length, partitions);
  const partials = ends.map(() => allocTable(ctx, geometryFor(0, 0), valueKind, reducer, 0n));
  const stats = ctx.allocator.alloc(partitions * LAYOUT.LAYOUT_STATS_BYTES);
  // Stale statistics and table contents from an earlier batch: the worker must clear both when it claims a partition.
  ctx.instance.memory.u8().fill(0xff, stats, stats + partitions * LAYOUT.LAYOUT_STATS_BYTES);
  const queue = ctx.allocator.alloc(countQueueBytes(partitions));
  const startOf = (k: number): number => input + (k === 0 ? 0 : (ends[k - 1] as number));
  writeCountQueue(ctx.instance.memory.u8().buffer, queue, kind, ends.map((end, k) => ({
    table: partials[k] as number, start: startOf(k), end: input + end, stats: stats + k * LAYOUT.LAYOUT_STATS_BYTES,
  })));
  const control = new Int32Array(new SharedArrayBuffer(controlBlockBytes(2)));
  const resume = [0, 0];
  const resumeAt = [0, 0];
  const done = [false, false];
  const claimedBy: number[] = new Array<number>(partitions).fill(-1);
  let grows = 0;
  // Worker w runs until its table fills or the queue is empty; then the other takes its turn.
  for (let w = 0; !(done[0] === true && done[1] === true); w = 1 - w) {
    if (done[w] === true) continue;
    writeCommand(control, w, { command: Command.CountQueue, table: resume[w] as number, ptr: queue, len: partitions, a0: 0, a1: 0, a2: 0, a3: 0, stats: resumeAt[w] as number });
    assert.equal(Atomics.load(control, wordOf(w, TABLE)), resume[w]);
    runCountQueue(ctx.instance, control, w);
    const stopped = Atomics.load(control, wordOf(w, RESULT0));
    if (stopped === 0) {
      done[w] = true;
      continue;
    }
    const k = stopped - 1;
    assert.ok(claimedBy[k] === -1 || claimedBy[k] === w, `partition ${k} claimed by worker ${claimedBy[k]} and ${w}`);
    claimedBy[k] = w;
    resume[w] = stopped;
    resumeAt[w] = Atomics.load(control, wordOf(w, RESULT1));
    assert.ok(resumeAt[w] as number >= startOf(k) && (resumeAt[w] as number) < input + (ends[k] as number), 'stopped inside its partition');
    partials[k] = growTable(ctx, partials[k] as number);
    setQueuedTable(ctx.instance.memory.u8().buffer, queue, k, partials[k] as number);
    grows++;
  }
  const view = ctx.instance.memory.view();
  for (let k = 0; k < partitions; k++) {
    const expected = countAlone(ctx, kind, valueKind, reducer, startOf(k), input + (ends[k] as number));
    const got = exportTable(ctx, partials[k] as number);
    assert.deepEqual(got.keys, expected.result.keys, `partition ${k}: keys in first-occurrence order`);
    assert.deepEqual(bitsOf(got.values), bitsOf(expected.result.values), `partition ${k}: value bits`);
    if (kind.command === Command.Delimited) {
      assert.equal(view.getUint32(stats + k * LAYOUT.LAYOUT_STATS_BYTES + LAYOUT.LAYOUT_STATS_MALFORMED, true), expected.malformed, `partition ${k}: malformed lines`);
    }
  }
  return { grows, claimedBy };
}

test('orders sums: partitions claimed by two workers in turn, tables grown midway, each partial exactly its partition alone (value bits, malformed lines)', () => {
  const bytes = corpusBytes('orders', 400_000, { malformedRate: 0.02 });
  const { grows, claimedBy } = checkQueue(bytes, ORDERS, VALUE_F64, 'sum', 8);
  assert.ok(grows >= 8, `every partition stopped for a grow at least once (${grows})`);
  assert.ok(claimedBy.includes(0) && claimedBy.includes(1), `both workers claimed partitions: ${claimedBy.join(',')}`);
});

test('word counts: the same with keys of every length, counted into partial k whoever claims partition k', () => {
  const bytes = corpusBytes('mixed', 300_000);
  const { grows, claimedBy } = checkQueue(bytes, WORDS, VALUE_I64, 'sum', 5);
  assert.ok(grows >= 5, `grows: ${grows}`);
  assert.ok(claimedBy.includes(0) && claimedBy.includes(1), `both workers claimed partitions: ${claimedBy.join(',')}`);
});

test('a worker posted after the queue is empty claims nothing and reports done', () => {
  const ctx = contextOf();
  const bytes = new TextEncoder().encode('a b c\n');
  const input = ctx.allocator.alloc(bytes.length + INPUT_PADDING);
  ctx.instance.writeInput(input, bytes);
  const table = allocTable(ctx, geometryFor(16, 64), VALUE_I64, 'sum', 0n);
  const queue = ctx.allocator.alloc(countQueueBytes(1));
  writeCountQueue(ctx.instance.memory.u8().buffer, queue, WORDS, [{ table, start: input, end: input + bytes.length, stats: 0 }]);
  const control = new Int32Array(new SharedArrayBuffer(controlBlockBytes(2)));
  for (const w of [0, 1]) {
    writeCommand(control, w, { command: Command.CountQueue, table: 0, ptr: queue, len: 1, a0: 0, a1: 0, a2: 0, a3: 0, stats: 0 });
    Atomics.store(control, wordOf(w, RESULT0), 99);
    runCountQueue(ctx.instance, control, w);
    assert.equal(Atomics.load(control, wordOf(w, RESULT0)), 0);
  }
  // Worker 1 found the queue empty: it neither counted the partition again nor cleared it.
  assert.deepEqual(exportTable(ctx, table).keys, ['a', 'b', 'c']);
  assert.deepEqual([...exportTable(ctx, table).values], [1, 1, 1]);
});

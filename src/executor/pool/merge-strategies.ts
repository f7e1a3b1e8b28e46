/**
 * Phase 2's older ways of turning a batch's partial tables into one result
 * ('fold' and 'hash-targets', see MergeStrategy; 'ranges', the default, is
 * in range-merge.ts) and the choice between them: kept apart from the
 * thread machinery, which they use only through a TaskRunner.
 */
import type { Reducer } from '../../kernels/api.js';
import { MODE_FOLD, geometryFor, type TableGeometry, type ValueKind } from '../../kernels/layout.js';
import { allocTable, growTable, type KernelContext } from '../../kernels/wasm-table.js';
import { Command, RESULT0, RESULT1, wordOf } from './control-block.js';
import type { MergeStrategy } from './pool-options.js';
import { writeCommand, type Task, type TaskRunner } from './pool-task.js';

/**
 * Partial and target tables use different seeds (design.md: folding a table
 * into one of the same hash can turn quadratic); merges also walk insertion
 * order, not slot order.
 */
export const PARTIAL_SEED = 0n;
const TARGET_SEED = 0x9e3779b97f4a7c15n;

/** The tables one kind of batch (word count, delimited with a reducer) fills, reused from batch to batch. */
export interface PurposeTables {
  readonly valueKind: ValueKind;
  readonly reducer: Reducer;
  /** Partial table k holds partition k of the batch. */
  readonly partials: number[];
  /** Target j holds hash partition j of the merged result ('hash-targets'), or the keys of range j partial 0 lacked ('ranges'). */
  readonly targets: number[];
  /** Delimited statistics, LAYOUT_STATS_BYTES per partition (0 until first needed). */
  stats: number;
  /** Bytes of the last batch per key of its partial tables (how much a merge costs against the counting). */
  lastBytesPerKey: number;
  /**
   * Of the keys of partials 1.. in the last merged batch, the share partial 0
   * did not have (how big the next range merge's overflow tables are made).
   * 1 until a batch is merged.
   */
  lastNewKeyShare: number;
}

/** The merge a batch uses: 'auto' is 'ranges', the only one with no serial step that grows with the worker count. */
export function mergeKind(strategy: MergeStrategy): Exclude<MergeStrategy, 'auto'> {
  return strategy === 'auto' ? 'ranges' : strategy;
}

/** The scratch region worker j lists the keys partial 0 lacked in (written by the worker: lost with it, see quarantineTables). */
export function foldPendingScratch(j: number): string {
  return `pool-pending-${j}`;
}

/**
 * 'fold': partials 1..count-1, one after the other, folded into partial 0
 * (see MergeStrategy). Keys new to partial 0 are appended in their
 * partial's order, so partial 0 stays in first-occurrence order. Returns
 * [partial 0].
 */
export function foldIntoFirst(runner: TaskRunner, count: number, tables: PurposeTables): number[] {
  const { context } = runner;
  const { partials } = tables;
  // Targets of earlier hash-target merges are not needed while batches fold.
  for (const target of tables.targets.splice(0)) context.allocator.release(target);
  const parts = runner.parallelism;
  let folded = 0;
  let added = 0;
  for (let k = 1; k < count; k++) {
    const source = partials[k] as number;
    const size = context.instance.header(source).size;
    const pendingLists = Array.from({ length: parts }, (_, j) => context.scratch.get(foldPendingScratch(j), size * 4));
    const listed = new Array<number>(parts).fill(0);
    const tasks: Task[] = pendingLists.map((pending, j) => ({
      worker: j,
      post: (control, slot) => writeCommand(control, slot, {
        command: Command.FoldExisting, table: partials[0] as number, ptr: source, len: 0, a0: j, a1: parts, a2: pending, a3: 0, stats: 0,
      }),
      finish: (control, slot) => {
        listed[j] = Atomics.load(control, wordOf(slot, RESULT0)) >>> 0;
        return true;
      },
    }));
    runner.run('merge', tasks);
    // The keys partial 0 lacked, added by this thread alone in their partial's order:
    // worker j listed slice j of the arena in order, so the lists joined in j order ascend.
    const total = listed.reduce((a, b) => a + b, 0);
    const all = context.scratch.get('pool-pending-all', total * 4);
    const buffer = context.instance.memory.u8().buffer;
    const list = new Uint32Array(buffer, all, total);
    let at = 0;
    pendingLists.forEach((pending, j) => {
      list.set(new Uint32Array(buffer, pending, listed[j] as number), at);
      at += listed[j] as number;
    });
    let from = 0;
    while ((from = context.instance.exports.tableMergeListed(partials[0] as number, source, all, from, total, MODE_FOLD) >>> 0) < total) {
      partials[0] = growTable(context, partials[0] as number);
    }
    folded += size;
    added += total;
  }
  tables.lastNewKeyShare = added / Math.max(1, folded);
  return [partials[0] as number];
}

/**
 * 'hash-targets': worker j folds hash partition j of every partial table,
 * in partition order, into target j; the targets read as one result in
 * first-occurrence order. Returns the targets.
 */
export function mergeIntoTargets(runner: TaskRunner, partials: readonly number[], tables: PurposeTables): number[] {
  const { context } = runner;
  const count = partials.length;
  const sources = context.scratch.get('pool-merge-sources', count * 4);
  new Uint32Array(context.instance.memory.u8().buffer, sources, count).set(partials);
  const parts = Math.min(runner.parallelism, count);
  // Grow the targets first (never merge into a table near its load limit): the partial
  // tables' sizes bound each hash partition (all keys distinct), with some slack for skew.
  let keys = 0;
  let keyBytes = 0;
  for (const t of partials) {
    const h = context.instance.header(t);
    keys += h.size;
    keyBytes += h.arenaUsed - h.deadBytes;
  }
  const want = geometryFor(Math.ceil((keys * 1.1) / parts), Math.ceil((keyBytes * 1.1) / parts));
  const { targets } = tables;
  const tasks: Task[] = [];
  for (let j = 0; j < parts; j++) {
    const fresh = ensureTarget(context, tables, j, want);
    let fromTable = 0;
    let fromOffset = 0;
    tasks.push({
      worker: j,
      post: (control, slot) => writeCommand(control, slot, {
        command: Command.Merge, table: targets[j] as number, ptr: sources, len: count, a0: j, a1: parts, a2: fromTable, a3: fromOffset,
        stats: !fresh && fromTable === 0 && fromOffset === 0 ? 1 : 0,
      }),
      finish: (control, slot) => {
        fromTable = Atomics.load(control, wordOf(slot, RESULT0)) >>> 0;
        if (fromTable >= count) return true;
        fromOffset = Atomics.load(control, wordOf(slot, RESULT1)) >>> 0;
        targets[j] = growTable(context, targets[j] as number);
        return false;
      },
    });
  }
  runner.run('merge', tasks);
  // What folding this batch would have cost: the keys of partials 1.. that partial 0 did not have.
  const merged = targets.slice(0, parts);
  const first = context.instance.header(partials[0] as number).size;
  const distinct = merged.reduce((n, t) => n + context.instance.header(t).size, 0);
  tables.lastNewKeyShare = (distinct - first) / Math.max(1, keys - first);
  return merged;
}

/** Makes target j at least `want` big (a new, empty table when it was smaller). Returns true when it is new. */
export function ensureTarget(context: KernelContext, tables: PurposeTables, j: number, want: TableGeometry): boolean {
  const current = tables.targets[j];
  if (current !== undefined) {
    const h = context.instance.header(current);
    if (h.capacity >= want.capacity && h.arenaCapacity >= want.arenaCapacity) return false;
    context.allocator.release(current);
    want = { capacity: Math.max(want.capacity, h.capacity), arenaCapacity: Math.max(want.arenaCapacity, h.arenaCapacity) };
  }
  tables.targets[j] = allocTable(context, want, tables.valueKind, tables.reducer, TARGET_SEED);
  return true;
}

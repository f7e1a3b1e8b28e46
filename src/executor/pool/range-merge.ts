/**
 * The 'ranges' merge (the kernels and why they give exactly the inline
 * result: assembly/range-merge.ts), driven from the owner thread in two
 * parallel rounds:
 *
 *   merge:  worker j ── hash range j of partials 1.. ──▶ folded into partial 0
 *                                                        in place, or into
 *                                                        overflow table j
 *   export: task 0 lists partial 0; task k sorts by origin the keys first seen
 *           in partial k (a run in every overflow table) into its own place in
 *           the list; the key lookup (key-lookup.ts) then reads the list.
 *
 * Each worker's share is about (keys of all partials) / workers, and the
 * owner only adds up a few counters per worker and source: nothing on the
 * owner grows with the worker count.
 */
import type { KeyedValues } from '../../kernels/api.js';
import type { KeyLookup } from '../../kernels/key-cache.js';
import { geometryFor, initRangeState, rangeRunCount, rangeStateBytes, sortScratchBytes } from '../../kernels/layout.js';
import { exportListed, growTable } from '../../kernels/wasm-table.js';
import { Command, RESULT0, wordOf } from './control-block.js';
import { ensureTarget, type PurposeTables } from './merge-strategies.js';
import { writeCommand, type Task, type TaskRunner } from './pool-task.js';

/** Scratch regions the workers write in this merge (lost with a lost worker: see the pool's quarantine). */
export const RANGE_MERGE_SCRATCH = ['pool-range-states', 'pool-range-list', 'pool-range-sort'] as const;
const [STATES, LIST, SORT] = RANGE_MERGE_SCRATCH;
/** Below this many keys in all, the export's listing runs on the owner thread: waking workers would cost more. */
const MIN_PARALLEL_LISTING = 8192;
/** Room for more new keys per range than the last batch had, so a range rarely grows midway. */
const OVERFLOW_SLACK = 1.25;

/** A batch merged by ranges: partial 0 with its keys folded, the overflow tables and the states that list their runs. */
export interface RangeMerge {
  readonly partials: readonly number[];
  /** Overflow table j holds the keys of range j that partial 0 lacked. */
  readonly overflows: readonly number[];
  readonly states: number;
  readonly stateBytes: number;
}

/** The merge round: partials (in partition order, one seed) folded by hash range, worker j taking range j. */
export function mergeByRanges(runner: TaskRunner, partials: readonly number[], tables: PurposeTables): RangeMerge {
  const { context } = runner;
  const count = partials.length;
  const sources = context.scratch.get('pool-merge-sources', count * 4);
  new Uint32Array(context.instance.memory.u8().buffer, sources, count).set(partials);
  let span = Infinity;
  let laterKeys = 0;
  let laterKeyBytes = 0;
  for (const t of partials.slice(1)) {
    const h = context.instance.header(t);
    span = Math.min(span, h.capacity);
    laterKeys += h.size;
    laterKeyBytes += h.arenaUsed - h.deadBytes;
  }
  // Ranges are slices of the smallest capacity (at least 8 slots, always a power of two).
  const parts = Math.min(runner.parallelism, span);
  const expected = Math.ceil((tables.lastNewKeyShare * laterKeys * OVERFLOW_SLACK) / parts);
  const want = geometryFor(expected, Math.ceil((expected * laterKeyBytes) / Math.max(1, laterKeys)));
  const stateBytes = rangeStateBytes(count);
  const states = context.scratch.get(STATES, parts * stateBytes);
  const view = context.instance.memory.view();
  const tasks: Task[] = [];
  for (let j = 0; j < parts; j++) {
    ensureTarget(context, tables, j, want);
    initRangeState(view, states + j * stateBytes);
    tasks.push({
      worker: j,
      post: (control, slot) => writeCommand(control, slot, {
        command: Command.FoldRange, table: tables.targets[j] as number, ptr: sources, len: count, a0: j, a1: parts, a2: 0, a3: 0, stats: states + j * stateBytes,
      }),
      finish: (control, slot) => {
        if (Atomics.load(control, wordOf(slot, RESULT0)) === 1) return true;
        // The move keeps arena offsets (overflow tables have no dead entries): the runs stay valid.
        tables.targets[j] = growTable(context, tables.targets[j] as number);
        return false;
      },
    });
  }
  runner.run('merge', tasks);
  const overflows = tables.targets.slice(0, parts);
  const added = overflows.reduce((n, t) => n + context.instance.header(t).size, 0);
  tables.lastNewKeyShare = added / Math.max(1, laterKeys);
  return { partials, overflows, states, stateBytes };
}

/** The export of a range merge: one list in first-occurrence order, then the keys and values through `lookup`. */
export function exportRanges(runner: TaskRunner, merged: RangeMerge, lookup: KeyLookup): KeyedValues {
  const { context } = runner;
  const { partials, overflows, states, stateBytes } = merged;
  const first = partials[0] as number;
  const view = context.instance.memory.view();
  // Where each source's keys go in the list: partial 0's, then those first seen in partial 1, 2, ...
  const at = [0];
  const sortAt = [0];
  let n = context.instance.header(first).size;
  let sortBytes = 0;
  for (let k = 1; k < partials.length; k++) {
    let keys = 0;
    for (let j = 0; j < overflows.length; j++) keys += rangeRunCount(view, states + j * stateBytes, k);
    at.push(n);
    sortAt.push(sortBytes);
    n += keys;
    sortBytes += keys === 0 ? 0 : sortScratchBytes(keys);
  }
  const list = context.scratch.get(LIST, n * 4);
  const sort = context.scratch.get(SORT, sortBytes);
  const overflowList = context.scratch.get('pool-range-overflows', overflows.length * 4);
  new Uint32Array(context.instance.memory.u8().buffer, overflowList, overflows.length).set(overflows);
  const sources = at.map((_, k) => k).filter((k) => k === 0 || (at[k + 1] ?? n) > (at[k] as number));
  const listing = (k: number) => ({ k, out: list + (at[k] as number) * 4, scratch: sort + (sortAt[k] as number) });
  const workers = n < MIN_PARALLEL_LISTING ? 0 : Math.min(runner.parallelism, sources.length);
  if (workers === 0) {
    for (const k of sources) {
      const { out, scratch } = listing(k);
      if (k === 0) context.instance.exports.tableList(first, out);
      else context.instance.exports.tableOrderRuns(first, overflowList, overflows.length, states, stateBytes, k, out, scratch);
    }
  } else {
    const tasks: Task[] = [];
    for (let w = 0; w < workers; w++) {
      let next = w;
      tasks.push({
        worker: w,
        post: (control, slot) => {
          const { k, out, scratch } = listing(sources[next] as number);
          writeCommand(control, slot, {
            command: Command.OrderRuns, table: first, ptr: overflowList, len: overflows.length, a0: k, a1: states, a2: out, a3: scratch, stats: stateBytes,
          });
        },
        finish: () => (next += workers) >= sources.length,
      });
    }
    runner.run('export', tasks);
  }
  let arenaBytes = context.instance.header(first).arenaUsed;
  for (const t of overflows) arenaBytes += context.instance.header(t).arenaUsed;
  return exportListed(context, first, list, n, arenaBytes, lookup);
}


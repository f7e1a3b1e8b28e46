/**
 * The result of a word count against the key cache (src/kernels/known-words.ts),
 * its two steps split across the pool's workers: the totals by slices of
 * cache ids, then each partition's list, so that no part of it grows with
 * the worker count on the owner thread. Kept apart from the thread
 * machinery, which it uses only through a TaskRunner.
 */
import type { KnownWordsSteps } from '../../kernels/known-words.js';
import { Command } from './control-block.js';
import { writeCommand, type Task, type TaskRunner } from './pool-task.js';

/** Cache ids per totals task at least (fewer: fewer tasks; a post costs more than this many). */
const MIN_TOTALS_SLICE = 2048;

export function parallelKnownSteps(runner: TaskRunner): KnownWordsSteps {
  return {
    run: (args, ids, parts) => {
      const slices = Math.max(1, Math.min(runner.parallelism, Math.ceil(ids / MIN_TOTALS_SLICE)));
      const totals: Task[] = [];
      for (let j = 0; j < slices; j++) {
        const from = Math.floor((ids * j) / slices);
        const to = Math.floor((ids * (j + 1)) / slices);
        totals.push({
          worker: j,
          post: (control, slot) => writeCommand(control, slot, { command: Command.KnownTotals, table: 0, ptr: args, len: 0, a0: from, a1: to, a2: 0, a3: 0, stats: 0 }),
          finish: () => true,
        });
      }
      runner.run('export', totals);
      const workers = Math.min(runner.parallelism, parts);
      const lists: Task[] = [];
      for (let w = 0; w < workers; w++) {
        let k = w;
        lists.push({
          worker: w,
          post: (control, slot) => writeCommand(control, slot, { command: Command.KnownList, table: 0, ptr: args, len: k, a0: 0, a1: 0, a2: 0, a3: 0, stats: 0 }),
          finish: () => (k += workers) >= parts,
        });
      }
      runner.run('export', lists);
    },
  };
}

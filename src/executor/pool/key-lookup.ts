/**
 * The export phase's parallel key lookup: a KeyLookup that splits a result's
 * keys across the workers, kept apart from the thread machinery, which it
 * uses only through a TaskRunner.
 */
import { lookupOnThisThread, type KeyLookup } from '../../kernels/key-cache.js';
import { Command, RESULT0, wordOf } from './control-block.js';
import { writeCommand, type Task, type TaskRunner } from './pool-task.js';

/** A result's keys are looked up in slices of at least about half this many (fewer keys: on the owner thread alone; a post costs more). */
const MIN_LOOKUP_SLICE = 4096;

/**
 * Looks a result's keys up in the key cache (see KeyCache), each worker a
 * slice of them: the lookups only read the cache, and the owner then has
 * the cached strings to hand out and only the misses to decode.
 */
export function parallelKeyLookup(runner: TaskRunner): KeyLookup {
  const onThisThread = lookupOnThisThread(runner.context);
  return (cache, t, list, n, ids, values, meanwhile) => {
    const parts = Math.min(runner.parallelism, Math.ceil(n / MIN_LOOKUP_SLICE));
    if (parts <= 1) return onThisThread(cache, t, list, n, ids, values);
    let misses = 0;
    const tasks: Task[] = [];
    for (let j = 0; j < parts; j++) {
      tasks.push({
        worker: j,
        post: (control, slot) => writeCommand(control, slot, {
          command: Command.LookupKeys, table: t, ptr: list, len: n, a0: j, a1: parts, a2: ids, a3: values, stats: cache,
        }),
        finish: (control, slot) => {
          misses += Atomics.load(control, wordOf(slot, RESULT0)) >>> 0;
          return true;
        },
      });
    }
    // The owner's work runs while the workers look up (the caller runs it after, had they all replied before).
    runner.run('export', tasks, meanwhile === undefined ? undefined : once(meanwhile));
    return misses;
  };
}

/** `work` as the one step of a run's owner-side work (see TaskRunner.run). */
function* once(work: () => void): Generator<void> {
  work();
  yield;
}

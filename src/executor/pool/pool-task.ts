/**
 * A command for one worker and who runs it: the unit the pool's phases
 * (count, merge, export) hand to the attempt machinery, so the merge
 * strategies and the key lookup can build tasks without seeing threads.
 */
import type { KernelContext } from '../../kernels/wasm-table.js';
import { A0, A1, A2, A3, COMMAND, LEN, PTR, STATS, TABLE, wordOf, type Command } from './control-block.js';
import type { PoolPhase } from './pool-options.js';

/** A command for one worker, re-posted after the owner grew a full table. */
export interface Task {
  readonly worker: number;
  /** Writes the command and its arguments into the worker's control slot. */
  post(control: Int32Array, slot: number): void;
  /** Reads the reply: true when the task is finished, false when it must be posted again (after a grow). */
  finish(control: Int32Array, slot: number): boolean;
}

/** What a phase needs from the pool: its memory, its worker count, and a way to run tasks on the workers (blocking until all finish). */
export interface TaskRunner {
  readonly context: KernelContext;
  readonly parallelism: number;
  /** `meanwhile`: owner-thread work done in steps while the workers run (each step between replies). */
  run(phase: PoolPhase, tasks: readonly Task[], meanwhile?: Iterable<void>): void;
}

export interface CommandWords {
  readonly command: Command;
  readonly table: number;
  readonly ptr: number;
  readonly len: number;
  readonly a0: number;
  readonly a1: number;
  readonly a2: number;
  readonly a3: number;
  readonly stats: number;
}

export function writeCommand(control: Int32Array, slot: number, words: CommandWords): void {
  Atomics.store(control, wordOf(slot, COMMAND), words.command);
  Atomics.store(control, wordOf(slot, TABLE), words.table | 0);
  Atomics.store(control, wordOf(slot, PTR), words.ptr | 0);
  Atomics.store(control, wordOf(slot, LEN), words.len | 0);
  Atomics.store(control, wordOf(slot, A0), words.a0 | 0);
  Atomics.store(control, wordOf(slot, A1), words.a1 | 0);
  Atomics.store(control, wordOf(slot, A2), words.a2 | 0);
  Atomics.store(control, wordOf(slot, A3), words.a3 | 0);
  Atomics.store(control, wordOf(slot, STATS), words.stats | 0);
}

/**
 * The body of a pool worker, whatever the thread API (worker_threads in
 * Node, Web Workers in browsers): instantiate the shared kernel build on the
 * pool's shared memory, then serve commands from the control-block slot
 * forever. A worker never allocates kernel memory: when a table is full it
 * reports where it stopped and the owner grows the table.
 */
import { KernelInstance } from '../../kernels/kernel-instance.js';
import { LAYOUT, MODE_FOLD } from '../../kernels/layout.js';
import {
  A0, A1, A2, A3, COMMAND, Command, DELIMITED_CLEAR, EXIT_REQUEST, LEN, PTR, RESULT0, RESULT1, RUN_US, SEQ, STATS, TABLE,
  WorkerState, controlBlockBytes, signal, wordOf, writeMessage,
} from './control-block.js';
import { runCountQueue } from './count-queue.js';

/** What a pool worker is started with (structured-cloneable: the module and the shared memory are shared, not copied). */
export interface PoolWorkerInit {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly maximumPages: number;
  readonly controlPtr: number;
  readonly slot: number;
}

/** The worker's control words. */
export function controlOf(init: PoolWorkerInit): Int32Array {
  return new Int32Array(init.memory.buffer, init.controlPtr, controlBlockBytes(init.slot + 1) / 4);
}

/**
 * Serves commands until the thread ends. `exit(code)` ends the thread (the
 * test hook EXIT_REQUEST uses it); it must not return.
 */
export function servePoolCommands(init: PoolWorkerInit, exit: (code: number) => never): never {
  const control = controlOf(init);
  const word = (field: number): number => wordOf(init.slot, field);
  let instance: KernelInstance;
  try {
    instance = KernelInstance.instantiateSync(init.module, init.memory, init.maximumPages);
  } catch (error) {
    writeMessage(control, init.slot, describe(error));
    signal(control, init.slot, WorkerState.Failed);
    return exit(1);
  }

  let seen = Atomics.load(control, word(SEQ));
  signal(control, init.slot, WorkerState.Ready);
  for (;;) {
    // Only a new SEQ is a command. A wake-up alone is not: the owner bumps SEQ, then notifies, and
    // when it is descheduled in between, the notify reaches this thread after it has run that very
    // command and waits for the next; running it again then raced the owner (inflated totals,
    // keys merged, traps in the fold).
    while (Atomics.load(control, word(SEQ)) === seen) Atomics.wait(control, word(SEQ), seen);
    seen = Atomics.load(control, word(SEQ));
    const exitCode = Atomics.load(control, word(EXIT_REQUEST));
    if (exitCode !== 0) exit(exitCode);
    try {
      const started = performance.now();
      runCommand(instance, control, init.slot);
      Atomics.store(control, word(RUN_US), Math.min(2 ** 31 - 1, Math.round((performance.now() - started) * 1000)));
      signal(control, init.slot, WorkerState.Ready);
    } catch (error) {
      writeMessage(control, init.slot, describe(error));
      signal(control, init.slot, WorkerState.Failed);
    }
  }
}

/**
 * Runs the command posted in `slot` on `instance` and stores its results
 * there (the worker loop's body; benchmarks call it on one thread to time
 * each task of a phase on its own).
 */
export function runCommand(instance: KernelInstance, control: Int32Array, slot: number): void {
  const word = (field: number): number => wordOf(slot, field);
  const u32 = (field: number): number => Atomics.load(control, word(field)) >>> 0;
  const command = Atomics.load(control, word(COMMAND));
  const table = u32(TABLE);
  const ptr = u32(PTR);
  const len = u32(LEN);
  const a0 = Atomics.load(control, word(A0));
  switch (command) {
    case Command.CountWords:
      if (a0 === 1) instance.exports.tableClear(table);
      Atomics.store(control, word(RESULT0), instance.wordCount(table, ptr, len));
      return;
    case Command.Delimited: {
      const stats = u32(STATS);
      if ((a0 & DELIMITED_CLEAR) !== 0) {
        instance.exports.tableClear(table);
        instance.memory.u8().fill(0, stats, stats + LAYOUT.LAYOUT_STATS_BYTES);
      }
      const consumed = instance.exports.aggregateDelimited(
        table, ptr, len, a0 & 0xff, Atomics.load(control, word(A1)), Atomics.load(control, word(A2)), Atomics.load(control, word(A3)), stats,
      );
      Atomics.store(control, word(RESULT0), consumed);
      return;
    }
    case Command.Merge: {
      if (u32(STATS) === 1) instance.exports.tableClear(table);
      const sources = new Uint32Array(instance.memory.u8().buffer, ptr, len);
      let from = u32(A3);
      for (let i = u32(A2); i < len; i++) {
        const source = sources[i] as number;
        const stopped = instance.mergeTable(table, source, from, a0, u32(A1), MODE_FOLD);
        if (stopped < instance.header(source).arenaUsed) {
          Atomics.store(control, word(RESULT0), i);
          Atomics.store(control, word(RESULT1), stopped);
          return;
        }
        from = 0;
      }
      Atomics.store(control, word(RESULT0), len);
      return;
    }
    case Command.FoldExisting:
      Atomics.store(control, word(RESULT0), instance.exports.tableFoldExisting(table, ptr, a0, u32(A1), u32(A2)));
      return;
    case Command.FoldRange:
      Atomics.store(control, word(RESULT0), instance.exports.tableFoldRange(ptr, len, table, a0, u32(A1), u32(STATS)));
      return;
    case Command.OrderRuns:
      Atomics.store(control, word(RESULT0), a0 === 0
        ? instance.exports.tableList(table, u32(A2))
        : instance.exports.tableOrderRuns(table, ptr, len, u32(A1), u32(STATS), a0, u32(A2), u32(A3)));
      return;
    case Command.CountQueue:
      runCountQueue(instance, control, slot);
      return;
    case Command.KnownTotals:
      instance.exports.knownWordsTotals(ptr, a0, u32(A1));
      return;
    case Command.KnownList:
      Atomics.store(control, word(RESULT0), instance.exports.knownWordsList(ptr, len));
      return;
    case Command.LookupKeys: {
      const parts = u32(A1);
      const from = Math.floor((len * a0) / parts);
      const to = Math.floor((len * (a0 + 1)) / parts);
      Atomics.store(control, word(RESULT0), instance.exports.keyCacheLookup(u32(STATS), table, ptr, from, to, u32(A2), u32(A3)));
      return;
    }
    default:
      throw new Error(`unknown command ${command}`);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

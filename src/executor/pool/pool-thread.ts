/** The owner's view of one pool worker thread, whatever the thread API. */
import type { PoolWorkerInit } from './worker-loop.js';

export interface PoolThread {
  readonly slot: number;
  /** Set when the thread exited or was given up on; the pool then replaces it. */
  lostReason: string | undefined;
  /**
   * Regions the thread may still write to after it was given up on; the
   * pool releases them once the thread has exited (never, where the host
   * does not report exits: leaked rather than handed out while written).
   */
  readonly quarantine: number[];
  /** Gives up on the thread: records why and terminates it. */
  retire(reason: string): void;
  /** Terminates the thread without telling the pool (the test hook that simulates a killed thread). */
  kill(): void;
  /** Terminates the thread and settles once it is gone. */
  close(): Promise<void>;
}

/** How a host starts pool threads. */
export interface PoolThreadLauncher {
  /**
   * Starts a thread running `servePoolCommands(init, ...)` (worker-loop.ts).
   * `onExit` is called once the thread has exited, where the host reports it.
   */
  launch(init: PoolWorkerInit, onExit: (thread: PoolThread) => void): PoolThread;
  /**
   * False where a new thread cannot start while its creator blocks (browsers
   * start nested workers through the creator's event loop): the pool then
   * keeps one started spare to replace a worker lost mid-batch.
   */
  readonly startsWhileOwnerBlocks: boolean;
}

/**
 * Entry of a pool worker in browsers (a module Web Worker): waits for its
 * PoolWorkerInit message, then runs the shared worker loop.
 */
import { WorkerState, signal } from '../executor/pool/control-block.js';
import { controlOf, servePoolCommands, type PoolWorkerInit } from '../executor/pool/worker-loop.js';

/** Thrown to leave the worker loop when the owner asked this worker to exit (test hook). */
class WorkerExit extends Error {}

const scope = globalThis as unknown as { onmessage: ((event: MessageEvent<PoolWorkerInit>) => void) | null; close(): void };

scope.onmessage = (event) => {
  scope.onmessage = null;
  const init = event.data;
  try {
    servePoolCommands(init, (code) => {
      signal(controlOf(init), init.slot, WorkerState.Exited);
      scope.close();
      throw new WorkerExit(`exit ${code}`);
    });
  } catch (error) {
    if (!(error instanceof WorkerExit)) throw error;
  }
};

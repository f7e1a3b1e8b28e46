/**
 * A pool worker on Node's worker_threads. Node reports every exit (also of a
 * terminated thread), so regions parked in `quarantine` are released as soon
 * as the thread is really gone.
 */
import { Worker } from 'node:worker_threads';
import type { PoolThread, PoolThreadLauncher } from '../../executor/pool/pool-thread.js';
import type { PoolWorkerInit } from '../../executor/pool/worker-loop.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

export class WorkerHandle implements PoolThread {
  readonly worker: Worker;
  readonly slot: number;
  readonly quarantine: number[] = [];
  lostReason: string | undefined;

  constructor(init: PoolWorkerInit, onExit: (thread: PoolThread) => void) {
    this.slot = init.slot;
    this.worker = new Worker(WORKER_URL, { workerData: init });
    // Idle workers must not keep the process alive; the pool's close() ends them.
    this.worker.unref();
    this.worker.on('error', (error) => {
      this.lostReason ??= `worker thread failed: ${error.message}`;
    });
    this.worker.on('exit', (code) => {
      this.lostReason ??= `worker thread exited with code ${code}`;
      onExit(this);
    });
  }

  retire(reason: string): void {
    this.lostReason ??= reason;
    this.kill();
  }

  kill(): void {
    this.worker.terminate().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.worker.terminate().catch(() => undefined);
  }
}

export const nodeThreads: PoolThreadLauncher = {
  launch: (init, onExit) => new WorkerHandle(init, onExit),
  startsWhileOwnerBlocks: true,
};

/**
 * A pool worker on Web Workers. Browsers do not report when a terminated
 * worker has stopped, so the regions and control slot of a worker given up
 * on stay quarantined for the pool's lifetime (leaked, never handed out
 * again while a stopping thread could still write to them).
 */
import type { PoolThread, PoolThreadLauncher } from '../executor/pool/pool-thread.js';
import type { PoolWorkerInit } from '../executor/pool/worker-loop.js';

/**
 * Resolved when a worker starts, never at import: where `import.meta.url` is
 * undefined (workerd) building it at module scope made importing the core throw.
 */
function workerUrl(): URL {
  return new URL('./pool-worker.js', import.meta.url);
}

export class WebWorkerThread implements PoolThread {
  readonly slot: number;
  readonly quarantine: number[] = [];
  lostReason: string | undefined;
  private readonly worker: Worker;

  constructor(init: PoolWorkerInit) {
    this.slot = init.slot;
    this.worker = new Worker(workerUrl(), { type: 'module' });
    this.worker.addEventListener('error', (event) => {
      this.lostReason ??= `worker failed: ${event.message}`;
    });
    this.worker.postMessage(init);
  }

  retire(reason: string): void {
    this.lostReason ??= reason;
    this.kill();
  }

  kill(): void {
    this.worker.terminate();
  }

  async close(): Promise<void> {
    this.worker.terminate();
  }
}

export const webWorkers: PoolThreadLauncher = {
  launch: (init) => new WebWorkerThread(init),
  startsWhileOwnerBlocks: false,
};

/**
 * The shared-memory pool (src/executor/pool) on Web Workers, for browsers
 * where `crossOriginIsolated` allows SharedArrayBuffer. The pool's calls
 * block in Atomics.wait, which browsers allow in workers only: run the
 * StreamingContext in a Worker and create the pool there. Everywhere else
 * (a page's main thread, no cross-origin isolation, no Worker)
 * `browserExecutor()` gives the inline executor, with the same results.
 */
import type { Executor } from '../executor/executor.js';
import { InlineExecutor } from '../executor/inline-executor.js';
import { SharedMemoryPool, startedPool, type WorkerPoolOptions } from '../executor/pool/shared-memory-pool.js';
import { webWorkers } from './web-worker-thread.js';

export class BrowserWorkerPool extends SharedMemoryPool {
  constructor(options: WorkerPoolOptions = {}) {
    const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
    super(options, webWorkers, typeof cores === 'number' && cores >= 1 ? cores : 1);
  }
}

/** Whether this thread can run a worker pool: shared memory, Web Workers, and a thread allowed to block. */
export function canRunWorkerPool(): boolean {
  const host = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  if (typeof SharedArrayBuffer !== 'function' || host.crossOriginIsolated !== true || typeof host.Worker !== 'function') return false;
  try {
    // Throws on threads that must not block (a page's main thread); returns at once elsewhere.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 0);
    return true;
  } catch {
    return false;
  }
}

/** A started worker pool where this thread can run one, else the inline executor. */
export async function browserExecutor(options: WorkerPoolOptions = {}): Promise<Executor> {
  if (!canRunWorkerPool()) return new InlineExecutor();
  return startedPool(new BrowserWorkerPool(options));
}

/**
 * The shared-memory pool (src/executor/pool) on Node's worker_threads: one
 * worker per available core by default. Calls block the calling thread in
 * Atomics.wait while the workers run, which Node allows on the main thread.
 */
import { availableParallelism } from 'node:os';
import { SharedMemoryPool, startedPool, type WorkerPoolOptions } from '../../executor/pool/shared-memory-pool.js';
import { nodeThreads } from './worker-handle.js';

/** The Node worker-thread pool: kernels on worker threads sharing one WebAssembly memory; create it with createWorkerPool(). */
export class WorkerPool extends SharedMemoryPool {
  constructor(options: WorkerPoolOptions = {}) {
    super(options, nodeThreads, availableParallelism());
  }
}

/** A pool whose workers have all started. */
export async function createWorkerPool(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
  return startedPool(new WorkerPool(options));
}

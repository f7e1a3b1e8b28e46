/**
 * The worker-thread pool (Node): one shared WebAssembly memory, one kernel
 * instance per worker thread, batches split at record boundaries and merged
 * in parallel. Use it as the engine's kernels:
 *
 *   const pool = await createWorkerPool({ workers: 4 });
 *   const ssc = new StreamingContext({ batchIntervalMs: 1000, kernels: pool });
 *   ...
 *   await pool.close();
 */
export { WorkerPool, createWorkerPool } from './worker-pool.js';
export {
  MAX_ATTEMPTS, type MergeStrategy, type WorkerPoolOptions, type WorkerPoolHooks, type WorkerPoolStats, type PoolPhase,
} from '../../executor/pool/shared-memory-pool.js';
export { partitionEnds, atWhitespace, afterNewline, type BoundaryRule } from '../../executor/pool/partitions.js';

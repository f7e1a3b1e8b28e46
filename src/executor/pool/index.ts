export { SharedMemoryPool, startedPool, MAX_ATTEMPTS, type MergeStrategy, type WorkerPoolOptions, type WorkerPoolHooks, type WorkerPoolStats, type PoolPhase } from './shared-memory-pool.js';
export type { PoolThread, PoolThreadLauncher } from './pool-thread.js';
export { servePoolCommands, type PoolWorkerInit } from './worker-loop.js';
export { partitionEnds, atWhitespace, afterNewline, type BoundaryRule } from './partitions.js';

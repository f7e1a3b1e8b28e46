/**
 * `sluice/node`: the Node-only half of sluice — TCP and file sources, the
 * file checkpoint store, the file sink for saveAsTextFiles, the corpus
 * generator server. Import the engine itself from `sluice`.
 */
export { socketTextStream, textFileStream, type RateOptions } from './streams.js';
export { SocketReceiver, type SocketReceiverOptions, type SocketReceiverStats } from './socket-receiver.js';
export { TextFileReceiver, isIgnoredFileName, type TextFileReceiverOptions, type TextFileReceiverStats, type TextFilePosition } from './text-file-receiver.js';
export { LineIntake, type LineIntakeOptions, type LineIntakeStats, type FlowControl, type RateControlled } from './line-intake.js';
export { RateLimiter } from './rate-limiter.js';
export { PidRateEstimator, type PidRateEstimatorOptions } from './pid-rate-estimator.js';
export { BackpressureController, enableBackpressure, type BackpressureOptions } from './backpressure.js';
export { Backoff, type BackoffOptions } from './backoff.js';
export { FileCheckpointStore, CHECKPOINT_FILE, BACKUP_FILE, CHECKPOINT_FILE_VERSION, type FileCheckpointStoreOptions } from './file-checkpoint-store.js';
export { NodeFileSink, type NodeFileSinkOptions } from './file-sink.js';
export { GeneratorServer, type GeneratorServerOptions } from './generator-server.js';
export {
  WorkerPool, createWorkerPool, MAX_ATTEMPTS, type MergeStrategy, type WorkerPoolOptions, type WorkerPoolHooks, type WorkerPoolStats, type PoolPhase,
} from './worker-pool/index.js';
export { createIngestionServer, type IngestionServer, type IngestionServerOptions } from './serve/ingestion-server.js';
export { DashboardServer, type DashboardServerOptions } from './serve/dashboard-server.js';
export { MetricsRegistry, Counter, Gauge, Histogram } from './serve/metrics-registry.js';
export {
  CLOSE_GOING_AWAY, CLOSE_INVALID_UTF8, CLOSE_POLICY_VIOLATION, CLOSE_TOO_BIG, CLOSE_INTERNAL_ERROR, CLOSE_SLOW_SUBSCRIBER,
} from './serve/close-codes.js';
export * from './kafka/index.js';

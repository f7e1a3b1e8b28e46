/**
 * `sluice/internals`: everything `sluice` exports plus the engine's building
 * blocks (DStream operator classes, kernel memory and table layouts, the
 * receiver supervisor, checkpoint encoding). For tests, benchmarks and
 * extensions that reach below the public API; no stability promise: these
 * names may change in any release. Programs should import from `sluice`.
 */
export * from './index.js';
export * from './errors.js';
export * from './kernels/index.js';
export * from './executor/index.js';
export * from './browser/index.js';
export type * from './checkpoint/store.js';
export { Receiver, type ReceiverHost } from './receivers/receiver.js';
export * from './engine/clock.js';
export * from './engine/manual-clock.js';
export * from './engine/listener.js';
export * from './engine/dstream.js';
export * from './engine/input-dstream.js';
export * from './engine/graph.js';
export type { AfterBatchHook } from './engine/job-scheduler.js';
export { DEFAULT_RECEIVER_BUFFER_BYTES, ReceiverSupervisor, type ReceiverBufferStats, type ReceiverSupervisorOptions } from './engine/receiver-supervisor.js';
export * from './engine/streaming-context.js';
export * from './engine/in-memory-file-sink.js';
export * from './batch/batch.js';
export * from './batch/builtins.js';
export * from './batch/format.js';
export * from './stream/receiver-input-dstream.js';
export * from './stream/queue-input-dstream.js';
export * from './stream/map-dstream.js';
export * from './stream/flat-map-dstream.js';
export * from './stream/filter-dstream.js';
export * from './stream/map-partitions-dstream.js';
export * from './stream/union-dstream.js';
export * from './stream/transform-dstream.js';
export * from './stream/reduce-by-key-dstream.js';
export * from './stream/group-by-key-dstream.js';
export * from './stream/foreach-dstream.js';
export * from './stream/print.js';
export * from './stream/save-as-text-files.js';
export * from './stream/fused-kernel-dstream.js';
export * from './stream/fused-word-count-dstream.js';
export * from './stream/fused-delimited-dstream.js';
export * from './checkpoint/in-memory-store.js';
export * from './checkpoint/format.js';
export { type CheckpointableStream, StateReader, isCheckpointable } from './checkpoint/checkpointable.js';
export { nameStateHolder } from './checkpoint/stream-names.js';
export type { CheckpointOptions } from './checkpoint/checkpoint-writer.js';
export * from './stream/window-dstream.js';
export * from './stream/reduce-by-key-and-window-dstream.js';
export * from './stream/reduce-by-window.js';
export * from './stream/update-state-by-key-dstream.js';
export * from './stream/state-spec.js';
export * from './stream/map-with-state-dstream.js';
export * from './stream/cogroup-dstream.js';
export * from './stream/transform-with-dstream.js';
export * from './batch/ordering.js';
export * from './batch/joins.js';
export * from './engine/logger.js';
export * from './arguments.js';
export * from './stream/partitioned-state.js';

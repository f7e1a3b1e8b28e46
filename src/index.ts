/**
 * `sluice`: micro-batch stream processing in the spirit of Spark Streaming.
 * This is the public API: what a program needs to build, run, test and
 * recover streams. Node-only sources and sinks are in `sluice/node`; the
 * engine's internals (operator classes, kernel memory) in `sluice/internals`,
 * without stability promises. test/package/public-api.test.ts pins this list.
 */

// The context, streams, time and events.
export { StreamingContext, type StreamingContextOptions, type ContextState } from './engine/streaming-context.js';
export type { KernelsChoice, KernelsKind } from './engine/kernels-choice.js';
export { DStream } from './engine/dstream.js';
export { type Clock, SystemClock } from './engine/clock.js';
export { ManualClock } from './engine/manual-clock.js';
export type { BatchInfo, ReceiverInfo, StreamingListener } from './engine/listener.js';
export { type Logger, consoleLogger, silentLogger } from './engine/logger.js';
export type { QueueStreamOptions } from './stream/queue-input-dstream.js';

// Receivers (custom sources).
export { Receiver, type ReceiverHost } from './receivers/receiver.js';
export { DEFAULT_RECEIVER_BUFFER_BYTES } from './engine/receiver-supervisor.js';
export type { RecordBatch } from './kernels/api.js';
export type { RecordBatchBuilderOptions } from './kernels/record-batch.js';

// The data of one batch, and the built-in functions the engine runs as kernels.
export { Batch, type Pair, type PairSource, type MapResult } from './batch/batch.js';
export { type Comparator, naturalOrder } from './batch/ordering.js';
export { splitWhitespace, pairWithOne, sum, count, min, max, subtract, runningSum, nonZero, keyValueFields, delimitedField } from './batch/builtins.js';
export { MALFORMED_RECORDS_COUNTER } from './stream/flat-map-dstream.js';

// State.
export { State, StateSpec, type MappingFunction } from './stream/state-spec.js';
export type { MapWithStateDStream } from './stream/map-with-state-dstream.js';
export type { StateDStream, UpdateStateFunction, UpdateStateOptions } from './stream/update-state-by-key-dstream.js';

// Checkpoints and output sinks.
export type { CheckpointStore, FileSink } from './checkpoint/store.js';
export type { CheckpointOptions } from './checkpoint/checkpoint-writer.js';
export type { RecoveryOptions } from './checkpoint/recovery.js';
export { InMemoryCheckpointStore } from './checkpoint/in-memory-store.js';
export { InMemoryFileSink } from './engine/in-memory-file-sink.js';

// Where kernels run.
export type { Kernels } from './kernels/api.js';
export { loadKernels, createKernels, type LoadKernelsOptions } from './kernels/load.js';
export { defaultKernels, setDefaultKernels } from './kernels/default-kernels.js';
export { jsKernels } from './kernels/js-kernels.js';
export { type Executor } from './executor/executor.js';
export { inlineExecutor } from './executor/inline-executor.js';
export { browserExecutor, canRunWorkerPool } from './browser/browser-pool.js';
export type { WorkerPoolOptions } from './executor/pool/pool-options.js';

// Errors, each with a stable `code`.
export * from './errors.js';

// Every operator method (map, reduceByKey, window, ...) is installed on DStream by importing its file;
// operators.ts lists them all (sluice/edge imports the same list), and `.name(...)` comes from stream-names.
import './stream/operators.js';
import './checkpoint/stream-names.js';

/**
 * `sluice/edge`: the engine for runtimes that forbid compiling WebAssembly
 * from bytes at run time (Cloudflare Workers / workerd) and for bundles that
 * want no embedded copy of the kernels. It carries no base64 kernel: load the
 * kernels from the shipped `.wasm` file, which the runtime precompiles:
 *
 *   import kernel from 'sluice/kernel.wasm';            // a WebAssembly.Module
 *   import { StreamingContext, ManualClock, loadKernels } from 'sluice/edge';
 *   const kernels = await loadKernels({ module: kernel }); // throws rather than fall back
 *
 * There are no worker pools here (edge isolates have one thread). Time is
 * request-driven: a ManualClock and `ssc.runBatch()` in each request.
 * Everything else is the same engine as `sluice` (same modules, same results).
 */
// Installs the operator methods (.flatMap, .reduceByKey, ...) on DStream.
import './stream/operators.js';

export * from './errors.js';
export type { AggregateTable, DelimitedResult, DelimitedSpec, Kernels, KeyedValues, RecordBatch, Reducer } from './kernels/api.js';
export { createModuleKernels as createKernels, loadModuleKernels as loadKernels, type LoadKernelsOptions } from './kernels/load-module.js';
export { defaultKernels, setDefaultKernels } from './kernels/default-kernels.js';
export { JsKernels, jsKernels } from './kernels/js-kernels.js';
export { createKernelMemory } from './kernels/kernel-instance.js';
export { recordBatchFromLines, decodeRecords, type RecordBatchBuilderOptions } from './kernels/record-batch.js';
export type { CheckpointStore, FileSink } from './checkpoint/store.js';
export { InMemoryCheckpointStore } from './checkpoint/in-memory-store.js';
export type { CheckpointOptions } from './checkpoint/checkpoint-writer.js';
export { Receiver, type ReceiverHost } from './receivers/receiver.js';
export * from './engine/clock.js';
export * from './engine/manual-clock.js';
export * from './engine/listener.js';
export type { KernelsChoice, KernelsKind } from './engine/kernels-choice.js';
export { DStream } from './engine/dstream.js';
export { StreamingContext, type StreamingContextOptions, type ContextState } from './engine/streaming-context.js';
export { InMemoryFileSink } from './engine/in-memory-file-sink.js';
export * from './batch/batch.js';
export * from './batch/builtins.js';
export * from './batch/format.js';
export type { QueueStreamOptions } from './stream/queue-input-dstream.js';
export type { UpdateStateFunction, UpdateStateOptions } from './stream/update-state-by-key-dstream.js';
export { State, StateSpec, type MappingFunction } from './stream/state-spec.js';

import assert from 'node:assert/strict';
import { type BatchInfo, type CheckpointStore, type DStream, type Kernels, ManualClock, StreamingContext } from '../../src/internals.js';
import { TestInputDStream } from './test-input-dstream.js';

export interface OperationOptions {
  /** Default 1000. */
  readonly batchIntervalMs?: number;
  /** Batches to run; default: as many as there are expected outputs (or inputs). */
  readonly numBatches?: number;
  /** Compare each batch's output in order (default) or as a multiset. */
  readonly orderMatters?: boolean;
  /** Default: the context's default (WASM kernels); null runs every chain on the JS path. */
  readonly kernels?: Kernels | null;
  /** Hand string input over as byte-backed batches, as receivers do. */
  readonly asRecords?: boolean;
  /** Checkpoint store for stateful operators (ssc.checkpoint(store)). */
  readonly checkpoint?: CheckpointStore;
}

export interface OperationRun<U> {
  /** Output of each batch, in batch order. */
  readonly outputs: U[][];
  readonly batchInfos: BatchInfo[];
}

/**
 * Runs `operation` over an input stream that hands `input[i]` to batch i,
 * on a ManualClock, for `numBatches` batches, and collects each batch's output.
 */
export async function runOperation<T, U>(
  input: readonly (readonly T[])[],
  operation: (stream: DStream<T>) => DStream<U>,
  options: OperationOptions & { numBatches: number },
): Promise<OperationRun<U>> {
  const batchIntervalMs = options.batchIntervalMs ?? 1000;
  const clock = new ManualClock();
  const ssc = new StreamingContext(
    options.kernels === undefined ? { batchIntervalMs, clock } : { batchIntervalMs, clock, kernels: options.kernels },
  );
  const batchInfos: BatchInfo[] = [];
  ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => batchInfos.push(batchInfo) });
  const outputs: U[][] = [];
  if (options.checkpoint !== undefined) ssc.checkpoint(options.checkpoint);
  const stream = new TestInputDStream<T>(ssc, input, options.asRecords === true ? { asRecords: true } : {});
  operation(stream).foreachRDD((batch) => {
    outputs.push(batch.collect());
  });
  ssc.start();
  await clock.advance(options.numBatches * batchIntervalMs);
  await ssc.stop();
  await ssc.awaitTermination();
  return { outputs, batchInfos };
}

/** Canonical text of an element, for order-insensitive comparison. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

export function sortedForComparison<U>(batch: readonly U[]): U[] {
  return [...batch].sort((a, b) => (canonical(a) < canonical(b) ? -1 : canonical(a) > canonical(b) ? 1 : 0));
}

/** Spark's testOperation: asserts that batch i of `operation`'s output equals `expected[i]`. */
export async function testOperation<T, U>(
  input: readonly (readonly T[])[],
  operation: (stream: DStream<T>) => DStream<U>,
  expected: readonly (readonly U[])[],
  options: OperationOptions = {},
): Promise<OperationRun<U>> {
  const numBatches = options.numBatches ?? expected.length;
  const run = await runOperation(input, operation, { ...options, numBatches });
  assert.equal(run.outputs.length, expected.length, `expected ${expected.length} batches of output, got ${run.outputs.length}`);
  const orderMatters = options.orderMatters ?? true;
  for (let i = 0; i < expected.length; i++) {
    const actual = run.outputs[i] as U[];
    const wanted = expected[i] as readonly U[];
    if (orderMatters) assert.deepStrictEqual(actual, wanted, `batch ${i}`);
    else assert.deepStrictEqual(sortedForComparison(actual), sortedForComparison(wanted), `batch ${i} (any order)`);
  }
  return run;
}

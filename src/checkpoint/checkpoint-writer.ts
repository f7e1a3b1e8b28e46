/**
 * Writes checkpoints from an after-batch hook (Spark's CheckpointWriter):
 * once batch T's outputs succeeded, every stateful operator brings its state
 * up to T, and every `checkpointInterval` batches the state, the source
 * positions right after T and the batches generated after T are written.
 * Exactness between checkpoints comes from the positions: recovery restores
 * the state at T and the sources re-read everything after T, so the batches
 * after T are computed again from the same data (and their outputs repeated).
 * The hook is awaited before the batch counts as completed, so a batch is
 * never reported done while its checkpoint is still in flight.
 */
import type { StreamingContext } from '../engine/streaming-context.js';
import { InvalidArgumentError } from '../errors.js';
import type { InputDStream } from '../engine/input-dstream.js';
import type { CheckpointStore } from './store.js';
import { type CheckpointDocument, type OperatorCheckpoint, encodeCheckpoint } from './format.js';
import { type NamedGraph, nameGraph } from './stream-names.js';

/** Options of `ssc.checkpoint(store, options)`. */
export interface CheckpointOptions {
  /**
   * Write a checkpoint after every N completed batches. Default: the batches
   * in max(batch interval, 10 s), rounded up (Spark's default for stateful
   * streams), so a large state is not rewritten every batch.
   */
  readonly checkpointInterval?: number;
  /** The same as a duration (Spark's `checkpoint(interval)`): a multiple of the batch interval. Give this or checkpointInterval. */
  readonly checkpointIntervalMs?: number;
}

/** Spark checkpoints stateful streams every max(slide, 10 s) by default. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 10_000;

export class CheckpointWriter {
  private readonly named: NamedGraph;
  private readonly interval: number;
  private sinceWrite = 0;
  /** The last batch whose outputs succeeded (state advanced to it). */
  private lastTime: number | undefined;

  constructor(
    private readonly context: StreamingContext,
    private readonly store: CheckpointStore,
    options: CheckpointOptions,
  ) {
    this.interval = CheckpointWriter.intervalBatches(options, context.batchIntervalMs);
    this.named = nameGraph(context.graph);
  }

  /** Batches between two checkpoints; InvalidArgumentError for options that make no sense. */
  static intervalBatches(options: CheckpointOptions, batchIntervalMs: number): number {
    const n = options.checkpointInterval;
    const ms = options.checkpointIntervalMs;
    if (n !== undefined && ms !== undefined) throw new InvalidArgumentError('Give checkpointInterval (batches) or checkpointIntervalMs (a duration), not both');
    if (n !== undefined && (!Number.isSafeInteger(n) || n < 1)) {
      throw new InvalidArgumentError(`checkpointInterval must be a positive whole number of batches, got ${n}`);
    }
    if (ms !== undefined && (!Number.isSafeInteger(ms) || ms < batchIntervalMs || ms % batchIntervalMs !== 0)) {
      throw new InvalidArgumentError(`checkpointIntervalMs must be a multiple of the batch interval (${batchIntervalMs} ms), got ${ms}`);
    }
    return n ?? Math.ceil((ms ?? Math.max(batchIntervalMs, DEFAULT_CHECKPOINT_INTERVAL_MS)) / batchIntervalMs);
  }

  async afterBatch(time: number): Promise<void> {
    // Every batch, not only written ones: state must advance at each batch even when no output reached it.
    for (const op of this.named.operators.values()) op.advanceTo(time);
    this.lastTime = time;
    if (++this.sinceWrite < this.interval) return;
    await this.write(time);
  }

  /**
   * At stop: checkpoints the last completed batch if it was not yet, so a
   * restart after a clean stop replays nothing, and a context that runs
   * fewer batches than the interval (one per request, on an edge runtime)
   * still keeps its state. Only called when no batch failed.
   */
  async flush(): Promise<void> {
    if (this.sinceWrite > 0 && this.lastTime !== undefined) await this.write(this.lastTime);
  }

  private async write(time: number): Promise<void> {
    const operators: Record<string, OperatorCheckpoint> = {};
    for (const [name, op] of this.named.operators) operators[name] = { kind: op.checkpointKind, state: op.checkpointState(time) };
    const sources: Record<string, unknown> = {};
    for (const [name, input] of this.named.inputs) {
      const position = (input as InputDStream<unknown>).positionAfter(time);
      if (position !== undefined) sources[name] = position;
    }
    const pendingTimes = this.context.pendingBatchTimes(time);
    const doc: CheckpointDocument = {
      batchIntervalMs: this.context.batchIntervalMs,
      zeroTime: this.context.zeroTime as number,
      checkpointTime: time,
      pendingTimes,
      sources,
      operators,
    };
    await this.store.write(encodeCheckpoint(doc));
    this.sinceWrite = 0;
  }
}

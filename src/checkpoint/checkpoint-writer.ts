/**
 * Writes checkpoints from an after-batch hook (Spark's CheckpointWriter):
 * once batch T's outputs succeeded, every stateful operator brings its state
 * up to T, and every `checkpointInterval` batches the state, the source
 * positions right after T and the batches generated after T are written.
 * The hook is awaited before the batch counts as completed, so a batch is
 * never reported done while its checkpoint is still in flight.
 */
import type { StreamingContext } from '../engine/streaming-context.js';
import { InvalidArgumentError } from '../errors.js';
import type { InputDStream } from '../engine/input-dstream.js';
import type { CheckpointStore } from './store.js';
import { type CheckpointDocument, type OperatorCheckpoint, encodeCheckpoint } from './format.js';
import { type NamedGraph, nameGraph } from './stream-names.js';

export interface CheckpointOptions {
  /** Write a checkpoint after every N completed batches (default 1: every batch). */
  readonly checkpointInterval?: number;
}

export class CheckpointWriter {
  private readonly named: NamedGraph;
  private readonly interval: number;
  private sinceWrite = 0;

  constructor(
    private readonly context: StreamingContext,
    private readonly store: CheckpointStore,
    options: CheckpointOptions,
  ) {
    CheckpointWriter.checkOptions(options);
    this.interval = options.checkpointInterval ?? 1;
    this.named = nameGraph(context.graph);
  }

  static checkOptions(options: CheckpointOptions): void {
    const n = options.checkpointInterval;
    if (n !== undefined && (!Number.isSafeInteger(n) || n < 1)) {
      throw new InvalidArgumentError(`checkpointInterval must be a positive whole number of batches, got ${n}`);
    }
  }

  async afterBatch(time: number): Promise<void> {
    // Every batch, not only written ones: state must advance at each batch even when no output reached it.
    for (const op of this.named.operators.values()) op.advanceTo(time);
    if (++this.sinceWrite < this.interval) return;
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

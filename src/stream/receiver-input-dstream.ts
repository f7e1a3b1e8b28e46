import { Batch } from '../batch/batch.js';
import { lendsInputRegions, type RecordBatchBuilderOptions } from '../kernels/record-batch.js';
import { RecycledArenas } from '../kernels/recycled-arenas.js';
import type { Receiver } from '../receivers/receiver.js';
import { InputDStream } from '../engine/input-dstream.js';
import { ReceiverSupervisor } from '../engine/receiver-supervisor.js';
import type { StreamingContext } from '../engine/streaming-context.js';

/**
 * Lines from a custom Receiver (Spark's receiverStream). Each batch is a
 * byte-backed batch of what the receiver stored since the previous batch time.
 * When the context's kernels lend memory (the worker pool), the bytes are
 * written there as they arrive; otherwise into plain memory that is reused
 * (RecycledArenas). Either way a batch's memory is given back once the batch
 * is older than the stream's remember duration.
 */
export class ReceiverInputDStream extends InputDStream<string> {
  readonly supervisor: ReceiverSupervisor;

  constructor(context: StreamingContext, receiver: Receiver, options: RecordBatchBuilderOptions = {}) {
    super(context);
    // Kernels that lend memory (the worker pool) get each batch written straight into it.
    const kernels = context.kernels;
    const regions = options.regions ?? (lendsInputRegions(kernels) ? kernels : new RecycledArenas({ maxHeldBytes: 2 * context.receiverBufferBytes }));
    this.supervisor = new ReceiverSupervisor(receiver, this.id, context.clock, context.listenerBus, {
      ...options,
      regions,
      bufferBytes: context.receiverBufferBytes,
      logger: context.logger,
    });
  }

  /** A batch older than the remember duration gives its lent memory back. */
  protected override forget(batch: Batch<string>): void {
    batch.releaseRecords();
  }

  override release(): void {
    super.release();
    this.supervisor.dispose();
  }

  override start(): void {
    this.supervisor.start();
  }

  override stop(): void {
    this.supervisor.stop();
  }

  /** The receiver's own position (Receiver.checkpointPosition), read right after each block is cut. */
  override checkpointPosition(): unknown {
    return this.supervisor.receiver.checkpointPosition();
  }

  override restorePosition(position: unknown): void {
    this.supervisor.receiver.restorePosition(position);
  }

  override startPosition(): unknown {
    return this.supervisor.receiver.startPosition();
  }

  override hasPendingData(): boolean {
    return this.supervisor.hasBufferedData();
  }

  /** What a receiver stores goes to the next batch cut, so with nothing buffered every batch cut now is empty. */
  override mightHaveData(): boolean {
    return this.hasPendingData();
  }

  protected take(time: number): Batch<string> {
    const { records, droppedTooLong } = this.supervisor.cutBlock(time);
    if (droppedTooLong > 0) this.context.addBatchCounter(time, 'droppedTooLongRecords', droppedTooLong);
    return Batch.fromRecords(records);
  }
}

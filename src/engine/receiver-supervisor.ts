import type { RecordBatch } from '../kernels/api.js';
import { RecordBatchBuilder, type RecordBatchBuilderOptions } from '../kernels/record-batch.js';
import type { Receiver, ReceiverHost } from '../receivers/receiver.js';
import { InputError, InvalidArgumentError } from '../errors.js';
import type { Clock } from './clock.js';
import type { ListenerBus, ReceiverInfo } from './listener.js';
import { type Logger, silentLogger } from './logger.js';

type SupervisorState = 'idle' | 'running' | 'restarting' | 'stopped';

/** Default `receiverBufferBytes`: received-but-unprocessed bytes a receiver may hold. */
export const DEFAULT_RECEIVER_BUFFER_BYTES = 256 * 1024 * 1024;

export interface ReceiverSupervisorOptions extends RecordBatchBuilderOptions {
  /** Budget for received-but-unprocessed bytes (StreamingContextOptions.receiverBufferBytes). */
  readonly bufferBytes?: number;
  /** Receives every receiver error as a WARN line and the receiver's logInfo notes (StreamingContextOptions.logger). Default: silent. */
  readonly logger?: Logger;
}

export interface ReceiverBufferStats {
  readonly limitBytes: number;
  /** Bytes stored since the last cut plus those of cut blocks whose batch has not completed. */
  readonly bufferedBytes: number;
  /** The most `bufferedBytes` ever was. */
  readonly peakBufferedBytes: number;
  /** Stores made while the buffer was already full by a receiver that kept reading (see the class comment). */
  readonly overBudgetStores: number;
}

/**
 * Runs one receiver for the context (Spark's ReceiverSupervisor): routes
 * stored records into a block buffer of UTF-8 bytes, cuts that buffer into a
 * block at each batch time, restarts the receiver after `restartDelayMs`
 * (on the context's clock) when it asks to or its onStart throws, and tells
 * the listeners. Records stored while the receiver is not running (after
 * stop, or between a restart request and the restart) are dropped, except
 * during onStop: a receiver's final flush there (lines it was holding back)
 * is kept, so a graceful stop's last batch includes it.
 *
 * Memory budget: the bytes received but not processed yet — stored since the
 * last cut, plus the blocks cut for batches that have not completed — are
 * held to `bufferBytes`. Receivers see it through `isBufferFull()` and
 * `whenBufferHasRoom()` and stop reading while it is full (a paused socket
 * makes TCP slow the sender down; a file reader stops reading), so the
 * buffer exceeds the budget by at most what they were storing when it filled
 * (one read chunk).
 *
 * A receiver that stores anyway is not cut off: data stored beyond the budget
 * is kept, because dropping it would lose records the source may never send
 * again (a socket cannot replay), and would punish well-behaved receivers for
 * the chunk they were already storing when the buffer filled. "Anyway" means
 * a store that begins while the buffer is full, after the turn of the event
 * loop in which it filled (that turn is the grace for the chunk in hand).
 * Such stores are counted (`bufferStats().overBudgetStores`) and the first
 * one is reported to the listeners (onReceiverError, ERR_SLUICE_RECEIVER_OVER_BUDGET):
 * memory is then bounded only by what that receiver does.
 */
export class ReceiverSupervisor implements ReceiverHost {
  private state: SupervisorState = 'idle';
  /** True while the receiver's onStop runs: its final flush is kept. */
  private stopping = false;
  private builder: RecordBatchBuilder;
  private cancelRestart: (() => void) | undefined;
  private lastError: { message: string; error: unknown; time: number } | undefined;
  readonly bufferLimitBytes: number;
  /** Cut blocks whose batch has not completed, oldest first. */
  private readonly unprocessed: { time: number; bytes: number }[] = [];
  private unprocessedBytes = 0;
  private peakBytes = 0;
  private roomWaiters: (() => void)[] = [];
  /** Set in the turn the buffer filled: stores finishing the receiver's current chunk are not over budget. */
  private fillingTurn = false;
  private overBudgetStores = 0;
  private readonly logger: Logger;

  constructor(
    readonly receiver: Receiver,
    private readonly streamId: number,
    private readonly clock: Clock,
    private readonly bus: ListenerBus,
    options: ReceiverSupervisorOptions = {},
  ) {
    const { bufferBytes, logger, ...builderOptions } = options;
    this.logger = logger ?? silentLogger;
    this.bufferLimitBytes = checkReceiverBufferBytes(bufferBytes);
    this.builder = new RecordBatchBuilder(builderOptions);
    // Batches complete in time order; each frees the blocks cut for it (and any earlier one).
    bus.add({ onBatchCompleted: ({ batchInfo }) => this.batchDone(batchInfo.batchTime) });
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.receiver.attach(this);
    this.startReceiver();
  }

  /** Stops the receiver for good; data already buffered, and what onStop stores, stays available to `cutBlock`. */
  stop(): void {
    if (this.state === 'stopped') return;
    const wasRunning = this.state === 'running';
    this.state = 'stopped';
    this.cancelRestart?.();
    this.cancelRestart = undefined;
    if (wasRunning) this.callOnStop();
    this.wakeRoomWaiters();
    this.bus.post('onReceiverStopped', { receiverInfo: this.info() });
  }

  /**
   * Everything stored since the last cut, as one block for batch `time`, and
   * the records dropped as over-long. The block's bytes count against the
   * budget until batch `time` completes.
   */
  cutBlock(time: number): { records: RecordBatch; droppedTooLong: number } {
    const droppedTooLong = this.builder.droppedTooLong;
    const bytes = this.builder.byteLength;
    if (bytes > 0) {
      this.unprocessed.push({ time, bytes });
      this.unprocessedBytes += bytes;
    }
    return { records: this.builder.build(), droppedTooLong };
  }

  /** After the context stopped: gives back the memory of the block being built (see RecordBatchBuilder.dispose). */
  dispose(): void {
    this.builder.dispose();
  }

  hasBufferedData(): boolean {
    return this.builder.count > 0 || this.builder.droppedTooLong > 0;
  }

  storeRecord(record: string | Uint8Array): void {
    if (this.state !== 'running' && !this.stopping) return;
    const wasFull = this.isBufferFull();
    if (wasFull && !this.fillingTurn && !this.stopping) this.storedOverBudget();
    this.builder.append(record);
    const buffered = this.bufferedBytes();
    if (buffered > this.peakBytes) this.peakBytes = buffered;
    if (!wasFull && buffered >= this.bufferLimitBytes) {
      this.fillingTurn = true;
      queueMicrotask(() => (this.fillingTurn = false));
    }
  }

  bufferedBytes(): number {
    return this.builder.byteLength + this.unprocessedBytes;
  }

  isBufferFull(): boolean {
    return this.bufferedBytes() >= this.bufferLimitBytes;
  }

  whenBufferHasRoom(): Promise<void> {
    if (!this.isBufferFull() || this.state !== 'running') return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  bufferStats(): ReceiverBufferStats {
    return {
      limitBytes: this.bufferLimitBytes,
      bufferedBytes: this.bufferedBytes(),
      peakBufferedBytes: this.peakBytes,
      overBudgetStores: this.overBudgetStores,
    };
  }

  restart(receiver: Receiver, reason: string, error?: unknown): void {
    if (receiver !== this.receiver || this.state !== 'running') return;
    this.state = 'restarting';
    this.recordError(reason, error);
    this.callOnStop();
    this.wakeRoomWaiters();
    this.scheduleRestart();
  }

  reportError(receiver: Receiver, message: string, error?: unknown): void {
    if (receiver !== this.receiver) return;
    this.recordError(message, error);
  }

  isStopped(): boolean {
    return this.state !== 'running';
  }

  logInfo(receiver: Receiver, message: string): void {
    if (receiver === this.receiver) this.logger.info(`${receiver.name}: ${message}`);
  }

  info(): ReceiverInfo {
    const base = { streamId: this.streamId, name: this.receiver.name, active: this.state === 'running' };
    if (this.lastError === undefined) return base;
    return { ...base, lastErrorMessage: this.lastError.message, lastError: this.lastError.error, lastErrorTime: this.lastError.time };
  }

  private startReceiver(): void {
    this.state = 'running';
    try {
      this.receiver.onStart();
    } catch (error) {
      if (this.state !== 'running') return; // it called restart() itself, or the context stopped
      this.state = 'restarting';
      this.recordError(`Receiver ${this.receiver.name} threw in onStart: ${messageOf(error)}`, error);
      this.callOnStop();
      this.scheduleRestart();
      return;
    }
    if (this.state === 'running') this.bus.post('onReceiverStarted', { receiverInfo: this.info() });
  }

  private scheduleRestart(): void {
    const delay = Math.max(0, this.receiver.restartDelayMs);
    this.cancelRestart = this.clock.schedule(this.clock.now() + delay, () => {
      this.cancelRestart = undefined;
      if (this.state === 'restarting') this.startReceiver();
    });
  }

  private callOnStop(): void {
    this.stopping = true;
    try {
      this.receiver.onStop();
    } catch (error) {
      this.recordError(`Receiver ${this.receiver.name} threw in onStop: ${messageOf(error)}`, error);
    } finally {
      this.stopping = false;
    }
  }

  private batchDone(time: number): void {
    let freed = false;
    while (this.unprocessed.length > 0 && (this.unprocessed[0] as { time: number }).time <= time) {
      this.unprocessedBytes -= (this.unprocessed.shift() as { bytes: number }).bytes;
      freed = true;
    }
    if (freed && !this.isBufferFull()) this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    for (const wake of this.roomWaiters.splice(0)) wake();
  }

  private storedOverBudget(): void {
    if (this.overBudgetStores++ > 0) return;
    const message =
      `Receiver ${this.receiver.name} kept storing while its buffer of received-but-unprocessed data was full ` +
      `(${this.bufferedBytes()} bytes, receiverBufferBytes = ${this.bufferLimitBytes}). The data is kept, so memory is no longer bounded by the budget: ` +
      'a receiver should stop reading while isBufferFull() and resume once whenBufferHasRoom() resolves. Reported once; bufferStats() counts such stores.';
    this.recordError(message, new InputError('ERR_SLUICE_RECEIVER_OVER_BUDGET', message));
  }

  private recordError(message: string, error: unknown): void {
    this.lastError = { message, error, time: this.clock.now() };
    this.logger.warn(`${this.receiver.name}: ${message}`);
    this.bus.post('onReceiverError', { receiverInfo: this.info() });
  }
}

/** The budget to use for `receiverBufferBytes` (the default when undefined); throws on a bad value. */
export function checkReceiverBufferBytes(bytes: number | undefined): number {
  const limit = bytes ?? DEFAULT_RECEIVER_BUFFER_BYTES;
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new InvalidArgumentError(`receiverBufferBytes must be a positive integer number of bytes, got ${String(bytes)}`);
  }
  return limit;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import type { RecordBatch } from '../kernels/api.js';
import { RecordBatchBuilder, type RecordBatchBuilderOptions } from '../kernels/record-batch.js';
import type { Receiver, ReceiverHost } from '../receivers/receiver.js';
import type { Clock } from './clock.js';
import type { ListenerBus, ReceiverInfo } from './listener.js';

type SupervisorState = 'idle' | 'running' | 'restarting' | 'stopped';

/**
 * Runs one receiver for the context (Spark's ReceiverSupervisor): routes
 * stored records into a block buffer of UTF-8 bytes, cuts that buffer into a
 * block at each batch time, restarts the receiver after `restartDelayMs`
 * (on the context's clock) when it asks to or its onStart throws, and tells
 * the listeners. Records stored while the receiver is not running (after
 * stop, or between a restart request and the restart) are dropped.
 */
export class ReceiverSupervisor implements ReceiverHost {
  private state: SupervisorState = 'idle';
  private builder: RecordBatchBuilder;
  private cancelRestart: (() => void) | undefined;
  private lastError: { message: string; error: unknown; time: number } | undefined;

  constructor(
    readonly receiver: Receiver,
    private readonly streamId: number,
    private readonly clock: Clock,
    private readonly bus: ListenerBus,
    builderOptions: RecordBatchBuilderOptions = {},
  ) {
    this.builder = new RecordBatchBuilder(builderOptions);
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.receiver.attach(this);
    this.startReceiver();
  }

  /** Stops the receiver for good; data already buffered stays available to `cutBlock`. */
  stop(): void {
    if (this.state === 'stopped') return;
    const wasRunning = this.state === 'running';
    this.state = 'stopped';
    this.cancelRestart?.();
    this.cancelRestart = undefined;
    if (wasRunning) this.callOnStop();
    this.bus.post('onReceiverStopped', { receiverInfo: this.info() });
  }

  /** Everything stored since the last cut, as one block, and the records dropped as over-long. */
  cutBlock(): { records: RecordBatch; droppedTooLong: number } {
    const droppedTooLong = this.builder.droppedTooLong;
    return { records: this.builder.build(), droppedTooLong };
  }

  hasBufferedData(): boolean {
    return this.builder.count > 0 || this.builder.droppedTooLong > 0;
  }

  storeRecord(record: string | Uint8Array): void {
    if (this.state !== 'running') return;
    this.builder.append(record);
  }

  restart(receiver: Receiver, reason: string, error?: unknown): void {
    if (receiver !== this.receiver || this.state !== 'running') return;
    this.state = 'restarting';
    this.recordError(reason, error);
    this.callOnStop();
    this.scheduleRestart();
  }

  reportError(receiver: Receiver, message: string, error?: unknown): void {
    if (receiver !== this.receiver) return;
    this.recordError(message, error);
  }

  isStopped(): boolean {
    return this.state !== 'running';
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
    try {
      this.receiver.onStop();
    } catch (error) {
      this.recordError(`Receiver ${this.receiver.name} threw in onStop: ${messageOf(error)}`, error);
    }
  }

  private recordError(message: string, error: unknown): void {
    this.lastError = { message, error, time: this.clock.now() };
    this.bus.post('onReceiverError', { receiverInfo: this.info() });
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import type { JobError } from '../errors.js';
import type { KernelsKind } from './kernels-choice.js';

/**
 * What happened to one batch. Times are clock milliseconds; the delays follow
 * Spark: schedulingDelay = processingStart − submission (time spent queued
 * behind earlier batches), processingDelay = processingEnd − processingStart,
 * totalDelay = schedulingDelay + processingDelay.
 */
export interface BatchInfo {
  readonly batchTime: number;
  /** Records the input streams handed to this batch. */
  readonly numRecords: number;
  readonly submissionTime: number;
  readonly processingStartTime?: number;
  readonly processingEndTime?: number;
  readonly schedulingDelay?: number;
  readonly processingDelay?: number;
  readonly totalDelay?: number;
  /**
   * Named per-batch counters, e.g. `malformedRecords` (lines a delimited
   * parser skipped), `droppedTooLongRecords` (receiver records over the size limit)
   * and `skippedNullValues` (Kafka records with a null value, which kafkaValues skips).
   */
  readonly counters: Readonly<Record<string, number>>;
  /**
   * What input streams reported about their part of this batch, by stream id
   * (Spark's StreamInputInfo.metadata), e.g. the Kafka direct stream's offset
   * ranges, record counts and lag. Absent when no input reported anything.
   */
  readonly inputMetadata?: Readonly<Record<number, unknown>>;
  /** The kind of kernels the context's fused chains ran on for this batch ('none': fast path off). */
  readonly kernels: KernelsKind;
  /**
   * Fused kernel calls (e.g. one word count over the batch's bytes) made for
   * this batch; 0 when no fused chain ran or its input was not byte-backed
   * (then its JS chain ran). With `kernels: 'wasm'` and > 0 the WASM kernels did the work.
   */
  readonly kernelCalls: number;
  /** Set when an output of this batch failed; the context stops after such a batch. */
  readonly failure?: JobError;
}

/** What listeners learn about a receiver: its stream, name, whether it runs, and its last error. */
export interface ReceiverInfo {
  readonly streamId: number;
  readonly name: string;
  readonly active: boolean;
  readonly lastErrorMessage?: string;
  readonly lastError?: unknown;
  readonly lastErrorTime?: number;
}

/** Spark's StreamingListener: every method optional, called synchronously on the engine's turn. A throwing listener is ignored. */
export interface StreamingListener {
  onBatchSubmitted?(event: { readonly batchInfo: BatchInfo }): void;
  onBatchStarted?(event: { readonly batchInfo: BatchInfo }): void;
  onBatchCompleted?(event: { readonly batchInfo: BatchInfo }): void;
  onReceiverStarted?(event: { readonly receiverInfo: ReceiverInfo }): void;
  onReceiverError?(event: { readonly receiverInfo: ReceiverInfo }): void;
  onReceiverStopped?(event: { readonly receiverInfo: ReceiverInfo }): void;
}

type EventName = keyof StreamingListener;
type EventOf<K extends EventName> = Parameters<NonNullable<StreamingListener[K]>>[0];

export class ListenerBus {
  private readonly listeners: StreamingListener[] = [];

  add(listener: StreamingListener): void {
    this.listeners.push(listener);
  }

  remove(listener: StreamingListener): void {
    const i = this.listeners.indexOf(listener);
    if (i !== -1) this.listeners.splice(i, 1);
  }

  post<K extends EventName>(name: K, event: EventOf<K>): void {
    for (const listener of this.listeners) {
      const handler = listener[name] as ((e: EventOf<K>) => void) | undefined;
      if (handler === undefined) continue;
      try {
        handler.call(listener, event);
      } catch {
        // A broken listener must not break the stream (Spark logs and goes on).
      }
    }
  }
}

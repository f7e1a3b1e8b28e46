import type { JobError } from '../errors.js';
import type { Job } from './graph.js';
import type { KernelsKind } from './kernels-choice.js';
import type { BatchInfo } from './listener.js';

/** The jobs of one batch time and what is known about their run (becomes BatchInfo). */
export class JobSet {
  numRecords = 0;
  jobs: readonly Job[] = [];
  /** Record counts of inputs that read their data after batch time (InputDStream.takeLater); awaited before the jobs run. */
  readonly inputsRead: Promise<number>[] = [];
  processingStartTime: number | undefined;
  processingEndTime: number | undefined;
  failure: JobError | undefined;
  /** Fused kernel calls made for this batch. */
  kernelCalls = 0;
  readonly counters: Record<string, number> = {};
  /** BatchInfo.inputMetadata, by input stream id. */
  readonly inputMetadata: Record<number, unknown> = {};
  private resolveDone!: () => void;
  /** Settles (never rejects) when the batch has completed, failed or been cancelled. */
  readonly done: Promise<void> = new Promise((resolve) => {
    this.resolveDone = resolve;
  });

  constructor(
    readonly time: number,
    readonly submissionTime: number,
    readonly kernels: KernelsKind,
  ) {}

  addCounter(name: string, amount: number): void {
    this.counters[name] = (this.counters[name] ?? 0) + amount;
  }

  finish(): void {
    this.resolveDone();
  }

  info(): BatchInfo {
    const start = this.processingStartTime;
    const end = this.processingEndTime;
    const info: {
      -readonly [K in keyof BatchInfo]: BatchInfo[K];
    } = {
      batchTime: this.time,
      numRecords: this.numRecords,
      submissionTime: this.submissionTime,
      counters: { ...this.counters },
      kernels: this.kernels,
      kernelCalls: this.kernelCalls,
    };
    if (start !== undefined) {
      info.processingStartTime = start;
      info.schedulingDelay = start - this.submissionTime;
    }
    if (start !== undefined && end !== undefined) {
      info.processingEndTime = end;
      info.processingDelay = end - start;
      info.totalDelay = end - this.submissionTime;
    }
    if (Object.keys(this.inputMetadata).length > 0) info.inputMetadata = { ...this.inputMetadata };
    if (this.failure !== undefined) info.failure = this.failure;
    return info;
  }
}

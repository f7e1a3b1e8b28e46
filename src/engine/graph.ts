import type { DStream } from './dstream.js';
import type { InputDStream } from './input-dstream.js';

/** A job: one output operation for one batch time. */
export interface Job {
  readonly time: number;
  readonly outputStreamId: number;
  run(): Promise<void>;
}

/** The streams of one context: every stream, the inputs (fed per batch) and the outputs (which make jobs). */
export class DStreamGraph {
  private idCounter = 0;
  private readonly all: DStream<unknown>[] = [];
  private readonly inputs: InputDStream<unknown>[] = [];
  private readonly outputs: DStream<unknown>[] = [];

  nextStreamId(): number {
    return this.idCounter++;
  }

  addStream(stream: DStream<unknown>): void {
    this.all.push(stream);
  }

  addInputStream(stream: InputDStream<unknown>): void {
    this.inputs.push(stream);
  }

  addOutputStream(stream: DStream<unknown>): void {
    if (!this.outputs.includes(stream)) this.outputs.push(stream);
  }

  streams(): readonly DStream<unknown>[] {
    return this.all;
  }

  inputStreams(): readonly InputDStream<unknown>[] {
    return this.inputs;
  }

  outputStreams(): readonly DStream<unknown>[] {
    return this.outputs;
  }

  /**
   * Sets zero time and remember durations from the outputs up (Spark's
   * DStreamGraph.start); `minRememberMs` (ssc.remember) is the least any
   * stream keeps its batches.
   */
  initialize(zeroTime: number, minRememberMs = 0): void {
    for (const output of this.outputs) output.initialize(zeroTime);
    for (const output of this.outputs) output.remember(Math.max(minRememberMs, output.rememberDurationMs ?? output.slideDurationMs));
    // Inputs no output reaches are still fed, so their data is accounted for.
    for (const input of this.inputs) input.initialize(zeroTime);
    if (minRememberMs > 0) for (const input of this.inputs) input.remember(minRememberMs);
  }

  /** The output jobs of batch `time`, in the order the outputs were registered. */
  generateJobs(time: number): Job[] {
    const jobs: Job[] = [];
    for (const output of this.outputs) {
      const run = output.generateJob(time);
      if (run !== undefined) jobs.push({ time, outputStreamId: output.id, run });
    }
    return jobs;
  }

  /** Forgets batches no stream needs any more, once batch `time` is done. */
  clearMetadata(time: number): void {
    for (const output of this.outputs) output.clearMetadata(time);
    for (const input of this.inputs) input.clearMetadata(time);
  }
}

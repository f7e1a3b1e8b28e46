import { JobError } from '../errors.js';
import type { Clock } from './clock.js';
import type { DStreamGraph } from './graph.js';
import type { JobSet } from './job-set.js';
import type { ListenerBus } from './listener.js';
import { messageOf } from './receiver-supervisor.js';

/**
 * Runs batches one at a time, in submission (= batch time) order, and each
 * batch's output jobs in registration order. A job that throws fails its
 * batch: the rest of that batch's outputs are skipped, the listeners see the
 * failure in BatchInfo, and `onFailure` is told (the context then stops).
 * After-batch hooks run once all outputs of a batch succeeded, in order,
 * before the batch counts as completed; a throwing hook fails the batch too.
 */
/** Awaited after a batch's outputs succeeded (checkpoint writes, source offset commits). */
export type AfterBatchHook = (time: number) => void | Promise<void>;

export class JobScheduler {
  private readonly queue: JobSet[] = [];
  private readonly afterBatchHooks: AfterBatchHook[] = [];
  private current: JobSet | undefined;
  private draining: Promise<void> | undefined;
  private callingOutput = false;

  constructor(
    private readonly clock: Clock,
    private readonly graph: DStreamGraph,
    private readonly bus: ListenerBus,
    private readonly onFailure: (error: JobError) => void,
  ) {}

  addAfterBatchHook(hook: AfterBatchHook): void {
    this.afterBatchHooks.push(hook);
  }

  /** Queues a batch; the returned promise settles when it has run (or was cancelled). */
  submit(jobSet: JobSet): Promise<void> {
    this.queue.push(jobSet);
    this.bus.post('onBatchSubmitted', { batchInfo: jobSet.info() });
    this.draining ??= this.drain();
    return jobSet.done;
  }

  /**
   * True while an output job is being called, up to its first `await`: code
   * running now is that output's (e.g. an ssc.stop() inside foreachRDD).
   */
  get insideOutputCall(): boolean {
    return this.callingOutput;
  }

  /** The batch being processed now, else the oldest queued one. */
  activeJobSet(): JobSet | undefined {
    return this.current ?? this.queue[0];
  }

  /** Drops every queued batch that has not started (their `done` promises settle). */
  cancelPending(): void {
    for (const jobSet of this.queue.splice(0)) jobSet.finish();
  }

  /** Settles when no batch is running or queued. */
  async idle(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
        this.current = next;
        await this.run(next);
        this.current = undefined;
      }
    } finally {
      this.current = undefined;
      this.draining = undefined;
    }
  }

  private async run(jobSet: JobSet): Promise<void> {
    await this.awaitInputs(jobSet);
    jobSet.processingStartTime = this.clock.now();
    this.bus.post('onBatchStarted', { batchInfo: jobSet.info() });
    for (const job of jobSet.failure === undefined ? jobSet.jobs : []) {
      try {
        this.callingOutput = true;
        let running: Promise<void>;
        try {
          running = job.run();
        } finally {
          this.callingOutput = false;
        }
        await running;
      } catch (error) {
        jobSet.failure = new JobError(
          `Batch ${jobSet.time} failed in output operation of stream ${job.outputStreamId}: ${messageOf(error).replace(/\.$/, '')}. ` +
            'The context stops; fix what failed (see `cause`) and start again.',
          { cause: error },
        );
        break;
      }
    }
    for (const hook of jobSet.failure === undefined ? this.afterBatchHooks : []) {
      try {
        await hook(jobSet.time);
      } catch (error) {
        jobSet.failure = new JobError(`Batch ${jobSet.time} failed after its outputs: ${messageOf(error)}`, { cause: error });
        break;
      }
    }
    jobSet.processingEndTime = this.clock.now();
    if (jobSet.failure === undefined) this.graph.clearMetadata(jobSet.time);
    this.bus.post('onBatchCompleted', { batchInfo: jobSet.info() });
    if (jobSet.failure !== undefined) {
      this.cancelPending();
      this.onFailure(jobSet.failure);
    }
    jobSet.finish();
  }

  /** Inputs that read after batch time (Kafka) must have their data before the batch starts. */
  private async awaitInputs(jobSet: JobSet): Promise<void> {
    for (const read of jobSet.inputsRead) {
      try {
        jobSet.numRecords += await read;
      } catch (error) {
        jobSet.failure ??= new JobError(`Batch ${jobSet.time} could not read its input: ${messageOf(error).replace(/\.$/, '')}. The context stops; see \`cause\`.`, { cause: error });
      }
    }
  }
}

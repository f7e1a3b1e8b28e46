import type { Clock } from './clock.js';
import type { DStreamGraph } from './graph.js';
import type { JobScheduler } from './job-scheduler.js';
import { JobSet } from './job-set.js';
import { IllegalStateError, InvalidArgumentError, JobError } from '../errors.js';
import type { KernelsKind } from './kernels-choice.js';
import type { BatchInfo } from './listener.js';
import { messageOf } from './receiver-supervisor.js';

/**
 * Fires once per batch interval on the clock (Spark's JobGenerator +
 * RecurringTimer). At batch time t it fixes every input's data for t, makes
 * the output jobs and submits them. The timer task returns the batch's
 * completion, so `await manualClock.advance(ms)` waits for processing too.
 */
export class JobGenerator {
  private cancelTimer: (() => void) | undefined;
  private stopped = false;
  private lastTime: number | undefined;
  private nextTime: number | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly graph: DStreamGraph,
    private readonly scheduler: JobScheduler,
    private readonly jobSets: Map<number, JobSet>,
    private readonly kernelsKind: () => KernelsKind,
  ) {}

  /** Schedules the first batch at `firstTime` and one every interval after it. */
  start(firstTime: number): void {
    this.scheduleAt(firstTime);
  }

  /** No more timer-driven batches. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  /** Time of the last generated batch, undefined before the first. */
  get lastBatchTime(): number | undefined {
    return this.lastTime;
  }

  /**
   * Generates batch `time` (default: the next one) now instead of on the
   * timer, which then waits for the batch after it. Resolves with its BatchInfo once it has run.
   */
  runNow(time?: number): Promise<BatchInfo> {
    const next = this.nextTime;
    if (this.stopped || next === undefined) throw new IllegalStateError('No batches can be generated: the context is not running');
    const at = time ?? next;
    if (!Number.isInteger(at) || at < next || (at - next) % this.intervalMs !== 0) {
      throw new InvalidArgumentError(`runBatch needs a batch time on the grid at or after the next batch ${next} (every ${this.intervalMs} ms), got ${String(time)}`);
    }
    this.cancelTimer?.();
    this.scheduleAt(at + this.intervalMs);
    return this.generate(at);
  }

  /** Generates and submits batch `time` now (the timer does this; so do runNow and a graceful stop for its last batch). */
  generate(time: number): Promise<BatchInfo> {
    this.lastTime = time;
    const jobSet = new JobSet(time, this.clock.now(), this.kernelsKind());
    this.jobSets.set(time, jobSet);
    try {
      for (const input of this.graph.inputStreams()) {
        const records = input.allocate(time);
        if (typeof records === 'number') jobSet.numRecords += records;
        else {
          // Handled now so a failed read waiting behind earlier batches is not an unhandled rejection; the scheduler awaits it.
          records.catch(() => undefined);
          jobSet.inputsRead.push(records);
        }
      }
      jobSet.jobs = this.graph.generateJobs(time);
    } catch (error) {
      // Submitted anyway, so the failure takes the same path as a failing output.
      jobSet.failure = new JobError(`Batch ${time} could not be generated: ${messageOf(error)}`, { cause: error });
    }
    const done = this.scheduler.submit(jobSet);
    return done.then(() => {
      this.jobSets.delete(time);
      return jobSet.info();
    });
  }

  private scheduleAt(time: number): void {
    if (this.stopped) return;
    this.nextTime = time;
    this.cancelTimer = this.clock.schedule(time, () => {
      if (this.stopped) return undefined;
      this.scheduleAt(time + this.intervalMs);
      return this.generate(time).then(() => undefined);
    });
  }
}

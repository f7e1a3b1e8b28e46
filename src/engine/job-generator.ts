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
 *
 * Catching up. When the timer fires for a time t that is already behind the
 * clock by more than an interval (a restart after downtime, a stalled
 * process), Spark generates every missed batch at once: after a day at 10 ms
 * that is 8.64 M queued batches. Here, when no input might have data
 * (InputDStream.mightHaveData) and t is not a batch recorded as pending in
 * the checkpoint, every overdue time up to the latest due one is skipped:
 * those batches would all be cut now, and all but the first would be empty
 * anyway. Skipped batches run no outputs; operators see the next generated
 * batch at its real time, so windows hold exactly what they hold at that
 * time and state timeouts measure real time. Recorded pending batches are
 * never skipped, so a recovery re-runs them exactly.
 */
export class JobGenerator {
  private cancelTimer: (() => void) | undefined;
  private stopped = false;
  private lastTime: number | undefined;
  private nextTime: number | undefined;
  private zeroTime = 0;
  /** Batch times generated before a crash and not completed (from the checkpoint), ascending; never skipped. */
  private recorded: number[] = [];
  private skipped = 0;
  /** Generated batches that have not completed successfully (running, queued, cancelled by a stop, or failed). */
  private readonly unfinished = new Set<number>();

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly graph: DStreamGraph,
    private readonly scheduler: JobScheduler,
    private readonly jobSets: Map<number, JobSet>,
    private readonly kernelsKind: () => KernelsKind,
  ) {}

  /**
   * Schedules the first batch at `firstTime` and one every interval after it
   * (batch times are `zeroTime` + multiples of the interval); `pendingTimes`
   * are batches a recovered run must generate even when they are overdue.
   */
  start(firstTime: number, zeroTime: number, pendingTimes: readonly number[] = []): void {
    this.zeroTime = zeroTime;
    this.recorded = pendingTimes.filter((t) => t >= firstTime).sort((a, b) => a - b);
    this.scheduleAt(firstTime);
  }

  /** Batches generated after `time` that have not completed successfully, ascending (a checkpoint at `time` records them as pending). */
  unfinishedAfter(time: number): number[] {
    return [...this.unfinished].filter((t) => t > time).sort((a, b) => a - b);
  }

  /** Overdue batch times skipped because no input might have had data for them (see the class comment). */
  get skippedBatches(): number {
    return this.skipped;
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
    while (this.recorded[0] !== undefined && this.recorded[0] <= time) this.recorded.shift();
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
    this.unfinished.add(time);
    const done = this.scheduler.submit(jobSet);
    return done.then(() => {
      this.jobSets.delete(time);
      if (jobSet.processingEndTime !== undefined && jobSet.failure === undefined) this.unfinished.delete(time);
      return jobSet.info();
    });
  }

  private scheduleAt(time: number): void {
    if (this.stopped) return;
    this.nextTime = time;
    this.cancelTimer = this.clock.schedule(time, () => {
      if (this.stopped) return undefined;
      const batchTime = this.catchUp(time);
      this.scheduleAt(batchTime + this.intervalMs);
      return this.generate(batchTime).then(() => undefined);
    });
  }

  /** The time to generate when the timer fires for `time`: `time`, or a later overdue time when the ones before it would be empty. */
  private catchUp(time: number): number {
    const latestDue = this.zeroTime + Math.floor((this.clock.now() - this.zeroTime) / this.intervalMs) * this.intervalMs;
    if (time >= latestDue || this.recorded[0] === time) return time;
    if (this.graph.inputStreams().some((input) => input.mightHaveData())) return time;
    const next = Math.min(latestDue, this.recorded[0] ?? Infinity);
    this.skipped += (next - time) / this.intervalMs;
    return next;
  }
}

import { InvalidArgumentError } from '../errors.js';
import type { Clock } from './clock.js';

interface ScheduledTask {
  readonly at: number;
  readonly seq: number;
  readonly task: () => void | Promise<void>;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to, for deterministic tests.
 *
 * `advance(ms)` / `setTime(t)` run every task due up to the target time in
 * time order (ties in scheduling order), setting `now()` to each task's time
 * while it runs and awaiting the promise it returns before running the next
 * one. Tasks scheduled by a running task are honoured in the same call when
 * they fall inside the step. So `await clock.advance(3000)` returns once the
 * three batches of a 1 s context have been generated AND processed.
 */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private tasks: ScheduledTask[] = [];
  private moving: Promise<void> = Promise.resolve();

  constructor(startTime = 0) {
    this.time = startTime;
  }

  now(): number {
    return this.time;
  }

  schedule(at: number, task: () => void | Promise<void>): () => void {
    const entry: ScheduledTask = { at, seq: this.seq++, task, cancelled: false };
    this.tasks.push(entry);
    return () => {
      entry.cancelled = true;
    };
  }

  /** Moves time forward by `ms`, running (and awaiting) every task that falls due. */
  advance(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new InvalidArgumentError(`ManualClock.advance needs a finite, non-negative number of ms, got ${ms}`);
    }
    return this.enqueue(() => this.time + ms);
  }

  /** Moves time to `time` (never backwards), running every task that falls due. */
  setTime(time: number): Promise<void> {
    if (!Number.isFinite(time)) {
      throw new InvalidArgumentError(`ManualClock.setTime needs a finite time, got ${time}`);
    }
    return this.enqueue(() => {
      if (time < this.time) {
        throw new InvalidArgumentError(`ManualClock cannot go back in time (now ${this.time}, asked ${time})`);
      }
      return time;
    });
  }

  /** Number of tasks scheduled and not yet run or cancelled. */
  get pendingTasks(): number {
    return this.tasks.filter((t) => !t.cancelled).length;
  }

  /** Calls to advance/setTime are serialised so overlapping steps cannot interleave. */
  private enqueue(target: () => number): Promise<void> {
    const step = this.moving.then(() => this.runUntil(target()));
    this.moving = step.catch(() => undefined);
    return step;
  }

  private async runUntil(target: number): Promise<void> {
    for (;;) {
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.time = Math.max(this.time, next.at);
      await next.task();
    }
    this.time = target;
  }

  private nextDue(target: number): ScheduledTask | undefined {
    this.tasks = this.tasks.filter((t) => !t.cancelled);
    let best: ScheduledTask | undefined;
    for (const t of this.tasks) {
      if (t.at > target) continue;
      if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    if (best !== undefined) best.cancelled = true;
    return best;
  }
}

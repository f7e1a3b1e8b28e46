import { InvalidArgumentError } from '../errors.js';
import type { Clock } from './clock.js';

interface ScheduledTask {
  readonly at: number;
  readonly seq: number;
  readonly task: () => void | Promise<void>;
  cancelled: boolean;
}

/** One macrotask turn: every promise chain not waiting on I/O or timers has settled after it. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/**
 * A clock that only moves when told to, for deterministic tests, and for
 * runtimes whose timers stop between requests (edge runtimes): there it
 * never fires by itself, and `ssc.runBatch()` runs each batch in a request.
 *
 * `advance(ms)` / `setTime(t)` run every task due up to the target time in
 * time order (ties in scheduling order), with `now()` set to each task's
 * time while it runs. After each task, the work it triggered (e.g. a batch
 * job) runs until it settles, or until it is blocked on something else: if
 * it has not settled after one macrotask turn and another task is due, time
 * moves on to that task (so a job may wait on this clock, e.g. to take
 * 1500 ms of processing time, and the next batch queues up behind it, as in
 * production). Before returning, advance waits for all triggered work to
 * settle. So `await clock.advance(3000)` returns once the batches of a 1 s
 * context up to 3000 have been generated AND processed.
 *
 * Caveat: work that waits for a time beyond the target keeps advance
 * waiting; advance far enough. Tasks scheduled by running tasks are honoured
 * in the same step when they fall inside it.
 */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private tasks: ScheduledTask[] = [];
  private moving: Promise<void> = Promise.resolve();
  private target: number | undefined;
  private wake: (() => void) | undefined;

  constructor(startTime = 0) {
    this.time = startTime;
  }

  now(): number {
    return this.time;
  }

  schedule(at: number, task: () => void | Promise<void>): () => void {
    const entry: ScheduledTask = { at, seq: this.seq++, task, cancelled: false };
    this.tasks.push(entry);
    if (this.target !== undefined && at <= this.target) this.wake?.();
    return () => {
      entry.cancelled = true;
    };
  }

  /** Moves time forward by `ms`, running every task that falls due (see the class comment). */
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
    this.target = target;
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    try {
      for (;;) {
        const next = this.nextDue(target);
        if (next === undefined) {
          if (inFlight.size === 0) break;
          await this.settledOrWoken(Promise.all(inFlight).then(() => undefined));
          await nextTurn();
          continue;
        }
        this.time = Math.max(this.time, next.at);
        let work: Promise<void>;
        try {
          work = Promise.resolve(next.task());
        } catch (error) {
          work = Promise.reject(error);
        }
        const tracked: Promise<void> = work.then(
          () => void inFlight.delete(tracked),
          (error: unknown) => {
            inFlight.delete(tracked);
            failure ??= { error };
          },
        );
        inFlight.add(tracked);
        const settled = await Promise.race([tracked.then(() => true), nextTurn().then(() => false)]);
        if (!settled && !this.hasDue(target)) await this.settledOrWoken(tracked);
        // Let what the task released (e.g. a job waiting for this time) run before time moves on.
        await nextTurn();
      }
    } finally {
      this.target = undefined;
      this.wake = undefined;
    }
    this.time = target;
    if (failure !== undefined) throw failure.error;
  }

  /** Resolves when `work` settles or a task due within the step is scheduled. */
  private settledOrWoken(work: Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      void work.then(resolve, resolve);
    }).finally(() => {
      this.wake = undefined;
    });
  }

  private hasDue(target: number): boolean {
    return this.tasks.some((t) => !t.cancelled && t.at <= target);
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

/**
 * Time source for the engine. Everything that waits (batch timers, receiver
 * restart delays, awaitTermination timeouts) goes through a Clock, so tests
 * swap in a ManualClock and drive time explicitly, with no sleeps.
 */
export interface Clock {
  /** Milliseconds since the epoch (or since the manual clock's origin). */
  now(): number;
  /**
   * Runs `task` once the clock reaches `at` (immediately-ish when `at` is
   * already past). The task may return a promise: a ManualClock's `advance`
   * waits for it, so a test can await all the work a time step triggers.
   * Returns a function that cancels the task if it has not run yet.
   */
  schedule(at: number, task: () => void | Promise<void>): () => void;
}

/** The longest single setTimeout: runtimes fire a longer one at once (Node warns TimeoutOverflowWarning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Wall-clock time through Date.now and setTimeout (available on every runtime sluice targets). */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  schedule(at: number, task: () => void | Promise<void>): () => void {
    let cancelled = false;
    let handle: ReturnType<typeof setTimeout> | undefined;
    const arm = (): void => {
      // Timers may fire a millisecond early, and a wait over MAX_TIMER_MS takes several timers: re-arm until the time has really come.
      const wait = at - Date.now();
      if (wait > 0) {
        handle = setTimeout(() => {
          if (!cancelled) arm();
        }, Math.min(wait, MAX_TIMER_MS));
        return;
      }
      void Promise.resolve()
        .then(task)
        .catch(() => undefined);
    };
    arm();
    return () => {
      cancelled = true;
      if (handle !== undefined) clearTimeout(handle);
    };
  }
}

/**
 * Jittered exponential backoff for reconnect loops ("equal jitter": half the
 * delay is fixed, half random), so many clients losing the same server do not
 * come back in lock-step.
 */

import { InvalidArgumentError } from '../errors.js';
import { describeValue } from '../arguments.js';

/** The reconnect delays of socketTextStream (see Backoff). */
export interface BackoffOptions {
  /** First delay. Default 100 ms. */
  readonly initialDelayMs?: number;
  /** Ceiling for the delay. Default 5 s. */
  readonly maxDelayMs?: number;
  /** Source of randomness in [0, 1); injectable for deterministic tests. */
  readonly random?: () => number;
}

/** Jittered exponential backoff between reconnect attempts. */
export class Backoff {
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly random: () => number;
  private failures = 0;

  constructor(options: BackoffOptions = {}) {
    for (const name of ['initialDelayMs', 'maxDelayMs'] as const) {
      const value = options[name];
      // NaN would make every delay NaN, which timers run at once: a reconnect loop with no pause.
      if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 2 ** 31 - 1)) {
        throw new InvalidArgumentError(`${name} must be a number of milliseconds from 0 to 2^31 - 1, e.g. ${name === 'initialDelayMs' ? 100 : 5000}; got ${describeValue(value)}`);
      }
    }
    this.initialDelayMs = Math.max(1, options.initialDelayMs ?? 100);
    this.maxDelayMs = Math.max(this.initialDelayMs, options.maxDelayMs ?? 5000);
    this.random = options.random ?? Math.random;
  }

  /** Consecutive failures since the last success. */
  get attempts(): number {
    return this.failures;
  }

  /** Delay before the next attempt; each call counts one more failure. */
  nextDelayMs(): number {
    const exponent = Math.min(this.failures, 30);
    this.failures++;
    const ceiling = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** exponent);
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  reset(): void {
    this.failures = 0;
  }
}

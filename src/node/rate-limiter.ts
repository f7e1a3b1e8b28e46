/**
 * A token bucket for records per second (Spark's receiver rate limit,
 * `spark.streaming.receiver.maxRate`). Tokens accrue continuously at `rate`
 * per second up to a burst of a tenth of a second's worth (at least one), so
 * records flow evenly rather than in one-second lumps. The rate can change
 * while running (backpressure lowers and raises it).
 */

import { InvalidArgumentError } from '../errors.js';

/** A token bucket of lines per second (Spark's receiver.maxRate). */
export class RateLimiter {
  private rate: number;
  private tokens: number;
  private last: number;
  private readonly now: () => number;

  constructor(ratePerSecond: number, now: () => number = () => performance.now()) {
    this.now = now;
    this.rate = checkRate(ratePerSecond);
    this.tokens = this.burst();
    this.last = now();
  }

  get ratePerSecond(): number {
    return this.rate;
  }

  setRate(ratePerSecond: number): void {
    this.refill();
    this.rate = checkRate(ratePerSecond);
    this.tokens = Math.min(this.tokens, this.burst());
  }

  /** Takes one token if there is one. */
  tryTake(): boolean {
    if (this.tokens < 1) this.refill();
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  /** Takes as many whole tokens as there are, up to `n`; returns how many. */
  takeUpTo(n: number): number {
    this.refill();
    const taken = Math.max(0, Math.min(n, Math.floor(this.tokens)));
    this.tokens -= taken;
    return taken;
  }

  /**
   * Takes `n` tokens at once, going into debt when there are fewer (a
   * WebSocket frame holds many records and cannot be split); returns the
   * milliseconds until the debt is paid back (0 when there was no debt).
   */
  spend(n: number): number {
    this.refill();
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.rate);
  }

  /** Milliseconds until the next token (0 when one is available now). */
  msUntilNext(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) * 1000) / this.rate);
  }

  private burst(): number {
    return Math.max(1, this.rate / 10);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst(), this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }
}

function checkRate(rate: number): number {
  if (!(rate > 0 && Number.isFinite(rate))) throw new InvalidArgumentError(`maxRatePerSecond must be a positive number of records per second, got ${rate}`);
  return rate;
}

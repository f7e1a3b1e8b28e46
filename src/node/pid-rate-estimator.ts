/**
 * Spark's PIDRateEstimator (spark.streaming.backpressure): after each batch,
 * the ingestion rate (records/s) that would keep processing in step with the
 * batch interval. A PID controller on
 *   error            = current rate − processing rate (records/s the last batch was processed at)
 *   historical error = scheduling delay × processing rate / batch interval
 *                      (the backlog, expressed as a rate)
 * with Spark's defaults (proportional 1, integral 0.2, derivative 0, floor
 * 100 records/s). The first batch only measures, as in Spark.
 *
 * Pure arithmetic on BatchInfo figures (no I/O), so it runs anywhere.
 */

import { InvalidArgumentError } from '../errors.js';

/** Tuning of the PID rate estimator (Spark's spark.streaming.backpressure.pid.*). */
export interface PidRateEstimatorOptions {
  readonly proportional?: number;
  readonly integral?: number;
  readonly derivative?: number;
  /** The rate is never set below this (records/s). Default 100. */
  readonly minRate?: number;
}

/** Spark's PIDRateEstimator: the ingestion rate that lets batches finish within the batch interval. */
export class PidRateEstimator {
  private readonly batchIntervalMs: number;
  private readonly proportional: number;
  private readonly integral: number;
  private readonly derivative: number;
  private readonly minRate: number;
  private firstRun = true;
  private latestTime = -1;
  private latestRate = -1;
  private latestError = -1;

  constructor(batchIntervalMs: number, options: PidRateEstimatorOptions = {}) {
    this.batchIntervalMs = batchIntervalMs;
    this.proportional = options.proportional ?? 1;
    this.integral = options.integral ?? 0.2;
    this.derivative = options.derivative ?? 0;
    this.minRate = options.minRate ?? 100;
    if (!(batchIntervalMs > 0)) throw new InvalidArgumentError(`batchIntervalMs must be positive, got ${batchIntervalMs}`);
    for (const [name, value] of [['proportional', this.proportional], ['integral', this.integral], ['derivative', this.derivative]] as const) {
      if (!(value >= 0)) throw new InvalidArgumentError(`${name} gain must be >= 0, got ${value}`);
    }
    if (!(this.minRate > 0)) throw new InvalidArgumentError(`minRate must be > 0, got ${this.minRate}`);
  }

  /**
   * The new rate after a batch that ended at `timeMs` (clock ms) with
   * `records` records, or undefined when there is nothing to learn from it
   * (the first batch, an empty batch, an instant batch, an old time).
   */
  compute(timeMs: number, records: number, processingDelayMs: number, schedulingDelayMs: number): number | undefined {
    if (!(timeMs > this.latestTime && records > 0 && processingDelayMs > 0)) return undefined;
    const secondsSinceUpdate = (timeMs - this.latestTime) / 1000;
    const processingRate = (records / processingDelayMs) * 1000;
    const error = this.latestRate - processingRate;
    const historicalError = (schedulingDelayMs * processingRate) / this.batchIntervalMs;
    const dError = (error - this.latestError) / secondsSinceUpdate;
    const newRate = Math.max(this.latestRate - this.proportional * error - this.integral * historicalError - this.derivative * dError, this.minRate);
    this.latestTime = timeMs;
    if (this.firstRun) {
      this.latestRate = processingRate;
      this.latestError = 0;
      this.firstRun = false;
      return undefined;
    }
    this.latestRate = newRate;
    this.latestError = error;
    return newRate;
  }
}

/**
 * Backpressure for receivers (Spark's `spark.streaming.backpressure.enabled`):
 * a StreamingListener that feeds every completed batch's figures to a
 * PidRateEstimator and sets the estimated rate as the receivers' limit, so
 * when input outpaces processing the scheduling delay stays bounded (the
 * excess waits in the sender and the OS buffers, not in memory here).
 *
 * The rate is shared evenly between the receivers, and never exceeds a
 * configured `maxRatePerSecond` (Spark's receiver.maxRate).
 */

import type { StreamingListener, BatchInfo } from '../engine/listener.js';
import type { StreamingContext } from '../engine/streaming-context.js';
import type { RateControlled } from './line-intake.js';
import { PidRateEstimator, type PidRateEstimatorOptions } from './pid-rate-estimator.js';

/** Options of backpressure: the PID tuning and a ceiling. */
export interface BackpressureOptions extends PidRateEstimatorOptions {
  /** Upper bound for the total rate (records/s); default none. */
  readonly maxRatePerSecond?: number;
}

/** Adapts the rate of rate-controlled receivers to how fast batches complete (Spark's backpressure). */
export class BackpressureController implements StreamingListener {
  private readonly estimator: PidRateEstimator;
  private readonly receivers: readonly RateControlled[];
  private readonly maxRate: number | undefined;
  private current: number | undefined;

  constructor(batchIntervalMs: number, receivers: readonly RateControlled[], options: BackpressureOptions = {}) {
    this.estimator = new PidRateEstimator(batchIntervalMs, options);
    this.receivers = receivers;
    this.maxRate = options.maxRatePerSecond;
  }

  /** The total rate last set (records/s), undefined before the first estimate. */
  get rate(): number | undefined {
    return this.current;
  }

  onBatchCompleted({ batchInfo }: { readonly batchInfo: BatchInfo }): void {
    const { processingEndTime, processingDelay, schedulingDelay, numRecords } = batchInfo;
    if (processingEndTime === undefined || processingDelay === undefined || batchInfo.failure !== undefined) return;
    const estimate = this.estimator.compute(processingEndTime, numRecords, processingDelay, schedulingDelay ?? 0);
    if (estimate === undefined) return;
    const total = this.maxRate === undefined ? estimate : Math.min(estimate, this.maxRate);
    this.current = total;
    for (const receiver of this.receivers) receiver.setMaxRate(total / this.receivers.length);
  }
}

/** Turns backpressure on for `receivers` of `ssc` (call before start()). */
export function enableBackpressure(ssc: StreamingContext, receivers: readonly RateControlled[], options: BackpressureOptions = {}): BackpressureController {
  const controller = new BackpressureController(ssc.batchIntervalMs, receivers, options);
  ssc.addStreamingListener(controller);
  return controller;
}

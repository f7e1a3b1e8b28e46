import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PidRateEstimator } from '../../src/node/pid-rate-estimator.js';
import { BackpressureController } from '../../src/node/backpressure.js';
import type { BatchInfo } from '../../src/engine/listener.js';

test('the first batch only measures; an empty or instant batch teaches nothing', () => {
  const pid = new PidRateEstimator(1000);
  assert.equal(pid.compute(1000, 0, 100, 0), undefined);
  assert.equal(pid.compute(1000, 1000, 0, 0), undefined);
  assert.equal(pid.compute(1000, 1000, 500, 0), undefined, 'first run');
  assert.equal(pid.compute(900, 1000, 500, 0), undefined, 'older time');
});

test('a steady pipeline keeps its rate; slower processing and a backlog lower it', () => {
  const pid = new PidRateEstimator(1000);
  pid.compute(1000, 1000, 500, 0); // 2000 records/s measured
  assert.equal(pid.compute(2000, 1000, 500, 0), 2000, 'processing exactly at the current rate');
  // Processing slows to 1000/s: proportional term pulls the rate down by the error.
  assert.equal(pid.compute(3000, 1000, 1000, 0), 1000);
  // Same speed but 500 ms of scheduling delay: the backlog term (0.2 × 500 × 1000 / 1000) lowers it further.
  assert.equal(pid.compute(4000, 1000, 1000, 500), 900);
});

test('the rate never falls below the floor', () => {
  const pid = new PidRateEstimator(1000, { minRate: 100 });
  pid.compute(1000, 10, 1000, 0);
  assert.equal(pid.compute(2000, 10, 1000, 100_000), 100);
});

test('gains are validated', () => {
  assert.throws(() => new PidRateEstimator(0), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  assert.throws(() => new PidRateEstimator(1000, { integral: -1 }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  assert.throws(() => new PidRateEstimator(1000, { minRate: 0 }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
});

function completed(time: number, records: number, processingDelay: number, schedulingDelay: number): { batchInfo: BatchInfo } {
  return {
    batchInfo: { batchTime: time, numRecords: records, submissionTime: time, processingEndTime: time + processingDelay, processingDelay, schedulingDelay, counters: {}, kernels: 'none', kernelCalls: 0 },
  };
}

test('the controller shares the estimate between receivers and respects the configured maximum', () => {
  const rates: (number | undefined)[][] = [[], []];
  const receivers = rates.map((log) => ({ maxRatePerSecond: undefined, setMaxRate: (rate: number | undefined) => void log.push(rate) }));
  const controller = new BackpressureController(1000, receivers, { maxRatePerSecond: 1500 });
  controller.onBatchCompleted(completed(1000, 1000, 500, 0));
  assert.deepEqual(rates, [[], []], 'nothing after the first batch');
  controller.onBatchCompleted(completed(2000, 1000, 1000, 0));
  assert.deepEqual(rates, [[500], [500]], '1000/s estimated, split in two');
  controller.onBatchCompleted(completed(3000, 5000, 1000, 0));
  assert.equal(controller.rate, 1500, 'capped at the maximum');
  assert.deepEqual(rates, [[500, 750], [500, 750]]);
});

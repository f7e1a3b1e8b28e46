import { test } from 'node:test';
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { BatchInfo } from '../../../src/index.js';
import { batchMetricsListener } from '../../../src/node/serve/batch-metrics.js';
import { MetricsRegistry } from '../../../src/node/serve/metrics-registry.js';
import type { ScaleOutMetrics } from '../../../src/node/kafka/scale-out/scale-out-metrics.js';

function batch(time: number, inputMetadata?: Record<number, unknown>): BatchInfo {
  return { batchTime: time, numRecords: 0, submissionTime: time, counters: {}, kernels: 'none', kernelCalls: 0, ...(inputMetadata === undefined ? {} : { inputMetadata }) };
}

test('a Kafka scale-out process exposes its partitions, rebalances, resets and restores from the last batch that reported them', () => {
  const registry = new MetricsRegistry();
  const listener = batchMetricsListener(registry);
  const values = (): Record<string, number> =>
    Object.fromEntries(parsePrometheusTextFormat(registry.exposition()).filter((f) => f.name.startsWith('sluice_kafka_')).map((f) => [f.name, Number(f.metrics[0]?.value)]));
  assert.deepEqual(values(), {
    sluice_kafka_owned_partitions: 0, sluice_kafka_rebalances_total: 0, sluice_kafka_resets_total: 0,
    sluice_kafka_restored_records_total: 0, sluice_kafka_restored_bytes_total: 0, sluice_kafka_restore_seconds_total: 0,
  });
  const scaleOut: ScaleOutMetrics = { ownedPartitions: [0, 3, 4], rebalances: 2, resets: 1, restores: 2, restoredRecords: 1500, restoredBytes: 60_000, restoreMs: 250, transactionalId: 'sluice-g-00000001-1' };
  listener.onBatchCompleted?.({ batchInfo: batch(1000, { 0: { records: 5, lag: 0, offsetRanges: [], scaleOut } }) });
  // A batch of another input (no scale-out metadata) leaves the figures as they were.
  listener.onBatchCompleted?.({ batchInfo: batch(2000, { 1: null }) });
  assert.deepEqual(values(), {
    sluice_kafka_owned_partitions: 3, sluice_kafka_rebalances_total: 2, sluice_kafka_resets_total: 1,
    sluice_kafka_restored_records_total: 1500, sluice_kafka_restored_bytes_total: 60_000, sluice_kafka_restore_seconds_total: 0.25,
  });
});

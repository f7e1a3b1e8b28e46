/**
 * The per-batch metrics every sluice server exposes (`sluice serve` and the
 * `--ui` dashboard of the CLI commands), fed by a StreamingListener from each
 * completed batch's BatchInfo, so /metrics and the dashboard agree with what
 * the listeners see.
 */

import type { BatchInfo, StreamingListener } from '../../engine/listener.js';
import { MALFORMED_RECORDS_COUNTER } from '../../stream/flat-map-dstream.js';
import type { MetricsRegistry } from './metrics-registry.js';
import type { ScaleOutMetrics } from '../kafka/scale-out/scale-out-metrics.js';

/** Seconds; batch delays from a millisecond to two minutes. */
export const DELAY_BUCKETS_SECONDS: readonly number[] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function batchMetricsListener(registry: MetricsRegistry): StreamingListener {
  const batches = registry.counter('sluice_batches_total', 'Batches completed.');
  const failed = registry.counter('sluice_batches_failed_total', 'Batches whose outputs failed.');
  const records = registry.counter('sluice_batch_records_total', 'Records processed in completed batches (sum of BatchInfo.numRecords).');
  const malformed = registry.counter('sluice_malformed_records_total', 'Records a parser skipped as malformed (BatchInfo counter malformedRecords).');
  const tooLong = registry.counter('sluice_dropped_too_long_records_total', 'Records dropped by the receiver as longer than the record size limit.');
  const lastTime = registry.gauge('sluice_last_batch_time_ms', 'Batch time of the last completed batch, in clock milliseconds.');
  const processing = registry.histogram('sluice_processing_delay_seconds', 'Time to process a batch (BatchInfo.processingDelay).', DELAY_BUCKETS_SECONDS);
  const scheduling = registry.histogram('sluice_scheduling_delay_seconds', 'Time a batch waited behind earlier ones (BatchInfo.schedulingDelay).', DELAY_BUCKETS_SECONDS);
  const total = registry.histogram('sluice_total_delay_seconds', 'Scheduling plus processing delay (BatchInfo.totalDelay).', DELAY_BUCKETS_SECONDS);
  // Kafka scale-out (a direct stream's BatchInfo.inputMetadata[id].scaleOut): this process's share of its group.
  let scaleOut: ScaleOutMetrics | undefined;
  registry.gauge('sluice_kafka_owned_partitions', 'Kafka scale-out: partitions (tasks) this process owns.', () => scaleOut?.ownedPartitions.length ?? 0);
  registry.counter('sluice_kafka_rebalances_total', 'Kafka scale-out: assignment changes applied (partitions gained or lost).', () => scaleOut?.rebalances ?? 0);
  registry.counter('sluice_kafka_resets_total', 'Kafka scale-out: times this process was fenced and restarted from the committed state.', () => scaleOut?.resets ?? 0);
  registry.counter('sluice_kafka_restored_records_total', 'Kafka scale-out: changelog records read to restore state.', () => scaleOut?.restoredRecords ?? 0);
  registry.counter('sluice_kafka_restored_bytes_total', 'Kafka scale-out: changelog bytes read to restore state.', () => scaleOut?.restoredBytes ?? 0);
  registry.counter('sluice_kafka_restore_seconds_total', 'Kafka scale-out: time spent restoring state from changelogs.', () => (scaleOut?.restoreMs ?? 0) / 1000);
  return {
    onBatchCompleted: ({ batchInfo }: { readonly batchInfo: BatchInfo }) => {
      batches.inc();
      if (batchInfo.failure !== undefined) failed.inc();
      records.inc(batchInfo.numRecords);
      malformed.inc(batchInfo.counters[MALFORMED_RECORDS_COUNTER] ?? 0);
      tooLong.inc(batchInfo.counters['droppedTooLongRecords'] ?? 0);
      lastTime.set(batchInfo.batchTime);
      if (batchInfo.processingDelay !== undefined) processing.observe(batchInfo.processingDelay / 1000);
      if (batchInfo.schedulingDelay !== undefined) scheduling.observe(batchInfo.schedulingDelay / 1000);
      if (batchInfo.totalDelay !== undefined) total.observe(batchInfo.totalDelay / 1000);
      for (const metadata of Object.values(batchInfo.inputMetadata ?? {})) {
        const found = (metadata as { scaleOut?: ScaleOutMetrics } | null)?.scaleOut;
        if (found !== undefined) scaleOut = found;
      }
    },
  };
}

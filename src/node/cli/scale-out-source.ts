/**
 * The CLI's scale-out mode: a command that keeps state (`wordcount
 * --state` or `--window`, `orders`) over Kafka shares the topic with every process started
 * with the same --group (see kafka/scale-out/scale-out-group.ts). Its pairs go
 * through a repartition topic to the process owning each key, the state lives
 * in changelog topics, and each batch commits exactly once; starting the same
 * command again is all it takes to add a process.
 */
import type { DStream } from '../../engine/dstream.js';
import type { BatchInfo } from '../../engine/listener.js';
import type { StreamingContext } from '../../engine/streaming-context.js';
import { InvalidArgumentError } from '../../errors.js';
import type { KafkaBatchMetadata } from '../kafka/direct-stream.js';
import { kafkaDirectStream } from '../kafka/direct-stream.js';
import { kafkaValues } from '../kafka/kafka-values.js';
import { repartitionThroughKafka } from '../kafka/scale-out/repartition-through-kafka.js';
import type { ScaleOutMetrics } from '../kafka/scale-out/scale-out-metrics.js';
import { toKafka } from '../kafka/to-kafka.js';
import type { InputSource, KafkaSettings, SourceSettings } from './source-options.js';

/** A command running scaled out; `command` names its repartition topic. */
export interface ScaleOutSource {
  readonly command: string;
}

/** Scale-out when the command reads Kafka and keeps state (running or windowed); refuses options that do not apply then. */
export function scaleOutOf(command: string, settings: SourceSettings, stateful: boolean): ScaleOutSource | undefined {
  const kafka = settings.kafka;
  if (kafka === undefined) return undefined;
  if (!stateful) {
    if (kafka.sessionTimeoutMs !== undefined) throw new InvalidArgumentError(`sluice ${command}: --session-timeout only applies to state over Kafka (e.g. --state or --window), which scales out.`);
    return undefined;
  }
  const refuse = (what: string, why: string): never => {
    throw new InvalidArgumentError(`sluice ${command}: with --kafka, state scales out (every process started with --group ${kafka.groupId} shares the topic; state lives in Kafka changelog topics), so ${what} ${why}`);
  };
  if (settings.checkpointDir !== undefined) refuse('--checkpoint', 'does not apply: leave it out (a restarted process restores its partitions\' state from the changelogs).');
  if (kafka.startingOffsets !== 'committed') refuse('--starting-offsets', "does not apply: each partition starts at the group's committed offset (a new group at the beginning).");
  return { command };
}

export function scaleOutSource(ssc: StreamingContext, kafka: KafkaSettings, settings: SourceSettings, scaleOut: ScaleOutSource): InputSource {
  const { brokers, topics, groupId, toTopic } = kafka;
  const records = kafkaDirectStream(ssc, {
    brokers,
    topics,
    groupId,
    resetOffsets: 'earliest',
    scaleOut: kafka.sessionTimeoutMs === undefined ? true : { sessionTimeoutMs: kafka.sessionTimeoutMs },
    ...(kafka.maxRatePerPartition === undefined ? {} : { maxRatePerPartition: kafka.maxRatePerPartition }),
    ...(settings.backpressure === true ? { backpressure: true } : {}),
  });
  const lines = kafkaValues(records, settings.maxLineBytes === undefined ? {} : { maxRecordBytes: settings.maxLineBytes });
  const description = `Kafka ${topics.join(',')} at ${brokers} (group ${groupId}, scaled out: partitions and state shared with every process of the group${toTopic === undefined ? '' : `, results to ${toTopic}, exactly once`})`;
  let last: ScaleOutMetrics | undefined;
  const batchNote = (info: BatchInfo): string | undefined => {
    const metrics = (info.inputMetadata?.[records.id] as KafkaBatchMetadata | undefined)?.scaleOut;
    if (metrics === undefined) return undefined;
    const news = last === undefined || metrics.rebalances !== last.rebalances || metrics.resets !== last.resets;
    last = metrics;
    return news ? scaleOutNote(groupId, metrics) : undefined;
  };
  return {
    lines,
    description,
    byKey: (pairs) => repartitionThroughKafka(pairs, { topic: `${groupId}-${scaleOut.command}-repartition` }),
    batchNote,
    ...(toTopic === undefined ? {} : { output: (results: DStream<readonly [string, number]>) => toKafka(results, toTopic) }),
  };
}

/** `group G: partitions 0,2,4 (rebalances 2, resets 0; restored 1,234 records, 56 KiB in 120 ms)`. */
export function scaleOutNote(groupId: string, m: ScaleOutMetrics): string {
  const owned = m.ownedPartitions.length === 0 ? 'no partitions yet' : `partitions ${m.ownedPartitions.join(',')}`;
  const kib = (m.restoredBytes / 1024).toFixed(1);
  return `group ${groupId}: ${owned} (rebalances ${m.rebalances}, resets ${m.resets}; restored ${m.restoredRecords} state records, ${kib} KiB in ${m.restoreMs} ms)`;
}

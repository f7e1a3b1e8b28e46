/** Kafka for sluice/node: the direct stream, the values view for the fused kernels, the sink, and the client adapter. */
export { kafkaDirectStream, KafkaDirectDStream, offsetRangesOf, type KafkaDirectStreamOptions, type KafkaBatchMetadata } from './direct-stream.js';
export { kafkaValues, KafkaValuesDStream } from './kafka-values.js';
export { toKafka, ToKafkaDStream, type ToKafkaOptions } from './to-kafka.js';
export { kafkajsClient, type KafkajsClientOptions } from './kafkajs-client.js';
export { kafkajsReadCommittedFixed } from './kafkajs-read-committed.js';
export { planRanges, recordsPerPartition, type RateLimits } from './offset-ranges.js';
export type { StartingOffsets } from './starting-offsets.js';
export type * from './client.js';
export { repartitionThroughKafka, type RepartitionOptions } from './scale-out/repartition-through-kafka.js';
export type { ScaleOutOptions } from './scale-out/scale-out-group.js';
export type { ScaleOutMetrics } from './scale-out/scale-out-metrics.js';
export { statePartition } from './changelog/state-keys.js';
export { changelogTopicName } from './changelog/changelog-topic.js';

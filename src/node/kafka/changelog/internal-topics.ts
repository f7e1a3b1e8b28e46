/**
 * Scale-out's internal topics: a compacted changelog topic per stateful
 * operator and plain repartition topics, each with as many partitions as
 * the input topics (partition p of every topic belongs to the process that
 * owns input partition p). Created when missing; an existing topic is
 * accepted only with that partition count, since a key's partition would
 * otherwise differ between the input and its state.
 */
import { ScaleOutError } from '../../../errors.js';
import type { KafkaClient, NewTopic } from '../client.js';

export interface InternalTopic {
  readonly topic: string;
  readonly partitions: number;
  /** Changelog topics are compacted (the last state of each key is kept); repartition topics are deleted by retention. */
  readonly compacted: boolean;
  /** Default: the broker's default.replication.factor. */
  readonly replicationFactor?: number;
}

export async function ensureInternalTopics(client: KafkaClient, topics: readonly InternalTopic[]): Promise<void> {
  if (topics.length === 0) return;
  await client.createTopics(topics.map(newTopic));
  const counts = new Map<string, number>();
  for (const { topic } of await client.partitions(topics.map((t) => t.topic))) counts.set(topic, (counts.get(topic) ?? 0) + 1);
  for (const { topic, partitions } of topics) {
    const found = counts.get(topic) ?? 0;
    if (found === partitions) continue;
    throw new ScaleOutError(
      'ERR_SLUICE_SCALE_OUT_TOPIC_MISMATCH',
      `The internal topic ${topic} has ${found} partitions, but the input topics have ${partitions}: a key's state would not live with its input partition. ` +
        `If the input's partition count changed, the state cannot follow it: delete ${topic} (its state is lost) or use a new group id; ` +
        'otherwise give the input topics the same partition count again.',
    );
  }
}

function newTopic({ topic, partitions, compacted, replicationFactor }: InternalTopic): NewTopic {
  return {
    topic,
    partitions,
    ...(replicationFactor === undefined ? {} : { replicationFactor }),
    config: compacted ? { 'cleanup.policy': 'compact' } : {},
  };
}

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { kafkajsClient } from '../../../src/node/kafka/kafkajs-client.js';
import { createTopic, endOffsets, kafkaBrokers } from './broker.js';

describe('kafkajsClient against a real broker', () => {
  const client = kafkajsClient({ brokers: kafkaBrokers().split(',') });
  after(() => client.close());

  it('a record addressed to a partition the topic does not have is refused, where kafkajs would drop it and report success', async () => {
    const topic = await createTopic('missing-partition', 2);
    const producer = await client.producer();
    const transactional = await client.transactionalProducer(`missing-partition-${randomUUID()}`);
    try {
      await assert.rejects(producer.send(topic, [{ value: 'a', partition: 0 }, { value: 'b', partition: 2 }]), {
        code: 'ERR_SLUICE_KAFKA_UNKNOWN_TOPIC',
        message: new RegExp(`partition 2 of topic ${topic}, which has 2 partitions`),
      });
      await transactional.fence();
      const tx = await transactional.begin();
      await assert.rejects(tx.send(topic, [{ value: 'c', partition: 5 }]), { code: 'ERR_SLUICE_KAFKA_UNKNOWN_TOPIC' });
      await tx.abort();
      // Records in range, and records without a partition, still go through.
      await producer.send(topic, [{ value: 'd', partition: 1 }, { key: 'k', value: 'e' }]);
      const ends = await endOffsets(topic);
      assert.equal((ends.get(0) ?? 0) + (ends.get(1) ?? 0), 2);
    } finally {
      await producer.close();
      await transactional.close();
    }
  });

  it('a send to a topic that does not exist is refused, where kafkajs would retry it forever', { timeout: 60_000 }, async () => {
    const topic = `never-created-${randomUUID()}`;
    const producer = await client.producer();
    const transactional = await client.transactionalProducer(`never-created-${randomUUID()}`);
    try {
      await assert.rejects(producer.send(topic, [{ value: 'a' }]), { code: 'ERR_SLUICE_KAFKA_UNKNOWN_TOPIC', message: new RegExp(topic) });
      await transactional.fence();
      const tx = await transactional.begin();
      await assert.rejects(tx.send(topic, [{ key: 'k', value: 'b' }]), { code: 'ERR_SLUICE_KAFKA_UNKNOWN_TOPIC' });
      await tx.abort();
    } finally {
      await producer.close();
      await transactional.close();
    }
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { kafkajsClient } from '../../../../src/node/kafka/kafkajs-client.js';
import { ensureInternalTopics } from '../../../../src/node/kafka/changelog/internal-topics.js';
import { createTopic, testKafka, kafkaBrokers } from '../broker.js';

/** kafkajs's ConfigResourceTypes.TOPIC (a const enum of a CommonJS module, which ESM cannot import by name). */
const TOPIC_RESOURCE = 2;

async function cleanupPolicy(topic: string): Promise<string | undefined> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({ resources: [{ type: TOPIC_RESOURCE, name: topic, configNames: ['cleanup.policy'] }], includeSynonyms: false });
    return resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
  } finally {
    await admin.disconnect();
  }
}

describe('ensureInternalTopics against a real broker', () => {
  const client = kafkajsClient({ brokers: kafkaBrokers().split(',') });
  after(() => client.close());

  it('creates compacted changelog and plain repartition topics with the partitions asked for, and accepts them again', async () => {
    const changelog = `g-${randomUUID().slice(0, 8)}-counts-changelog`;
    const repartition = `g-${randomUUID().slice(0, 8)}-words-repartition`;
    const topics = [{ topic: changelog, partitions: 4, compacted: true }, { topic: repartition, partitions: 4, compacted: false, replicationFactor: 1 }];
    await ensureInternalTopics(client, topics);
    assert.deepEqual((await client.partitions([changelog, repartition])).map((p) => `${p.topic}:${p.partition}`), [
      ...[0, 1, 2, 3].map((p) => `${changelog}:${p}`),
      ...[0, 1, 2, 3].map((p) => `${repartition}:${p}`),
    ].sort());
    assert.equal(await cleanupPolicy(changelog), 'compact');
    assert.equal(await cleanupPolicy(repartition), 'delete');
    await ensureInternalTopics(client, topics);
    await ensureInternalTopics(client, []);
  });

  it('processes creating the same topics at the same moment all succeed once the topics have leaders', async () => {
    const suffix = randomUUID().slice(0, 8);
    const topics = [{ topic: `race-${suffix}-changelog`, partitions: 6, compacted: true }, { topic: `race-${suffix}-repartition`, partitions: 6, compacted: false }];
    const clients = [0, 1, 2].map(() => kafkajsClient({ brokers: kafkaBrokers().split(',') }));
    try {
      await Promise.all(clients.map((c) => ensureInternalTopics(c, topics)));
      for (const c of clients) assert.equal((await c.partitions(topics.map((t) => t.topic))).length, 12);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('an existing topic with another partition count is refused with ERR_SLUICE_SCALE_OUT_TOPIC_MISMATCH', async () => {
    const existing = await createTopic('internal-mismatch', 3);
    await assert.rejects(ensureInternalTopics(client, [{ topic: existing, partitions: 6, compacted: true }]), {
      code: 'ERR_SLUICE_SCALE_OUT_TOPIC_MISMATCH',
      message: new RegExp(`internal topic ${existing} has 3 partitions, but the input topics have 6`),
    });
  });
});

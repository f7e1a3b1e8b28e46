import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import type { Consumer } from 'kafkajs';
import { PartitionAssigners } from '../../../../src/node/kafka/kafkajs.js';
import { recordJoinGenerations, type JoinGenerations } from '../../../../src/node/kafka/group/join-generations.js';
import { waitFor } from '../../fake-receiver-host.js';
import { createTopic, testKafka } from '../broker.js';

const consumers: Consumer[] = [];
after(async () => {
  for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
});

it('records the generation and member id of each join, as kafkajs itself then uses them in its heartbeats', async () => {
  const topic = await createTopic('join-generations', 2);
  const groupId = `g-generations-${randomUUID()}`;
  const start = async (): Promise<{ generations: JoinGenerations; heartbeats: { generation: number; memberId: string }[]; joins: string[] }> => {
    let generations: JoinGenerations | undefined;
    const heartbeats: { generation: number; memberId: string }[] = [];
    const joins: string[] = [];
    const consumer = testKafka().consumer({
      groupId,
      sessionTimeout: 6000,
      heartbeatInterval: 200,
      maxWaitTimeInMs: 50,
      partitionAssigners: [
        (config) => {
          generations = recordJoinGenerations(config.cluster);
          return PartitionAssigners.roundRobin(config);
        },
      ],
    });
    consumers.push(consumer);
    consumer.on(consumer.events.HEARTBEAT, ({ payload }) => void heartbeats.push({ generation: payload.groupGenerationId, memberId: payload.memberId }));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => void joins.push(payload.memberId));
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
    assert.ok(generations !== undefined, 'kafkajs hands the assigner factory its cluster when the consumer is created');
    return { generations, heartbeats, joins };
  };

  const a = await start();
  await waitFor(() => a.joins.length > 0 && a.heartbeats.length > 0, 'a joined and heartbeat', 30_000);
  const first = a.generations.last();
  assert.ok(first !== undefined && first.generationId >= 1);
  assert.equal(first.memberId, a.joins.at(-1));
  assert.deepEqual(a.heartbeats.at(-1), { generation: first.generationId, memberId: first.memberId }, 'kafkajs heartbeats with the recorded generation');

  const b = await start();
  await waitFor(() => b.joins.length > 0 && (a.generations.last()?.generationId ?? 0) > first.generationId, 'a rejoined for b', 30_000);
  a.heartbeats.length = 0;
  await waitFor(() => a.heartbeats.length > 0, 'a heartbeat in the new generation', 30_000);
  const second = a.generations.last();
  assert.ok(second !== undefined && second.generationId > first.generationId);
  assert.deepEqual(a.heartbeats.at(-1), { generation: second.generationId, memberId: first.memberId }, 'same member, the new generation');
  await waitFor(() => b.generations.last()?.generationId === a.generations.last()?.generationId, 'both members to record the same generation', 30_000);
});

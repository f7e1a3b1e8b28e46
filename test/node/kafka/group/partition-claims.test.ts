import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { KafkaError } from '../../../../src/errors.js';
import type { KafkaClient } from '../../../../src/node/kafka/client.js';
import { toKafkaError } from '../../../../src/node/kafka/kafka-errors.js';
import { kafkajsClient } from '../../../../src/node/kafka/kafkajs-client.js';
import { GroupMembership, type GroupAssignment } from '../../../../src/node/kafka/group/group-membership.js';
import { claimPartitions, type Claim, type ClaimRequest } from '../../../../src/node/kafka/group/partition-claims.js';
import { waitFor } from '../../fake-receiver-host.js';
import { createTopic, kafkaBrokers, produceLines, readTopic, testKafka } from '../broker.js';

const ALL = [0, 1, 2, 3, 4, 5];
const fromZero: ClaimRequest['initialOffsets'] = (uncommitted) => uncommitted.map((tp) => ({ ...tp, offset: 0 }));

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * claimPartitions on the membership's current assignment, again for the next
 * one where a rebalance made it stale (kafkajs also rejoins on its own, e.g.
 * when a new topic's metadata settles), as the scale-out stream does.
 */
async function claimCurrent(request: Omit<ClaimRequest, 'assignment' | 'membership'> & { membership: GroupMembership }): Promise<Claim> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await claimPartitions({ ...request, assignment: request.membership.assignment() as GroupAssignment });
    } catch (error) {
      if (!(error instanceof KafkaError && error.code === 'ERR_SLUICE_KAFKA_REBALANCED') || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

describe('partition claims (real broker)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
  const client = (): KafkaClient => {
    const c = kafkajsClient({ brokers: kafkaBrokers().split(',') });
    cleanups.push(() => c.close());
    return c;
  };
  const join = async (groupId: string, topics: string[]): Promise<GroupMembership> => {
    const m = await GroupMembership.join({ brokers: kafkaBrokers().split(','), groupId, topics, sessionTimeoutMs: 6000 });
    cleanups.push(() => m.leave());
    return m;
  };
  const settled = (members: GroupMembership[]): boolean => {
    const all = members.map((m) => m.assignment());
    return all.every((a) => a !== undefined) && new Set(all.map((a) => a?.generation)).size === 1 && all.flatMap((a) => a?.partitions ?? []).length === ALL.length;
  };

  it('a member gaining a partition fences its previous owner: the owner\'s open transaction is aborted, its commit fails ERR_SLUICE_KAFKA_FENCED, and read_committed readers never see it', async () => {
    const [input, output] = [await createTopic('claims-in', 6), await createTopic('claims-out', 6)];
    await produceLines(input, Array.from({ length: 60 }, (_, i) => `line ${i}`), 6);
    const groupId = `g-fence-${randomUUID()}`;
    const [clientA, clientB] = [client(), client()];
    const [idA, idB] = [`sluice-${groupId}-aaaaaaaa-0`, `sluice-${groupId}-bbbbbbbb-0`];

    const a = await join(groupId, [input]);
    const producerA = await clientA.transactionalProducer(idA);
    await producerA.fence();
    const claimA = await claimCurrent({ client: clientA, membership: a, groupId, topics: [input], partitions: ALL, transactionalId: idA, initialOffsets: fromZero });
    assert.deepEqual(claimA.fenced, []);
    assert.deepEqual(claimA.offsets, ALL.map((partition) => ({ topic: input, partition, offset: 0 })), 'never committed: the initial offsets, now committed');

    // A batch of A's commits output and offsets, with A's id as metadata (kafkajs's TxnOffsetCommit carries it).
    const tx1 = await producerA.begin();
    await tx1.send(output, [{ value: 'a1', partition: 0 }]);
    await tx1.commit({ groupId, offsets: ALL.map((partition) => ({ topic: input, partition, offset: 5, metadata: idA })) });
    // Transactional offsets show once the commit's markers are written, a moment after commit() returns (a fence waits for them).
    const committedByA = ALL.map((partition) => ({ topic: input, partition, offset: 5, metadata: idA }));
    let afterTx1: unknown;
    await waitUntil(async () => JSON.stringify((afterTx1 = await clientA.committedOffsetsWithMetadata(groupId, [input]))) === JSON.stringify(committedByA), 'A\'s committed offsets');
    assert.deepEqual(afterTx1, committedByA);

    // A's next batch is under way (records and offsets sent, not committed) when b joins and takes half the tasks.
    const lost = [3, 4, 5];
    const rawA = testKafka().producer({ transactionalId: idA, idempotent: true, maxInFlightRequests: 1 });
    await rawA.connect();
    cleanups.push(() => rawA.disconnect());
    const tx2 = await rawA.transaction();
    await tx2.send({ topic: output, messages: lost.map((partition) => ({ value: 'a2', partition })), acks: -1 });
    const pending = lost.map((partition) => ({ partition, offset: '10', metadata: idA }));
    await tx2.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: pending }] });

    const b = await join(groupId, [input]);
    await waitFor(() => settled([a, b]), 'two members on one generation', 30_000);
    assert.deepEqual(b.assignment()?.partitions, lost, 'sticky: a keeps 0-2, b gets 3-5');
    const claimB = await claimCurrent({ client: clientB, membership: b, groupId, topics: [input], partitions: lost, transactionalId: idB, initialOffsets: fromZero });
    assert.deepEqual(claimB.fenced, [idA]);
    assert.deepEqual(claimB.offsets, lost.map((partition) => ({ topic: input, partition, offset: 5 })), 'b starts after A\'s last committed batch, not after its aborted one');

    const failure = await tx2.commit().then(
      () => assert.fail('the fenced owner\'s commit must fail'),
      (e: unknown) => toKafkaError(e, 'committing'),
    );
    assert.ok(failure instanceof KafkaError && failure.code === 'ERR_SLUICE_KAFKA_FENCED', String(failure));
    assert.deepEqual((await readTopic(output)).map((r) => r.value), ['a1'], 'read_committed sees only the committed batch');
    const final = await clientB.committedOffsetsWithMetadata(groupId, [input]);
    assert.deepEqual(final.filter((o) => lost.includes(o.partition)), lost.map((partition) => ({ topic: input, partition, offset: 5, metadata: idB })));
    assert.deepEqual(final.filter((o) => !lost.includes(o.partition)).map((o) => o.metadata), [idA, idA, idA], 'a\'s remaining partitions are untouched');
  });

  it('a commit the previous owner makes between the claimer\'s read and its fence is kept: the claim reads again after fencing', async () => {
    const input = await createTopic('claims-race', 6);
    const groupId = `g-race-${randomUUID()}`;
    const real = client();
    const [idA, idB] = [`sluice-${groupId}-aaaaaaaa-0`, `sluice-${groupId}-bbbbbbbb-0`];
    const a = await join(groupId, [input]);
    const producerA = await real.transactionalProducer(idA);
    await producerA.fence();
    await claimCurrent({ client: real, membership: a, groupId, topics: [input], partitions: ALL, transactionalId: idA, initialOffsets: fromZero });
    const reclaim = await claimCurrent({ client: real, membership: a, groupId, topics: [input], partitions: [0], transactionalId: idA, initialOffsets: fromZero });
    assert.deepEqual(reclaim.fenced, [], 'a claimer never fences its own id');

    await a.leave();
    const b = await join(groupId, [input]);
    const fenced: string[] = [];
    // A's batch lands just before b's fence reaches it: b read offset 0 with A's id, and must not start there.
    const racing: ClaimRequest['client'] = {
      committedOffsetsWithMetadata: (g, t) => real.committedOffsetsWithMetadata(g, t),
      fenceTransactionalId: async (id) => {
        if (fenced.length === 0) {
          const tx = await producerA.begin();
          await tx.commit({ groupId, offsets: ALL.map((partition) => ({ topic: input, partition, offset: 7, metadata: idA })) });
        }
        fenced.push(id);
        await real.fenceTransactionalId(id);
      },
    };
    const claimB = await claimCurrent({ client: racing, membership: b, groupId, topics: [input], partitions: ALL, transactionalId: idB, initialOffsets: fromZero });
    assert.deepEqual(fenced, [idA]);
    assert.deepEqual(claimB.offsets.map((o) => o.offset), ALL.map(() => 7), 'b starts after the batch A committed while b was claiming');
    await assert.rejects((await producerA.begin()).commit({ groupId, offsets: [{ topic: input, partition: 0, offset: 9, metadata: idA }] }), (e: unknown) => e instanceof KafkaError && e.code === 'ERR_SLUICE_KAFKA_FENCED');
  });

  it('a claim whose assignment went stale before it committed fails ERR_SLUICE_KAFKA_REBALANCED and commits nothing', async () => {
    const input = await createTopic('claims-stale', 6);
    const groupId = `g-stale-${randomUUID()}`;
    const real = client();
    const a = await join(groupId, [input]);
    const stale = a.assignment() as GroupAssignment;
    const b = await join(groupId, [input]);
    await waitFor(() => settled([a, b]), 'two members on one generation', 30_000);
    await assert.rejects(
      claimPartitions({ client: real, membership: a, groupId, topics: [input], assignment: stale, partitions: [0], transactionalId: `sluice-${groupId}-aaaaaaaa-0`, initialOffsets: fromZero }),
      (e: unknown) => e instanceof KafkaError && e.code === 'ERR_SLUICE_KAFKA_REBALANCED',
    );
    assert.deepEqual(await real.committedOffsetsWithMetadata(groupId, [input]), []);
  });
});

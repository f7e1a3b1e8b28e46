import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { AssignerProtocol } from '../../../../src/node/kafka/kafkajs.js';
import { InvalidArgumentError, KafkaError } from '../../../../src/errors.js';
import { GroupMembership, type GroupAssignment, type GroupMembershipOptions } from '../../../../src/node/kafka/group/group-membership.js';
import { waitFor } from '../../fake-receiver-host.js';
import { committedOffsets, createTopic, kafkaBrokers, produceLines, testKafka } from '../broker.js';

const ALL = [0, 1, 2, 3, 4, 5];
const WORKER = fileURLToPath(new URL('./member-worker.js', import.meta.url));

/** Each topic's partitions per member, as the broker holds the group's assignment (not as the members report it). */
async function brokerAssignments(groupId: string): Promise<Map<string, Record<string, number[]>>> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const members = groups[0]?.members ?? [];
    return new Map(members.map((m) => [m.memberId, AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {}]));
  } finally {
    await admin.disconnect();
  }
}

/** Whether the members agree on one generation whose partitions are disjoint and cover `all`. */
function settled(members: readonly GroupMembership[], all: readonly number[]): boolean {
  const assignments = members.map((m) => m.assignment());
  if (assignments.some((a) => a === undefined)) return false;
  const generations = new Set(assignments.map((a) => (a as GroupAssignment).generation));
  const owned = assignments.flatMap((a) => [...(a as GroupAssignment).partitions]).sort((x, y) => x - y);
  return generations.size === 1 && JSON.stringify(owned) === JSON.stringify(all);
}

describe('GroupMembership (real broker)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
  const join = async (options: Omit<GroupMembershipOptions, 'brokers'>): Promise<GroupMembership> => {
    const membership = await GroupMembership.join({ brokers: kafkaBrokers().split(','), ...options });
    cleanups.push(() => membership.leave());
    return membership;
  };

  it('three members over two 6-partition topics get disjoint co-partitioned shares of two tasks; a leaver\'s tasks go to the others', async () => {
    const [words, repartition] = [await createTopic('group-words', 6), await createTopic('group-repartition', 6)];
    const groupId = `g-members-${randomUUID()}`;
    const changes: GroupAssignment[] = [];
    const a = await join({ groupId, topics: [words, repartition], sessionTimeoutMs: 6000, onChange: (x) => void changes.push(x) });
    assert.deepEqual(a.assignment()?.partitions, ALL, 'alone, a member owns every task');
    const b = await join({ groupId, topics: [words, repartition], sessionTimeoutMs: 6000 });
    const c = await join({ groupId, topics: [words, repartition], sessionTimeoutMs: 6000 });
    const members = [a, b, c];
    await waitFor(() => settled(members, ALL), 'three members settled on one generation', 30_000);
    for (const m of members) assert.equal(m.assignment()?.partitions.length, 2, 'balanced: two tasks each');

    const onBroker = await brokerAssignments(groupId);
    assert.equal(onBroker.size, 3);
    for (const m of members) {
      const held = onBroker.get(m.assignment()?.memberId as string);
      assert.ok(held !== undefined, 'the broker knows the member');
      assert.deepEqual([...(held[words] ?? [])].sort(), [...(m.assignment()?.partitions ?? [])], 'the member reports what the broker assigned');
      assert.deepEqual([...(held[repartition] ?? [])].sort(), [...(held[words] ?? [])].sort(), 'partition i of both topics goes to the same member');
    }
    assert.ok(changes.length >= 2 && changes.every((x, i) => i === 0 || x.generation > (changes[i - 1] as GroupAssignment).generation), 'onChange reports each generation, in order');

    const [bBefore, cBefore] = [b.assignment()?.partitions ?? [], c.assignment()?.partitions ?? []];
    await a.leave();
    assert.equal(a.assignment(), undefined);
    await waitFor(() => settled([b, c], ALL), 'the others took over the leaver\'s tasks', 30_000);
    assert.equal(b.assignment()?.partitions.length, 3);
    for (const p of bBefore) assert.ok(b.assignment()?.partitions.includes(p), 'sticky: b keeps its tasks');
    for (const p of cBefore) assert.ok(c.assignment()?.partitions.includes(p), 'sticky: c keeps its tasks');
  });

  it('never fetches: heartbeats keep it in the group while records wait, and nothing is consumed or committed across rebalances', async () => {
    const topic = await createTopic('group-idle', 6);
    await produceLines(topic, Array.from({ length: 60 }, (_, i) => `line ${i}`), 6);
    const groupId = `g-idle-${randomUUID()}`;
    const a = await join({ groupId, topics: [topic], sessionTimeoutMs: 3000 });
    const generation = a.assignment()?.generation;
    // Three session timeouts with nothing to do but heartbeat: a member whose heartbeats stopped would be dropped and rejoin in a new generation.
    await new Promise((resolve) => setTimeout(resolve, 9000));
    assert.equal(a.assignment()?.generation, generation, 'still in the generation it joined');
    const b = await join({ groupId, topics: [topic], sessionTimeoutMs: 3000 });
    await waitFor(() => settled([a, b], ALL), 'a rebalance to two members', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(a.ignoredBatches + b.ignoredBatches, 0, 'kafkajs delivered no records to either member');
    assert.deepEqual([...(await committedOffsets(groupId, topic)).values()].filter((o) => o >= 0), [], 'nothing committed');
  });

  it('a member killed with SIGKILL loses its tasks to the others once its session times out', async () => {
    const topic = await createTopic('group-killed', 6);
    const groupId = `g-killed-${randomUUID()}`;
    const a = await join({ groupId, topics: [topic], sessionTimeoutMs: 2000 });
    const child = spawn(process.execPath, [WORKER, kafkaBrokers(), groupId, topic, '2000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => void child.kill('SIGKILL'));
    let childAssignment: GroupAssignment | undefined;
    let childErrors = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter((l) => l !== '')) childAssignment = JSON.parse(line) as GroupAssignment;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (childErrors += chunk));
    await waitFor(
      () => childAssignment !== undefined && childAssignment.generation === a.assignment()?.generation && a.assignment()?.partitions.length === 3,
      `the child member to share the tasks (child stderr: ${childErrors})`,
      30_000,
    );
    const before = a.assignment() as GroupAssignment;
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await waitFor(() => a.assignment()?.partitions.length === 6, 'the survivor to own every task', 30_000);
    assert.ok((a.assignment()?.generation ?? 0) > before.generation);
    // Not before the broker gave up on the dead member's heartbeats (it never left the group).
    assert.ok(Date.now() - killedAt >= 1500, `took over after ${Date.now() - killedAt} ms`);
  });

  it('refuses topics with different partition counts before joining', async () => {
    const [six, three] = [await createTopic('group-six', 6), await createTopic('group-three', 3)];
    await assert.rejects(
      join({ groupId: `g-mixed-${randomUUID()}`, topics: [six, three] }),
      (e: unknown) => e instanceof InvalidArgumentError && /same number of partitions/.test(e.message) && e.message.includes(`${three}: 3`),
    );
  });

  it('a join that gets no assignment in time fails retriably and leaves nothing behind; leave() is final', async () => {
    const topic = await createTopic('group-timeout', 6);
    const groupId = `g-timeout-${randomUUID()}`;
    await assert.rejects(join({ groupId, topics: [topic], joinTimeoutMs: 1 }), (e: unknown) => e instanceof KafkaError && e.code === 'ERR_SLUICE_KAFKA_COORDINATOR' && e.retriable);
    const a = await join({ groupId, topics: [topic] });
    await waitFor(() => a.assignment()?.partitions.length === ALL.length, 'the timed-out member to be gone: the next one owns every task', 30_000);
    const generation = (a.assignment() as GroupAssignment).generation;
    await a.leave();
    await a.leave();
    assert.equal(a.assignment(), undefined);
    await assert.rejects(a.commitClaims([{ topic, partition: 0, offset: 1, metadata: 'sluice-a' }], generation), (e: unknown) => e instanceof KafkaError && e.code === 'ERR_SLUICE_KAFKA_REBALANCED' && /no longer in the group/.test(e.message));
  });

  it('a session timeout the broker does not allow fails the join, saying which broker settings bound it', async () => {
    const topic = await createTopic('group-session', 6);
    await assert.rejects(
      join({ groupId: `g-session-${randomUUID()}`, topics: [topic], sessionTimeoutMs: 500, joinTimeoutMs: 30_000 }),
      (e: unknown) => e instanceof KafkaError && e.code === 'ERR_SLUICE_KAFKA' && /group\.min\.session\.timeout\.ms/.test(e.message) && !e.retriable,
    );
  });

  it('a topic that does not exist fails the join with ERR_SLUICE_KAFKA_UNKNOWN_TOPIC', async () => {
    await assert.rejects(join({ groupId: `g-missing-${randomUUID()}`, topics: ['no-such-topic-sluice-group'] }), (e: unknown) => e instanceof KafkaError && e.code === 'ERR_SLUICE_KAFKA_UNKNOWN_TOPIC');
  });

  it('commits a claim with metadata for the current generation; refuses one for a past generation or for partitions it does not own', async () => {
    const topic = await createTopic('group-claims', 6);
    const groupId = `g-claims-${randomUUID()}`;
    const a = await join({ groupId, topics: [topic], sessionTimeoutMs: 6000 });
    const first = a.assignment() as GroupAssignment;
    await a.commitClaims([{ topic, partition: 2, offset: 0, metadata: 'sluice-a' }], first.generation);
    assert.equal((await committedOffsets(groupId, topic)).get(2), 0);

    const b = await join({ groupId, topics: [topic], sessionTimeoutMs: 6000 });
    await waitFor(() => settled([a, b], ALL), 'a rebalance to two members', 30_000);
    const current = a.assignment() as GroupAssignment;
    assert.ok(current.generation > first.generation);
    await assert.rejects(a.commitClaims([{ topic, partition: current.partitions[0] as number, offset: 5, metadata: 'sluice-a' }], first.generation), (e: unknown) => e instanceof KafkaError && e.code === 'ERR_SLUICE_KAFKA_REBALANCED' && !e.retriable);
    const notMine = (b.assignment() as GroupAssignment).partitions[0] as number;
    await assert.rejects(a.commitClaims([{ topic, partition: notMine, offset: 5, metadata: 'sluice-a' }], current.generation), InvalidArgumentError);
    assert.equal((await committedOffsets(groupId, topic)).get(2), 0, 'neither refused claim was committed');
  });

  it('the broker refuses a claim from a member it dropped, even before the member itself noticed', async () => {
    const topic = await createTopic('group-dropped', 6);
    const groupId = `g-dropped-${randomUUID()}`;
    // A slow heartbeat and a short rebalance timeout: when b joins, a does not rejoin in time and the broker drops it, while a still believes its generation.
    const a = await join({ groupId, topics: [topic], sessionTimeoutMs: 60_000, heartbeatIntervalMs: 30_000, rebalanceTimeoutMs: 2000 });
    // kafkajs rejoins by itself when its first offset lookups meet a new topic's metadata still settling; let that pass first.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const stale = a.assignment() as GroupAssignment;
    const b = await join({ groupId, topics: [topic], sessionTimeoutMs: 60_000, heartbeatIntervalMs: 30_000, rebalanceTimeoutMs: 2000 });
    assert.deepEqual(b.assignment()?.partitions, ALL, 'b took every task: a was dropped');
    assert.equal(a.assignment()?.generation, stale.generation, 'a has not noticed yet');
    await assert.rejects(
      a.commitClaims([{ topic, partition: 0, offset: 3, metadata: 'sluice-a' }], stale.generation),
      (e: unknown) => e instanceof KafkaError && e.code === 'ERR_SLUICE_KAFKA_REBALANCED' && /rebalanced/.test(e.message),
    );
    assert.equal((await committedOffsets(groupId, topic)).get(0) ?? -1, -1, 'the stale claim was not committed');
  });
});

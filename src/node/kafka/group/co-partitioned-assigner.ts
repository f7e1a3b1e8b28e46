/**
 * The consumer-group assignor of scale-out mode: partition i of EVERY
 * subscribed topic goes to the same member (a "task" is partition i of
 * everything, so keyed state partitioned like the input stays with one
 * process), members' task counts differ by at most one, and members keep the
 * tasks they already had wherever balance allows (each member sends the tasks
 * it owns, and the generation it owned them in, as its subscription userData),
 * so a rebalance moves as little state as possible. The result depends only
 * on the members and what they send, never on order of arrival.
 */
import type { PartitionAssigner } from 'kafkajs';
import { AssignerProtocol } from '../kafkajs.js';
import { InvalidArgumentError } from '../../../errors.js';

/** The protocol name members agree on; a group mixing assignors is refused by the broker. */
export const CO_PARTITIONED_ASSIGNER = 'SluiceCoPartitioned';
const VERSION = 1;

/** What a member owned before this rebalance, as it reported it. */
export interface MemberTasks {
  readonly memberId: string;
  readonly owned: readonly number[];
  /** The group generation in which it owned them (higher wins where two members report the same task). */
  readonly generation: number;
}

/** The tasks a member currently owns, sent with its join request. */
export interface OwnedTasks {
  readonly partitions: readonly number[];
  readonly generation: number;
}

/**
 * The common partition count of `topics`; a clear error where they differ
 * (co-partitioning needs partition i of each topic to hold the same keys).
 */
export function coPartitionedCount(partitionsByTopic: ReadonlyMap<string, number>): number {
  const counts = new Set(partitionsByTopic.values());
  const described = [...partitionsByTopic].map(([topic, n]) => `${topic}: ${n}`).join(', ');
  if (partitionsByTopic.size === 0) throw new InvalidArgumentError('A scale-out group needs at least one topic to read.');
  if ([...partitionsByTopic.values()].some((n) => n <= 0)) {
    throw new InvalidArgumentError(`Every topic a scale-out group reads must exist and have partitions (${described}); create the missing topics first.`);
  }
  if (counts.size > 1) {
    throw new InvalidArgumentError(
      `The topics a scale-out group reads must have the same number of partitions (partition i of each is processed together), got ${described}; ` +
        'recreate them with one partition count, or repartition the odd one through a topic with that count.',
    );
  }
  return [...counts][0] as number;
}

/**
 * Tasks 0..partitionCount-1 over `members`: balanced (counts differ by at
 * most one), sticky (a member keeps what it owned up to its share; the members
 * owning most get the larger shares), deterministic (members in memberId order,
 * tasks in ascending order).
 */
export function assignTasks(members: readonly MemberTasks[], partitionCount: number): Map<string, number[]> {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const result = new Map<string, number[]>(sorted.map((m) => [m.memberId, []]));
  if (sorted.length === 0) return result;

  // A task reported by two members (one missed a generation) stays with the later generation's owner.
  const keeper = new Map<number, MemberTasks>();
  for (const member of sorted) {
    for (const task of member.owned) {
      if (!Number.isInteger(task) || task < 0 || task >= partitionCount) continue;
      const current = keeper.get(task);
      if (current === undefined || member.generation > current.generation) keeper.set(task, member);
    }
  }
  const kept = new Map<string, number[]>(sorted.map((m) => [m.memberId, []]));
  for (const [task, member] of [...keeper].sort(([a], [b]) => a - b)) kept.get(member.memberId)?.push(task);

  const base = Math.floor(partitionCount / sorted.length);
  const larger = partitionCount % sorted.length;
  const byKept = [...sorted].sort((a, b) => (kept.get(b.memberId)?.length ?? 0) - (kept.get(a.memberId)?.length ?? 0));
  const quota = new Map(byKept.map((m, i) => [m.memberId, base + (i < larger ? 1 : 0)]));

  const taken = new Set<number>();
  for (const member of sorted) {
    const mine = (kept.get(member.memberId) ?? []).slice(0, quota.get(member.memberId));
    result.set(member.memberId, mine);
    for (const task of mine) taken.add(task);
  }
  const free = Array.from({ length: partitionCount }, (_, i) => i).filter((task) => !taken.has(task));
  for (const member of sorted) {
    const mine = result.get(member.memberId) as number[];
    while (mine.length < (quota.get(member.memberId) ?? 0) && free.length > 0) mine.push(free.shift() as number);
    mine.sort((a, b) => a - b);
  }
  return result;
}

export function encodeOwnedTasks(owned: OwnedTasks): Buffer {
  return Buffer.from(JSON.stringify({ p: owned.partitions, g: owned.generation }));
}

/** What a member reported; nothing (no stickiness) where its userData is missing or not ours. */
export function decodeOwnedTasks(userData: Buffer | null | undefined): OwnedTasks {
  try {
    const parsed = JSON.parse((userData ?? Buffer.alloc(0)).toString('utf8')) as { p?: unknown; g?: unknown };
    const partitions = Array.isArray(parsed.p) ? parsed.p.filter((p): p is number => Number.isInteger(p)) : [];
    return { partitions, generation: Number.isInteger(parsed.g) ? (parsed.g as number) : -1 };
  } catch {
    return { partitions: [], generation: -1 };
  }
}

export interface CoPartitionedAssignerOptions {
  /** The tasks this member owns now (sent when it joins, for stickiness). */
  readonly owned?: () => OwnedTasks | undefined;
}

/** The kafkajs PartitionAssigner: `kafka.consumer({ groupId, partitionAssigners: [coPartitionedAssigner()] })`. */
export function coPartitionedAssigner(options: CoPartitionedAssignerOptions = {}): PartitionAssigner {
  return ({ cluster }) => ({
    name: CO_PARTITIONED_ASSIGNER,
    version: VERSION,
    async assign({ members, topics }) {
      const count = coPartitionedCount(new Map(topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).length])));
      const reported = members.map(({ memberId, memberMetadata }) => {
        const owned = decodeOwnedTasks(memberUserData(memberMetadata));
        return { memberId, owned: owned.partitions, generation: owned.generation };
      });
      return [...assignTasks(reported, count)].map(([memberId, tasks]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: VERSION,
          assignment: Object.fromEntries(topics.map((topic) => [topic, [...tasks]])),
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      const owned = options.owned?.() ?? { partitions: [], generation: -1 };
      return { name: CO_PARTITIONED_ASSIGNER, metadata: AssignerProtocol.MemberMetadata.encode({ version: VERSION, topics, userData: encodeOwnedTasks(owned) }) };
    },
  });
}

function memberUserData(metadata: Buffer): Buffer | undefined {
  try {
    return AssignerProtocol.MemberMetadata.decode(metadata)?.userData;
  } catch {
    return undefined;
  }
}

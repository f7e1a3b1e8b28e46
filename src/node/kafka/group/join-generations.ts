/**
 * The group generation a kafkajs consumer joined. kafkajs keeps it private
 * (its GROUP_JOIN event carries the member id and assignment, not the
 * generation) yet a generation-checked commit needs the exact number, so the
 * consumer's cluster is wrapped here: every JoinGroup answer the coordinator
 * gives it is recorded. The consumer emits GROUP_JOIN right after the
 * SyncGroup of its last JoinGroup, so at that moment `last()` is the
 * generation of that assignment.
 */
import type { Cluster } from 'kafkajs';

export interface JoinedGeneration {
  readonly generationId: number;
  readonly memberId: string;
}

interface JoinGroupAnswer {
  readonly generationId?: unknown;
  readonly memberId?: unknown;
}

export interface JoinGenerations {
  last(): JoinedGeneration | undefined;
}

/** Wraps `cluster` (the one kafkajs passes to partition assigners) so its coordinators' JoinGroup answers are recorded. */
export function recordJoinGenerations(cluster: Cluster): JoinGenerations {
  let last: JoinedGeneration | undefined;
  const findGroupCoordinator = cluster.findGroupCoordinator.bind(cluster);
  const record = (answer: JoinGroupAnswer): void => {
    if (typeof answer.generationId === 'number' && typeof answer.memberId === 'string') last = { generationId: answer.generationId, memberId: answer.memberId };
  };
  cluster.findGroupCoordinator = async (group) => {
    const broker = await findGroupCoordinator(group);
    return new Proxy(broker, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        if (property !== 'joinGroup') return value.bind(target);
        return async (...args: unknown[]) => {
          const answer = (await value.apply(target, args)) as JoinGroupAnswer;
          record(answer);
          return answer;
        };
      },
    });
  };
  return { last: () => last };
}

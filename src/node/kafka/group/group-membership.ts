/**
 * A process's membership in a scale-out consumer group: a kafkajs consumer
 * subscribed to the group's topics with the co-partitioned assignor, running
 * with every partition paused, so it never fetches (the direct stream reads
 * exact ranges itself) yet heartbeats, follows rebalances and learns its
 * assignment. Offsets are committed only by `commitClaims`, checked against
 * the generation the caller planned on (transactional commits carry no
 * generation in kafkajs: see partition-claims.ts for how stale owners are
 * fenced instead).
 */
import type { Cluster, Consumer, KafkaConfig } from 'kafkajs';
import { Kafka, logLevel } from '../kafkajs.js';
import { InvalidArgumentError, KafkaError, type SluiceError } from '../../../errors.js';
import { toClaimError, toKafkaError } from '../kafka-errors.js';
import { coPartitionedAssigner, coPartitionedCount } from './co-partitioned-assigner.js';
import { recordJoinGenerations, type JoinGenerations } from './join-generations.js';

/** What this member owns in one group generation. */
export interface GroupAssignment {
  /** The broker's group generation id (increases with every rebalance). */
  readonly generation: number;
  readonly memberId: string;
  /** Tasks owned: partition i of every topic of the group, ascending. */
  readonly partitions: readonly number[];
}

/** A claim: the position of a partition and the claimer's transactional id as metadata. */
export interface ClaimOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string;
}

export interface GroupMembershipOptions {
  /** Bootstrap brokers (with `kafkajs` settings), unless `kafka` is given. */
  readonly brokers?: readonly string[];
  readonly kafkajs?: Omit<KafkaConfig, 'brokers'>;
  /** A kafkajs client to create the consumer with (instead of `brokers`). */
  readonly kafka?: Kafka;
  readonly groupId: string;
  /** The topics of the group (all with the same partition count). */
  readonly topics: readonly string[];
  /** How long the broker waits without a heartbeat before it drops this member. Default 10 000 (the broker's group.min.session.timeout.ms bounds it). */
  readonly sessionTimeoutMs?: number;
  /** Default min(1000, sessionTimeoutMs / 3): also how soon this member notices a rebalance. */
  readonly heartbeatIntervalMs?: number;
  /** How long a rebalance waits for members to rejoin. Default 30 000. */
  readonly rebalanceTimeoutMs?: number;
  /** How long join() waits for the first assignment. Default 60 000. */
  readonly joinTimeoutMs?: number;
  /** Called with every new assignment (each rebalance, even where the partitions stay the same). */
  readonly onChange?: (assignment: GroupAssignment) => void;
  /** Called when the membership stopped for good (the consumer crashed and kafkajs will not restart it). */
  readonly onError?: (error: SluiceError) => void;
}

const COMMIT_ATTEMPTS = 6;

export class GroupMembership {
  private current: GroupAssignment | undefined;
  private left = false;
  private ignored = 0;

  private constructor(
    private readonly consumer: Consumer,
    private readonly cluster: Cluster,
    readonly groupId: string,
    readonly topics: readonly string[],
  ) {}

  /** Joins the group; resolves with the membership once the first assignment arrived. */
  static async join(options: GroupMembershipOptions): Promise<GroupMembership> {
    const topics = [...new Set(options.topics)];
    if (topics.length === 0) throw new InvalidArgumentError('GroupMembership.join needs at least one topic.');
    const sessionTimeout = options.sessionTimeoutMs ?? 10_000;
    const heartbeatInterval = options.heartbeatIntervalMs ?? Math.max(100, Math.min(1000, Math.floor(sessionTimeout / 3)));
    if (!(heartbeatInterval < sessionTimeout)) throw new InvalidArgumentError(`heartbeatIntervalMs (${heartbeatInterval}) must be below sessionTimeoutMs (${sessionTimeout}).`);
    const kafka = options.kafka ?? new Kafka({ clientId: 'sluice', logLevel: logLevel.NOTHING, ...options.kafkajs, brokers: [...(options.brokers ?? [])] });

    let membership: GroupMembership | undefined;
    let cluster: Cluster | undefined;
    let generations: JoinGenerations | undefined;
    const assigner = coPartitionedAssigner({
      owned: () => {
        const owned = membership?.current;
        return owned === undefined ? undefined : { partitions: owned.partitions, generation: owned.generation };
      },
    });
    const consumer = kafka.consumer({
      groupId: options.groupId,
      partitionAssigners: [
        (config) => {
          cluster = config.cluster;
          generations = recordJoinGenerations(config.cluster);
          return assigner(config);
        },
      ],
      sessionTimeout,
      heartbeatInterval,
      rebalanceTimeout: options.rebalanceTimeoutMs ?? 30_000,
      // The fetch loop only sleeps (everything is paused) and heartbeats in between; a short wait keeps heartbeats on time.
      maxWaitTimeInMs: Math.min(100, heartbeatInterval),
      allowAutoTopicCreation: false,
      // kafkajs restarts a crashed consumer, even one disconnected while it was still joining (it would then rejoin on its own, forever).
      retry: { retries: 5, restartOnFailure: async () => membership?.left !== true },
    });
    if (cluster === undefined || generations === undefined) throw new Error('kafkajs did not create the partition assigner with the consumer');
    const self = new GroupMembership(consumer, cluster, options.groupId, topics);
    membership = self;
    const joined = generations;

    const pauseAll = (): void => consumer.pause(topics.map((topic) => ({ topic })));
    let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
    const first = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      // Before the fetch loop resumes (kafkajs emits this synchronously between SyncGroup and its next fetch); a restarted consumer starts unpaused.
      pauseAll();
      const generation = joined.last();
      if (generation === undefined || generation.memberId !== payload.memberId) {
        self.fail(new KafkaError('ERR_SLUICE_KAFKA', `Joined group ${options.groupId} without learning its generation; this kafkajs version is not supported by scale-out mode.`), settle, options.onError);
        return;
      }
      self.current = { generation: generation.generationId, memberId: payload.memberId, partitions: ownedTasks(payload.memberAssignment, topics) };
      settle?.resolve();
      try {
        options.onChange?.(self.current);
      } catch (error) {
        // Thrown into kafkajs's join it would crash the consumer; the membership itself is fine.
        options.onError?.(new KafkaError('ERR_SLUICE_KAFKA', `The onChange callback of group ${options.groupId} threw: ${String(error)}`, { cause: error }));
      }
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) self.fail(toKafkaError(payload.error, `keeping this process in group ${options.groupId}`), settle, options.onError);
    });

    const timeoutMs = options.joinTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics] });
      coPartitionedCount(new Map(topics.map((topic) => [topic, self.cluster.findTopicPartitionMetadata(topic).length])));
      const running = consumer.run({
        autoCommit: false,
        // Never called while everything is paused; if kafkajs ever delivers a batch, it is ignored (nothing is committed).
        eachBatch: async () => {
          self.ignored++;
          pauseAll();
        },
      });
      pauseAll();
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new KafkaError('ERR_SLUICE_KAFKA_COORDINATOR', `No assignment from group ${options.groupId} within ${timeoutMs} ms; check the group coordinator and the other members.`, { retriable: true })),
          timeoutMs,
        );
      });
      await Promise.race([running.then(() => first), first, timeout]);
      return self;
    } catch (error) {
      self.left = true;
      await consumer.disconnect().catch(() => undefined);
      throw toKafkaError(error, `joining group ${options.groupId}`);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Batches kafkajs delivered despite the pause (ignored, never committed); stays 0 unless kafkajs changes. */
  get ignoredBatches(): number {
    return this.ignored;
  }

  /** The current assignment; undefined after leave() or a failure. */
  assignment(): GroupAssignment | undefined {
    return this.current;
  }

  /**
   * Commits `offsets` (with their metadata) to the group as the member of
   * `generation`: the broker refuses it unless that generation is still the
   * group's current one and this process is still its member. Every partition
   * must be owned in that generation. A stale claim fails with
   * ERR_SLUICE_KAFKA_REBALANCED (retrying it cannot help: claim again for the next assignment).
   */
  async commitClaims(offsets: readonly ClaimOffset[], generation: number): Promise<void> {
    const current = this.current;
    if (current === undefined || current.generation !== generation) {
      throw new KafkaError(
        'ERR_SLUICE_KAFKA_REBALANCED',
        `A claim for generation ${generation} of group ${this.groupId} is stale: this member is ${current === undefined ? 'no longer in the group' : `in generation ${current.generation}`}. Claim again for the current assignment.`,
      );
    }
    const foreign = offsets.filter((o) => !this.topics.includes(o.topic) || !current.partitions.includes(o.partition));
    if (foreign.length > 0) {
      throw new InvalidArgumentError(
        `Cannot claim ${foreign.map((o) => `${o.topic}:${o.partition}`).join(', ')}: generation ${generation} of group ${this.groupId} gives this member partitions [${current.partitions.join(', ')}] of ${this.topics.join(', ')} only.`,
      );
    }
    if (offsets.length === 0) return;
    const topics = [...new Set(offsets.map((o) => o.topic))].map((topic) => ({
      topic,
      partitions: offsets.filter((o) => o.topic === topic).map(({ partition, offset, metadata }) => ({ partition, offset: String(offset), metadata })),
    }));
    for (let attempt = 1; ; attempt++) {
      try {
        const coordinator = await this.cluster.findGroupCoordinator({ groupId: this.groupId });
        await coordinator.offsetCommit({ groupId: this.groupId, groupGenerationId: generation, memberId: current.memberId, topics });
        return;
      } catch (error) {
        const failure = toClaimError(error, `claiming ${offsets.length} partitions for generation ${generation} of group ${this.groupId}`);
        // A coordinator moving or a lost connection may pass; the generation check stays with the broker, so a retry cannot commit for a later generation.
        if (!failure.retriable || attempt >= COMMIT_ATTEMPTS) throw failure;
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }

  /** Leaves the group now (the others get this member's partitions without waiting for its session to expire). */
  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    this.current = undefined;
    await this.consumer.disconnect();
  }

  private fail(error: SluiceError, settle: { reject: (error: unknown) => void } | undefined, onError?: (error: SluiceError) => void): void {
    this.current = undefined;
    settle?.reject(error);
    if (!this.left) onError?.(error);
  }
}

/** The tasks of an assignment: partitions assigned for every topic of the group. */
function ownedTasks(assignment: Readonly<Record<string, readonly number[] | undefined>>, topics: readonly string[]): number[] {
  const [first, ...rest] = topics.map((topic) => new Set(assignment[topic] ?? []));
  return [...(first ?? [])].filter((p) => rest.every((set) => set.has(p))).sort((a, b) => a - b);
}

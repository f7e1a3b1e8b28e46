/**
 * Taking over partitions in scale-out mode without KIP-447 (kafkajs's
 * transactional offset commits carry no group generation, so the broker
 * cannot refuse a commit from a process that lost the partition). Every
 * commit for a partition carries its committer's transactional id as offset
 * metadata, so whoever gains partition i:
 *  1. reads the committed offsets and metadata of partition i of each topic:
 *     the ids of everyone that may still commit for i;
 *  2. fences those ids (their open transaction is aborted, their later
 *     commits fail PRODUCER_FENCED), then reads again until no new id shows
 *     up: a previous owner may have committed between the read and its fencing;
 *  3. claims: commits the same offsets, metadata = its own id, checked against
 *     the generation that gave it i (refused if a rebalance happened since);
 *  4. reads them back (final now: everyone who could move them is fenced) and
 *     starts there.
 * A claim is accepted only while its generation is current; the next owner
 * reads after joining a later generation, so it sees every accepted claim and
 * fences it.
 * The claimer's own id is never fenced, so nothing here waits for the
 * claimer's own last transaction: its offsets show a moment after its commit
 * returned (the markers are written after), and a claim read before that
 * would roll them back. Claim partitions whose metadata may be your current
 * id only once your last commit settled (the next transaction's offsets wait
 * for it), or claim with a fresh id, which fences the old one and so waits.
 */
import { InvalidArgumentError, KafkaError } from '../../../errors.js';
import { type CommittedOffset, type KafkaClient, type PartitionOffset, type TopicPartition, partitionKey } from '../client.js';
import { byTopicPartition } from '../kafkajs-client.js';
import type { ClaimOffset, GroupAssignment } from './group-membership.js';

export interface ClaimRequest {
  readonly client: Pick<KafkaClient, 'committedOffsetsWithMetadata' | 'fenceTransactionalId'>;
  /** The membership (or anything that commits claims the same generation-checked way). */
  readonly membership: { commitClaims(offsets: readonly ClaimOffset[], generation: number): Promise<void> };
  readonly groupId: string;
  readonly topics: readonly string[];
  /** The assignment the partitions were gained in; the claim is void unless it is still current. */
  readonly assignment: GroupAssignment;
  /** Tasks to claim (partition i of every topic); each must be in `assignment`. */
  readonly partitions: readonly number[];
  /** This process's transactional id (never fenced by its own claim). */
  readonly transactionalId: string;
  /** Where partitions the group never committed start (e.g. the stream's startingOffsets); the claim commits it. */
  readonly initialOffsets: (uncommitted: readonly TopicPartition[]) => Promise<readonly PartitionOffset[]> | readonly PartitionOffset[];
}

export interface Claim {
  /** Where each claimed topic-partition starts, sorted by topic and partition. */
  readonly offsets: readonly PartitionOffset[];
  /** The transactional ids fenced (previous owners). */
  readonly fenced: readonly string[];
}

/** At most this many read-fence rounds: each round fences every id it found, so a second round normally finds none. */
const MAX_ROUNDS = 10;

/** Claims `partitions` (steps 1-4 above); ERR_SLUICE_KAFKA_REBALANCED where the assignment went stale meanwhile. */
export async function claimPartitions(request: ClaimRequest): Promise<Claim> {
  const { client, groupId, topics, assignment, transactionalId } = request;
  const tasks = [...new Set(request.partitions)].sort((a, b) => a - b);
  const foreign = tasks.filter((p) => !assignment.partitions.includes(p));
  if (foreign.length > 0) {
    throw new InvalidArgumentError(`Cannot claim partitions [${foreign.join(', ')}] of group ${groupId}: generation ${assignment.generation} assigned this process [${assignment.partitions.join(', ')}].`);
  }
  if (tasks.length === 0) return { offsets: [], fenced: [] };
  const wanted = new Set(tasks);

  const read = async (): Promise<CommittedOffset[]> => (await client.committedOffsetsWithMetadata(groupId, topics)).filter((o) => wanted.has(o.partition));
  const fenced = new Set<string>();
  let committed = await read();
  for (let round = 1; ; round++) {
    const owners = [...new Set(committed.map((o) => o.metadata))].filter((id): id is string => id !== null && id !== transactionalId && !fenced.has(id));
    if (owners.length === 0) break;
    if (round > MAX_ROUNDS) {
      throw new KafkaError('ERR_SLUICE_KAFKA', `Claiming partitions [${tasks.join(', ')}] of group ${groupId}: new committers kept appearing after ${MAX_ROUNDS} rounds of fencing (${owners.join(', ')}); another process is claiming with a stale assignment.`, { retriable: true });
    }
    await Promise.all(owners.map((id) => client.fenceTransactionalId(id)));
    for (const id of owners) fenced.add(id);
    committed = await read();
  }

  const have = new Set(committed.map(partitionKey));
  const uncommitted = topics.flatMap((topic) => tasks.map((partition) => ({ topic, partition }))).filter((tp) => !have.has(partitionKey(tp)));
  const initial = uncommitted.length === 0 ? [] : await request.initialOffsets(uncommitted);
  const start = new Map<string, PartitionOffset>(committed.map((o) => [partitionKey(o), { topic: o.topic, partition: o.partition, offset: o.offset }]));
  for (const tp of uncommitted) {
    const found = initial.find((o) => o.topic === tp.topic && o.partition === tp.partition);
    if (found === undefined) throw new InvalidArgumentError(`initialOffsets gave no offset for ${partitionKey(tp)}, which group ${groupId} never committed.`);
    start.set(partitionKey(tp), { topic: tp.topic, partition: tp.partition, offset: found.offset });
  }
  const offsets = [...start.values()].sort(byTopicPartition);
  await request.membership.commitClaims(
    offsets.map((o) => ({ ...o, metadata: transactionalId })),
    assignment.generation,
  );
  // Final now unless a later generation already moved a partition on (then its new owner claimed it after us).
  const after = new Map((await read()).map((o) => [partitionKey(o), o]));
  const lost = offsets.filter((o) => after.get(partitionKey(o))?.metadata !== transactionalId || after.get(partitionKey(o))?.offset !== o.offset);
  if (lost.length > 0) {
    throw new KafkaError(
      'ERR_SLUICE_KAFKA_REBALANCED',
      `Partitions ${lost.map(partitionKey).join(', ')} of group ${groupId} were committed by ${[...new Set(lost.map((o) => after.get(partitionKey(o))?.metadata ?? 'nobody'))].join(', ')} right after this process claimed them in generation ${assignment.generation}: the group rebalanced; claim again for the next assignment.`,
    );
  }
  return { offsets, fenced: [...fenced].sort() };
}

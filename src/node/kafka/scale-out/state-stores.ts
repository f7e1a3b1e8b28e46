/**
 * The keyed state of a scale-out graph: every PartitionedState operator
 * (updateStateByKey, mapWithState) with its changelog topic, named from the
 * operator's checkpoint name. The state of key k belongs to task
 * statePartition(k, N); what moves with a task moves here: dropped when the
 * task is lost, restored from the changelog when it is gained, and each
 * batch's changed keys written to the changelog in the batch's transaction.
 */
import type { DStreamGraph } from '../../../engine/graph.js';
import { ScaleOutError } from '../../../errors.js';
import { formatElement } from '../../../batch/format.js';
import { type PartitionedState, enablePartitionedStates } from '../../../stream/partitioned-state.js';
import { changelogRecords, changelogTopicName, initialStateLoadedRecord } from '../changelog/changelog-topic.js';
import { restoreChangelog } from '../changelog/restore-changelog.js';
import { statePartition } from '../changelog/state-keys.js';
import type { KafkaClient, OutgoingRecord, RangeReader } from '../client.js';

interface Store {
  readonly name: string;
  readonly topic: string;
  readonly state: PartitionedState;
  /** Partitions whose initial state this process loaded and has not written yet: the next batch writes their marker with it. */
  readonly initialStateDue: Set<number>;
}

/** What one restore read. */
export interface RestoreFigures {
  readonly records: number;
  readonly bytes: number;
  readonly ms: number;
}

export class StateStores {
  private reader: Promise<RangeReader> | undefined;
  /** N: the partition count of every topic of the group (set once the group connected). */
  private partitions = 0;

  private constructor(private readonly stores: readonly Store[]) {}

  /**
   * The PartitionedState operators of `graph`, switched to changelog-backed
   * state (no checkpoint store needed); throws for stateful operators that
   * cannot move with partitions (windows keeping state).
   */
  static of(graph: DStreamGraph, groupId: string): StateStores {
    const stores = [...enablePartitionedStates(graph)].map(([name, state]) => ({ name, topic: changelogTopicName(groupId, name), state, initialStateDue: new Set<number>() }));
    return new StateStores(stores);
  }

  setPartitionCount(partitions: number): void {
    this.partitions = partitions;
  }

  /** The changelog topics (one per stateful operator). */
  get topics(): string[] {
    return this.stores.map((s) => s.topic);
  }

  get isEmpty(): boolean {
    return this.stores.length === 0;
  }

  partitionOf(key: unknown): number {
    return statePartition(key, this.partitions);
  }

  /** Forgets the state of the keys of `tasks` (lost to another process). */
  drop(tasks: ReadonlySet<number>): void {
    if (tasks.size === 0) return;
    for (const { state, initialStateDue } of this.stores) {
      state.dropKeys((key) => tasks.has(this.partitionOf(key)));
      for (const task of tasks) initialStateDue.delete(task);
    }
  }

  /** Forgets all state (a reset: the changelog holds what was committed). */
  dropAll(): void {
    for (const { state, initialStateDue } of this.stores) {
      state.dropKeys(() => true);
      initialStateDue.clear();
    }
  }

  /**
   * Loads the committed state of `tasks` from the changelogs, before any
   * batch processes them (batch `time` is next). An operator with an initial
   * state gets it loaded for the tasks whose changelog partition was never
   * written (as Spark loads it only on a fresh start): the first process to
   * take a partition does it, once, and writes it with a marker in that batch.
   */
  async restore(client: KafkaClient, tasks: readonly number[], time: number): Promise<RestoreFigures> {
    let records = 0;
    let bytes = 0;
    const started = Date.now();
    if (tasks.length === 0) return { records, bytes, ms: 0 };
    // One reader of every changelog for the process's life: each new reader first joins a consumer group of its own
    // (group.initial.rebalance.delay.ms, 3 s on a default broker). The client closes it when the stream stops.
    this.reader ??= client.rangeReader(this.topics);
    const reader = await this.reader.catch((error: unknown) => {
      this.reader = undefined;
      throw error;
    });
    for (const { topic, state, initialStateDue } of this.stores) {
      const restored = await restoreChangelog(client, topic, [...tasks], { reader });
      state.restoreEntries(restored.entries);
      const fresh = new Set(tasks.filter((task) => !restored.written.includes(task)));
      if (fresh.size > 0 && state.loadInitialState?.((key) => fresh.has(this.partitionOf(key)), time) !== undefined) for (const task of fresh) initialStateDue.add(task);
      records += restored.records;
      bytes += restored.bytes;
    }
    return { records, bytes, ms: Date.now() - started };
  }

  /**
   * The changelog records of batch `time` per topic; throws a
   * StatePartitionError when a changed key belongs to a task this process
   * does not own (its state would be counted apart from the owner's).
   */
  changelog(time: number, owned: ReadonlySet<number>): { topic: string; records: OutgoingRecord[] }[] {
    const out: { topic: string; records: OutgoingRecord[] }[] = [];
    for (const { name, topic, state, initialStateDue } of this.stores) {
      const changes = state.changesAt(time);
      for (const [key] of changes) {
        const task = this.partitionOf(key);
        if (!owned.has(task)) throw notPartitioned(name, key, task, owned);
      }
      const markers = [...initialStateDue].filter((task) => owned.has(task)).map(initialStateLoadedRecord);
      initialStateDue.clear();
      if (changes.length > 0 || markers.length > 0) out.push({ topic, records: [...changelogRecords(changes, this.partitions), ...markers] });
    }
    return out;
  }
}

function notPartitioned(name: string, key: unknown, task: number, owned: ReadonlySet<number>): ScaleOutError {
  const mine = [...owned].sort((a, b) => a - b).join(', ');
  return new ScaleOutError(
    'ERR_SLUICE_SCALE_OUT_NOT_PARTITIONED',
    `The state of '${name}' got key ${formatElement(key)}, which belongs to partition ${task}, but this process owns partitions [${mine}]: ` +
      'the stream\'s keys are not partitioned like its input, so each process would keep a part of that key\'s state. ' +
      'Produce the input keyed by that key (Kafka\'s default partitioner puts a key in its partition), ' +
      'or send the pairs through repartitionThroughKafka(pairs) before the stateful operator.',
  );
}

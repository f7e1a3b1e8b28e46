/**
 * Keyed state that lives with the input partition owning each key, for
 * scale-out (many processes in one Kafka consumer group): the state is
 * durable in a changelog (not in a checkpoint store), so the operator
 * reports what each batch changed, drops the keys of partitions the process
 * lost and takes in the entries of partitions it gained. Which partition a
 * key belongs to is decided outside (sluice/node's statePartition), so the
 * core only sees predicates and entries.
 *
 * Implemented by updateStateByKey (StateDStream), mapWithState
 * (MapWithStateDStream) and the windows: ReducedWindowedDStream
 * (reduceByKeyAndWindow, countByValueAndWindow), whose state per key is its
 * values in the window and its running aggregate, and WindowedDStream
 * (window, groupByKeyAndWindow), whose elements must then be pairs. A
 * window aggregating the whole stream (reduceByWindow, countByWindow) has
 * one key and is refused.
 */
import type { DStream } from '../engine/dstream.js';
import type { DStreamGraph } from '../engine/graph.js';
import { isCheckpointable } from '../checkpoint/checkpointable.js';
import { nameGraph } from '../checkpoint/stream-names.js';
import { ScaleOutError } from '../errors.js';

/** One key's state after a batch; `undefined` state: the key was removed (a tombstone in the changelog). */
export type StateChange = readonly [key: unknown, state: unknown];

export interface PartitionedState {
  /**
   * Makes the operator's state durable elsewhere (a changelog): it no longer
   * requires a checkpoint store, and from now on it records each batch's
   * changes for changesAt. Call before start(). An initial state is then
   * loaded partition by partition (loadInitialState), not at the first batch.
   */
  enablePartitionedState(): void;
  readonly partitionedStateEnabled: boolean;
  /**
   * The keys whose state batch `time` changed, with their state after it
   * (undefined: removed), in the order they first changed. Computes the
   * batch if no output has yet. Kept for the last two batches only: call it
   * for each batch after its outputs, before the batch after next.
   */
  changesAt(time: number): StateChange[];
  /** Forgets the state of every key `drop` accepts (keys of partitions this process lost). */
  dropKeys(drop: (key: unknown) => boolean): void;
  /**
   * Sets the state of each key to the entry's state (entries as changesAt
   * gives them; undefined removes the key), keeping other keys. Keys must be
   * distinct (as restoreChangelog gives them).
   */
  restoreEntries(entries: Iterable<readonly [unknown, unknown]>): void;
  /** Every key that has state now. */
  stateKeys(): Iterable<unknown>;
  /**
   * Loads the operator's initial state (updateStateByKey's initialState,
   * StateSpec.initialState) for the keys `accept` takes, as of batch `time`,
   * and reports it with the changes of the next batch computed. Call it when
   * a partition is taken whose initial state was never loaded (the
   * changelog says which). Returns the entries loaded, or undefined when the
   * operator has no initial state.
   */
  loadInitialState?(accept: (key: unknown) => boolean, time: number): number | undefined;
}

export function isPartitionedState(stream: DStream<unknown>): stream is DStream<unknown> & PartitionedState {
  const candidate = stream as Partial<PartitionedState>;
  return (
    typeof candidate.enablePartitionedState === 'function' &&
    typeof candidate.changesAt === 'function' &&
    typeof candidate.dropKeys === 'function' &&
    typeof candidate.restoreEntries === 'function' &&
    typeof candidate.stateKeys === 'function'
  );
}

/**
 * The error to throw when `stream` keeps state across batches (it is
 * checkpointable) but cannot move it with a partition, naming the operator;
 * undefined when the stream is fine for scale-out (stateless, or a
 * PartitionedState). `name` is the operator's
 * checkpoint name when known.
 */
export function partitionedStateUnsupported(stream: DStream<unknown>, name?: string): ScaleOutError | undefined {
  if (!isCheckpointable(stream) || isPartitionedState(stream)) return undefined;
  const operator = name === undefined ? `${stream.checkpointKind} (${stream.constructor.name})` : `${stream.checkpointKind} '${name}'`;
  return new ScaleOutError(
    'ERR_SLUICE_SCALE_OUT_UNSUPPORTED',
    `The operator ${operator} keeps state across batches that cannot move to another process with its partition: ` +
      'scale-out supports updateStateByKey, mapWithState, reduceByKeyAndWindow / countByValueAndWindow, and window() / groupByKeyAndWindow of [key, value] pairs. ' +
      'Keep this operator in a single process (no scaleOut).',
  );
}

/**
 * Every PartitionedState operator of `graph` by its checkpoint name (the
 * one given with .name(...), else `<kind>#<n>`), after enabling partitioned
 * state on each. Throws ERR_SLUICE_SCALE_OUT_UNSUPPORTED for the first
 * operator whose state cannot be partitioned.
 */
export function enablePartitionedStates(graph: DStreamGraph): Map<string, DStream<unknown> & PartitionedState> {
  const found = new Map<string, DStream<unknown> & PartitionedState>();
  for (const [name, stream] of nameGraph(graph).operators) {
    const unsupported = partitionedStateUnsupported(stream, name);
    if (unsupported !== undefined) throw unsupported;
    if (!isPartitionedState(stream)) continue;
    stream.enablePartitionedState();
    found.set(name, stream);
  }
  return found;
}

/** Changes of the last batches of one operator, so changesAt can answer after later batches were computed. */
export class ChangeLog {
  private readonly byTime = new Map<number, StateChange[]>();

  /** Records batch `time`'s changes and forgets those older than the batch before it. */
  record(time: number, changes: StateChange[], slideMs: number): void {
    this.byTime.set(time, changes);
    for (const t of [...this.byTime.keys()]) if (t < time - slideMs) this.byTime.delete(t);
  }

  has(time: number): boolean {
    return this.byTime.has(time);
  }

  at(time: number, operator: string): StateChange[] {
    const changes = this.byTime.get(time);
    if (changes === undefined) {
      throw new ScaleOutError(
        'ERR_SLUICE_SCALE_OUT_CHANGES_GONE',
        `The state changes of ${operator} at batch ${time} are not kept (only those of the last two batches computed are): ` +
          'read changesAt(time) after each batch, before the batch after next is computed.',
      );
    }
    return changes;
  }

  clear(): void {
    this.byTime.clear();
  }
}

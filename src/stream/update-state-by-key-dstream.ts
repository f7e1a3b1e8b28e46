import { Batch, type Pair } from '../batch/batch.js';
import { KeyMap } from '../batch/key-map.js';
import { builtinOf, sum } from '../batch/builtins.js';
import type { CheckpointableStream, StateReader } from '../checkpoint/checkpointable.js';
import { keyedEntriesData, readKeyedEntries } from '../checkpoint/keyed-entries.js';
import { describeValue, requireFunction, requirePairs } from '../arguments.js';
import { DStream } from '../engine/dstream.js';
import { IllegalStateError, InvalidArgumentError, NumericOverflowError, ScaleOutError } from '../errors.js';
import { formatElement } from '../batch/format.js';
import { FusedDelimitedDStream } from './fused-delimited-dstream.js';
import { FusedWordCountDStream } from './fused-word-count-dstream.js';
import { KeyedSums } from './keyed-sums.js';
import { ChangeLog, type PartitionedState, type StateChange } from './partitioned-state.js';
import './reduce-by-key-dstream.js';

/** `(newValues, state) → new state`, or undefined to remove the key. `state` is undefined for a new key. */
export type UpdateStateFunction<V, S> = (values: V[], state: S | undefined) => S | undefined;

/** Options of `updateStateByKey(update, options)`. */
export interface UpdateStateOptions<K, S> {
  /** State to start from (Spark's initialRDD), applied before the first batch. */
  readonly initialState?: Iterable<Pair<K, S>>;
}

/**
 * `updateStateByKey(update)` (Spark's StateDStream): after each batch, every
 * key that has state or new values gets `update(values, state)` — values []
 * for a key without new data — and the result becomes its state; undefined
 * removes the key. Each batch of this stream is the whole state, in
 * first-insertion order (Spark's order is unspecified). Needs a checkpoint.
 *
 * With the built-in `runningSum` the state is a table of running sums (a
 * kernel table while keys are strings, see KeyedSums), and a word count or
 * delimited sum upstream adds its batch straight into that table: the
 * batch's keys are never decoded, only the state when it is read.
 *
 * For scale-out the state can be partitioned (see partitioned-state.ts):
 * then each batch records the keys it changed — the batch's keys, and keys
 * whose update returned another state (by Object.is) or removed it; a state
 * mutated in place without new values for its key is not seen.
 */
export class StateDStream<K, V, S> extends DStream<Pair<K, S>> implements CheckpointableStream, PartitionedState {
  readonly checkpointKind = 'updateStateByKey';
  readonly dependencies: readonly DStream<unknown>[];
  private readonly state = new KeyMap<K, S>();
  private readonly sums: KeyedSums<K> | undefined;
  private lastTime: number | undefined;
  private initial: Iterable<Pair<K, S>> | undefined;
  /** The changes() view, if made: it reads this stream without needing each batch's whole state. */
  private changesView: DStream<unknown> | undefined;
  /** Whether any stream reads this stream's batches (the whole state); decided at the first batch. */
  private wholeStateRead: boolean | undefined;
  /** Each batch's changes, once partitioned state is enabled. */
  private changeLog: ChangeLog | undefined;
  /** Partitioned: the initial state, loaded partition by partition; and what was loaded since the last batch (its changes). */
  private partitionedInitial: Pair<K, S>[] | undefined;
  private loadedInitial: StateChange[] = [];

  constructor(
    readonly parent: DStream<Pair<K, V>>,
    private readonly update: UpdateStateFunction<V, S>,
    options: UpdateStateOptions<K, S> = {},
  ) {
    if (typeof update !== 'function') throw new InvalidArgumentError('updateStateByKey needs an update function (values, state) => state | undefined');
    super(parent.context);
    this.dependencies = [parent];
    this.requiresCheckpoint = true;
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(`updateStateByKey(update, options): options is an object such as { initialState: [['a', 1]] } (there is no numPartitions); got ${describeValue(options)}`);
    }
    this.initial = options.initialState === undefined ? undefined : requirePairs<Pair<K, S>>('updateStateByKey: initialState', options.initialState);
    this.sums = builtinOf(update)?.kind === 'runningSum' ? new KeyedSums<K>(() => this.context.kernels) : undefined;
  }

  /** True when the state is a kernel table (runningSum with string keys). */
  get onKernelTable(): boolean {
    return this.sums?.onKernelTable ?? false;
  }

  compute(time: number): Batch<Pair<K, S>> | undefined {
    if (this.lastTime !== undefined && time <= this.lastTime) {
      // Only after a recovery: batches up to the checkpoint are not recomputed.
      return time === this.lastTime ? Batch.of(this.entries()) : undefined;
    }
    if (this.initial !== undefined) {
      this.load([...this.initial]);
      this.initial = undefined;
    }
    if (this.changeLog !== undefined) {
      const loaded = this.loadedInitial;
      this.loadedInitial = [];
      this.changeLog.record(time, [...loaded, ...this.computeTracked(time)], this.slideDurationMs);
    }
    else if (this.sums !== undefined) this.addToSums(time, this.sums);
    else this.applyUpdate(this.parent.getOrCompute(time));
    this.lastTime = time;
    // With millions of keys, decoding the whole state every batch costs more than the batch: skip it when nothing reads it.
    this.wholeStateRead ??= this.context.graph.streams().some((s) => s !== this.changesView && s.dependencies.includes(this));
    return this.wholeStateRead ? Batch.of(this.checkedEntries()) : Batch.empty();
  }

  /**
   * Each batch, the (key, state) pairs of the keys that had new values in
   * that batch, with their state after it (keys whose state the update
   * removed are left out), in the order the keys first appear in the batch.
   * Reads only those keys' state: with a large state, output this instead of
   * the whole state every batch.
   */
  changes(): DStream<Pair<K, S>> {
    const view = new StateChangesDStream<K, S>(this as unknown as StateDStream<K, unknown, S>);
    this.changesView = view;
    return view;
  }

  /** The state of `key` after the last batch computed (undefined when it has none); a running word count past 2^53 − 1 throws, as in checkedEntries. */
  stateOf(key: K): S | undefined {
    if (this.sums === undefined) return this.state.get(key);
    const sum = this.sums.get(key);
    if (sum !== undefined) this.checkCount(key, sum);
    return sum as S | undefined;
  }

  /** The keys with new values in batch `time` (after computing it), in first-appearance order. */
  keysOf(time: number): K[] {
    const keys = new KeyMap<K, true>();
    for (const [key] of this.parent.getOrCompute(time)?.collect() ?? []) keys.set(key, true);
    return [...keys].map(([key]) => key);
  }

  override release(): void {
    this.sums?.dispose();
  }

  get partitionedStateEnabled(): boolean {
    return this.changeLog !== undefined;
  }

  enablePartitionedState(): void {
    if (this.initial !== undefined) this.partitionedInitial = [...this.initial];
    this.initial = undefined;
    this.requiresCheckpoint = false;
    this.changeLog ??= new ChangeLog();
  }

  loadInitialState(accept: (key: unknown) => boolean): number | undefined {
    if (this.partitionedInitial === undefined) return undefined;
    const entries = this.partitionedInitial.filter(([key]) => accept(key));
    this.restoreEntries(entries);
    this.loadedInitial.push(...entries);
    return entries.length;
  }

  changesAt(time: number): StateChange[] {
    if (this.changeLog === undefined) throw new IllegalStateError('updateStateByKey: changesAt needs enablePartitionedState() before start()');
    this.advanceTo(time);
    return this.changeLog.at(time, 'updateStateByKey');
  }

  dropKeys(drop: (key: unknown) => boolean): void {
    this.loadedInitial = this.loadedInitial.filter(([key]) => !drop(key));
    if (this.sums !== undefined) {
      this.sums.retain(([key]) => !drop(key));
      return;
    }
    for (const [key] of [...this.state]) if (drop(key)) this.state.delete(key);
  }

  restoreEntries(entries: Iterable<readonly [unknown, unknown]>): void {
    if (this.sums === undefined) {
      for (const [key, state] of entries) this.set(key as K, state as S | undefined);
      return;
    }
    const pairs = [...entries] as unknown as Pair<K, number | undefined>[];
    for (const [key, state] of pairs) {
      if (state !== undefined && typeof state !== 'number') {
        throw new ScaleOutError(
          'ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT',
          `updateStateByKey(runningSum) cannot restore the state ${formatElement(state)} of key ${formatElement(key)}: running sums are numbers. ` +
            'The changelog was written by another operator; give this one a new .name(...) or delete the changelog topic (its state is then lost).',
        );
      }
    }
    this.sums.put(pairs);
  }

  stateKeys(): Iterable<unknown> {
    return this.entries().map(([key]) => key);
  }

  /** Computes batch `time` while recording the keys it changed, with their state after it. */
  private computeTracked(time: number): StateChange[] {
    if (this.sums === undefined) {
      const changes: StateChange[] = [];
      this.applyUpdate(this.parent.getOrCompute(time), changes);
      return changes;
    }
    // The batch's per-key sums (decoded, even on the fused path: the changelog needs the keys), then each key's new sum.
    const pairs = (this.parent.getOrCompute(time)?.collect() ?? []) as unknown as Pair<K, number>[];
    this.sums.add(pairs);
    // The parent is reduceByKey(sum) (or its fused kernel form), so the batch's keys are distinct.
    return pairs.map(([key]) => [key, this.stateOf(key)] as const);
  }

  advanceTo(time: number): void {
    if (this.isTimeValid(time)) this.getOrCompute(time);
  }

  checkpointState(): unknown {
    return { lastTime: this.lastTime ?? null, entries: keyedEntriesData<K, unknown>(this.entries()) };
  }

  restoreState(state: unknown, reader: StateReader): void {
    const saved = reader.record(state);
    const entries = readKeyedEntries(saved.entries, reader, 'the state') as Pair<K, S>[];
    if (this.sums !== undefined && !entries.every(([, v]) => typeof v === 'number')) {
      throw reader.incompatible('the state holds values that are not numbers, which runningSum cannot continue');
    }
    this.load(entries);
    this.checkedEntries();
    // State saved before the first batch (getOrCreate's first checkpoint) still starts from initialState.
    if (saved.lastTime !== null) this.initial = undefined;
    this.lastTime = saved.lastTime === null ? undefined : reader.number(saved.lastTime, 'lastTime');
  }

  private entries(): Pair<K, S>[] {
    return this.sums !== undefined ? (this.sums.entries() as unknown as Pair<K, S>[]) : [...this.state];
  }

  /**
   * The entries, after making sure that running word counts are still exact:
   * a count past 2^53 − 1 (Number.MAX_SAFE_INTEGER) would no longer grow by
   * one per word (2^53 + 1 rounds to 2^53), so it fails the batch, or the
   * restore of a checkpoint holding one, instead of being rounded silently.
   */
  private checkedEntries(): Pair<K, S>[] {
    const entries = this.entries();
    if (this.sums === undefined || !(this.parent instanceof FusedWordCountDStream)) return entries;
    for (const [key, count] of entries as unknown as Pair<K, number>[]) this.checkCount(key, count);
    return entries;
  }

  private checkCount(key: K, count: number): void {
    if (!(this.parent instanceof FusedWordCountDStream) || count <= Number.MAX_SAFE_INTEGER) return;
    throw new NumericOverflowError(
      `The running count of ${formatElement(key)} is ${count}, past 2^53 - 1 (Number.MAX_SAFE_INTEGER), where counts stop being exact; ` +
        'start this state afresh (an empty checkpoint store) to keep counting exactly.',
    );
  }

  private load(entries: readonly Pair<K, S>[]): void {
    if (this.sums !== undefined) {
      this.sums.load(entries as unknown as Pair<K, number>[]);
      return;
    }
    this.state.clear();
    for (const [k, s] of entries) this.state.set(k, s);
  }

  /** runningSum: the batch's values go straight into the sums (in one kernel pass when the parent is a fused chain). */
  private addToSums(time: number, sums: KeyedSums<K>): void {
    const parent: DStream<unknown> = this.parent;
    const kernels = this.context.kernels;
    if (kernels !== undefined && (parent instanceof FusedWordCountDStream || parent instanceof FusedDelimitedDStream)) {
      const records = parent.lines.getOrCompute(time)?.asRecordBatch();
      if (records !== undefined) {
        if (parent instanceof FusedWordCountDStream && sums.intoTable((table) => kernels.wordCountInto(table, records.data))) {
          this.context.recordKernelCall(time);
          return;
        }
        if (parent instanceof FusedDelimitedDStream && parent.spec.reducer === 'sum') {
          let malformed = 0;
          if (sums.intoTable((table) => ({ malformed } = kernels.aggregateDelimitedInto(table, records.data, parent.spec)))) {
            parent.parser.countMalformed(time, malformed);
            this.context.recordKernelCall(time);
            return;
          }
        }
      }
    }
    const batch = this.parent.getOrCompute(time);
    if (batch !== undefined) sums.add(batch.collect() as unknown as Pair<K, number>[]);
  }

  private applyUpdate(batch: Batch<Pair<K, V>> | undefined, changes?: StateChange[]): void {
    const incoming = new KeyMap<K, V[]>();
    for (const [key, value] of batch?.collect() ?? []) {
      const values = incoming.get(key);
      if (values === undefined) incoming.set(key, [value]);
      else values.push(value);
    }
    const existing = [...this.state];
    for (const [key, previous] of existing) {
      const values = incoming.get(key);
      const next = this.update(values ?? [], previous);
      this.set(key, next);
      if (changes !== undefined && (values !== undefined || !Object.is(next, previous))) changes.push([key, next]);
    }
    const hadState = new KeyMap(existing);
    for (const [key, values] of incoming) {
      if (hadState.has(key)) continue;
      const next = this.update(values, undefined);
      this.set(key, next);
      if (changes !== undefined && next !== undefined) changes.push([key, next]);
    }
  }

  private set(key: K, next: S | undefined): void {
    if (next === undefined) this.state.delete(key);
    else this.state.set(key, next);
  }
}

/** StateDStream.changes(): per batch, the state of the keys that batch touched. */
class StateChangesDStream<K, S> extends DStream<Pair<K, S>> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(private readonly source: StateDStream<K, unknown, S>) {
    super(source.context);
    this.dependencies = [source];
  }

  compute(time: number): Batch<Pair<K, S>> | undefined {
    if (this.source.getOrCompute(time) === undefined) return undefined;
    const changed: Pair<K, S>[] = [];
    for (const key of this.source.keysOf(time)) {
      const state = this.source.stateOf(key);
      if (state !== undefined) changed.push([key, state]);
    }
    return Batch.of(changed);
  }
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Per-key state across batches: `update(newValues, state)` returns the new
     * state, or undefined to remove the key. Each batch is the whole state.
     * `updateStateByKey(runningSum)` keeps running totals in a kernel table.
     * Needs ssc.checkpoint(store).
     */
    updateStateByKey<K, V, S>(this: DStream<Pair<K, V>>, update: UpdateStateFunction<V, S>, options?: UpdateStateOptions<K, S>): StateDStream<K, V, S>;
  }
}

DStream.prototype.updateStateByKey = function updateStateByKey<K, V, S>(
  this: DStream<Pair<K, V>>,
  update: UpdateStateFunction<V, S>,
  options?: UpdateStateOptions<K, S>,
): StateDStream<K, V, S> {
  requireFunction('updateStateByKey(update)', update, 'updateStateByKey((values, state) => (state ?? 0) + values.length) or updateStateByKey(runningSum)');
  // Running sums only need each batch's per-key sum, so the built-in chains before it fuse into one kernel call.
  const source = builtinOf(update)?.kind === 'runningSum' ? this.reduceByKey(sum as unknown as (a: V, b: V) => V) : this;
  return new StateDStream(source as DStream<Pair<K, V>>, update, options);
};

import { Batch, type Pair } from '../batch/batch.js';
import { KeyMap } from '../batch/key-map.js';
import { builtinOf } from '../batch/builtins.js';
import type { CheckpointableStream, StateReader } from '../checkpoint/checkpointable.js';
import { keyedEntriesData, readKeyedEntries } from '../checkpoint/keyed-entries.js';
import { requireFunction } from '../arguments.js';
import { DStream } from '../engine/dstream.js';
import { IllegalStateError, InvalidArgumentError, ScaleOutError } from '../errors.js';
import { KeyedSums } from './keyed-sums.js';
import type { PartitionedState, StateChange } from './partitioned-state.js';
import { WindowBuffer } from './window-buffer.js';
import { WindowKeyIndex } from './window-key-index.js';
import { type WindowKeyState, groupWindowState, windowAggregateChange, windowPartitionKey, windowValueChange } from './window-key-state.js';
import { checkWindow } from './window-args.js';
import './reduce-by-key-dstream.js';

type Reduce<V> = (a: V, b: V) => V;
type KeepPair<K, V> = (pair: Pair<K, V>) => boolean;

/**
 * `reduceByKeyAndWindow`: every slide, the values of each key over the
 * window (t − windowMs, t], reduced. Each parent batch is first reduced by
 * key on its own (`parent.reduceByKey(reduce)`, so built-in chains run as one
 * kernel call), and those per-batch results are what the window combines.
 *
 * Without `inverse`, each window reduces the per-batch results in it.
 * With `inverse`, a running aggregate is kept (Spark's ReducedWindowedDStream):
 * batches entering the window are reduced in, batches leaving it are
 * inverse-reduced out, and keys `filter` rejects are dropped from the
 * aggregate. That needs a checkpoint store. With the built-ins
 * `reduceByKeyAndWindow(sum, subtract, …, nonZero?)` the aggregate is a
 * kernel table (see KeyedSums) and keys reaching 0 are dropped by the
 * subtraction itself.
 *
 * A key with no value in the previous window takes the reduce of its
 * entering values, and its leaving values are ignored (Spark's rule). The
 * built-ins without a filter or with nonZero treat a missing key as 0 (its
 * sum is exactly 0 there), which is the same for counts.
 *
 * In scale-out (partitioned state) a key's window state is its values in the
 * buffer and its running aggregate (window-key-state.ts): each batch reports
 * the values and aggregates it changed, and a key moved from another process
 * is merged into this one's buffer and brought in line with the batches
 * this process's aggregate holds.
 */
export class ReducedWindowedDStream<K, V> extends DStream<Pair<K, V>> implements CheckpointableStream, PartitionedState {
  readonly checkpointKind = 'reduceByKeyAndWindow';
  readonly dependencies: readonly DStream<unknown>[];
  /** The parent reduced by key per batch. */
  readonly reduced: DStream<Pair<K, V>>;
  readonly windowMs: number;
  private readonly slideMs: number;
  private readonly buffer: WindowBuffer<readonly Pair<K, V>[]>;
  /** Inverse form: parent times whose values are in the aggregate. */
  private readonly added = new Set<number>();
  /** Inverse form with built-ins: the aggregate as running sums. */
  private readonly sums: KeyedSums<K> | undefined;
  /** Inverse form with user functions: the aggregate. */
  private readonly aggregate = new KeyMap<K, V>();
  /** Partitioned state: the buffer by key, and each batch's changes. */
  private byKey: WindowKeyIndex<K, V> | undefined;
  /** Parent times up to this one have left the buffer. */
  private droppedThrough = -Infinity;

  constructor(
    parent: DStream<Pair<K, V>>,
    private readonly reduceFn: Reduce<V>,
    private readonly inverseFn: Reduce<V> | undefined,
    windowMs: number,
    slideMs: number | undefined,
    private readonly filterFn: KeepPair<K, V> | undefined,
    /** Set when the operator aggregates the whole stream under one key (reduceByWindow, countByWindow): its name, for scale-out's refusal. */
    private readonly wholeStream?: string,
  ) {
    const checked = checkWindow(parent, 'reduceByKeyAndWindow', windowMs, slideMs);
    if (typeof reduceFn !== 'function') throw new InvalidArgumentError('reduceByKeyAndWindow needs a reduce function');
    if (filterFn !== undefined && inverseFn === undefined) {
      throw new InvalidArgumentError('reduceByKeyAndWindow: a filter function needs the inverse form (reduce, inverse, windowMs, slideMs, filter)');
    }
    const reduced = parent.reduceByKey(reduceFn);
    super(parent.context);
    this.reduced = reduced;
    this.dependencies = [reduced];
    this.windowMs = checked.windowMs;
    this.slideMs = checked.slideMs;
    this.requiresCheckpoint = inverseFn !== undefined;
    this.buffer = new WindowBuffer(reduced.slideDurationMs, () => this.zeroTime, (t) => this.fetch(t), (a, b) => (a === undefined ? b : [...a, ...b]));
    const reducer = builtinOf(reduceFn);
    const builtinSums = (reducer?.kind === 'reducer' && (reducer.reducer === 'sum' || reducer.reducer === 'count')) && builtinOf(inverseFn)?.kind === 'subtract';
    this.sums = builtinSums ? new KeyedSums<K>(() => this.context.kernels) : undefined;
  }

  override get slideDurationMs(): number {
    return this.slideMs;
  }

  override parentRememberDurationMs(): number {
    return (this.rememberDurationMs ?? this.slideMs) + this.windowMs;
  }

  /** True when the running aggregate is in a kernel table (inverse form with the built-ins). */
  get onKernelTable(): boolean {
    return this.sums?.onKernelTable ?? false;
  }

  compute(time: number): Batch<Pair<K, V>> {
    const from = time - this.windowMs;
    this.buffer.fill(from, time);
    if (this.inverseFn === undefined) {
      const inWindow = this.buffer.timesBetween(from, time).map((t) => this.buffer.get(t) as readonly Pair<K, V>[]);
      // Partitioned, a key's values may move to a process whose windows slide at other times: keep what any window after this batch needs.
      this.dropThrough(time + (this.byKey === undefined ? this.slideMs : this.reduced.slideDurationMs) - this.windowMs);
      return Batch.of([...this.combine(inWindow)]);
    }
    const entering = this.buffer.timesBetween(from, time).filter((t) => !this.added.has(t));
    const leaving = [...this.added].filter((t) => t <= from).sort((a, b) => a - b);
    const batchesAt = (times: number[]): (readonly Pair<K, V>[])[] => times.map((t) => this.buffer.get(t) as readonly Pair<K, V>[]);
    const byKey = this.byKey;
    if (byKey !== undefined) {
      for (const t of [...entering, ...leaving]) {
        for (const [key] of this.buffer.get(t) as readonly Pair<K, V>[]) {
          byKey.valueChanged(key, t);
          byKey.aggregateChanged(key);
        }
      }
    }
    const result =
      this.sums !== undefined ? (this.slideSums(batchesAt(entering), batchesAt(leaving)) as unknown as Pair<K, V>[])
      : this.slideAggregate(batchesAt(entering), batchesAt(leaving), this.inverseFn);
    for (const t of entering) this.added.add(t);
    for (const t of leaving) this.added.delete(t);
    this.dropThrough(from);
    return Batch.of(result);
  }

  private fetch(time: number): readonly Pair<K, V>[] | undefined {
    const pairs = this.reduced.getOrCompute(time)?.collect();
    if (pairs !== undefined) this.byKey?.added(time, pairs, this.reduceFn);
    return pairs;
  }

  private dropThrough(time: number): void {
    for (const [t, pairs] of this.buffer.dropThrough(time)) this.byKey?.removed(t, pairs);
    this.droppedThrough = Math.max(this.droppedThrough, time);
  }

  /** A filter that also reports the keys it drops as changed. */
  private keepTracked(keep: KeepPair<K, V>): KeepPair<K, V> {
    const byKey = this.byKey;
    if (byKey === undefined) return keep;
    return (pair) => {
      const kept = keep(pair);
      if (!kept) byKey.aggregateChanged(pair[0]);
      return kept;
    };
  }

  get partitionedStateEnabled(): boolean {
    return this.byKey !== undefined;
  }

  enablePartitionedState(): void {
    if (this.wholeStream !== undefined) {
      throw new ScaleOutError(
        'ERR_SLUICE_SCALE_OUT_UNSUPPORTED',
        `${this.wholeStream} aggregates the whole stream as one value, which cannot be split among the processes of a scale-out group. ` +
          'Key the aggregate (reduceByKeyAndWindow, countByValueAndWindow) so each key lives with its partition, or run it in a single process (no scaleOut).',
      );
    }
    this.requiresCheckpoint = false;
    this.byKey ??= new WindowKeyIndex<K, V>(this, this.reduced.slideDurationMs, 'reduceByKeyAndWindow');
  }

  /** Entries are `[[key, time], [value, inAggregate]]` for values and `[[key], aggregate]` (see window-key-state.ts). */
  changesAt(time: number): StateChange[] {
    const byKey = this.byKey;
    if (byKey === undefined) throw new IllegalStateError('reduceByKeyAndWindow: changesAt needs enablePartitionedState() before start()');
    this.advanceTo(time);
    return byKey.changesAt(time, ({ values, aggregates }) => {
      const changes = values.map(([key, t]) => {
        const value = byKey.valueAt(key, t);
        return windowValueChange(key, t, value === undefined ? undefined : [value, this.added.has(t)]);
      });
      if (this.inverseFn !== undefined) for (const key of aggregates) changes.push(windowAggregateChange(key, this.aggregateOf(key)));
      return changes;
    });
  }

  partitionKeyOf(changelogKey: unknown): unknown {
    return windowPartitionKey(changelogKey);
  }

  dropKeys(drop: (key: unknown) => boolean): void {
    this.buffer.rewrite((pairs) => pairs.filter(([key]) => !drop(key)));
    for (const key of this.byKey?.keys() ?? []) if (drop(key)) this.byKey?.forget(key);
    if (this.sums !== undefined) this.sums.retain(([key]) => !drop(key));
    for (const [key] of [...this.aggregate]) if (drop(key)) this.aggregate.delete(key);
  }

  restoreEntries(entries: Iterable<readonly [unknown, unknown]>): void {
    if (this.byKey === undefined) throw new IllegalStateError('reduceByKeyAndWindow: restoreEntries needs enablePartitionedState() before start()');
    const restored = groupWindowState<K, V>(entries, { operator: 'reduceByKeyAndWindow', lists: false, inverse: this.inverseFn !== undefined, sums: this.sums !== undefined });
    this.dropKeys((key) => restored.has(key as K));
    for (const [key, state] of restored) this.restoreKey(key, state);
  }

  stateKeys(): Iterable<unknown> {
    const keys = new KeyMap<K, true>();
    for (const key of this.byKey?.keys() ?? []) keys.set(key, true);
    for (const [key] of this.sums?.entries() ?? this.aggregate) keys.set(key, true);
    return [...keys].map(([key]) => key);
  }

  private aggregateOf(key: K): V | undefined {
    return this.sums !== undefined ? (this.sums.get(key) as V | undefined) : this.aggregate.get(key);
  }

  /**
   * Takes in `key`'s window state, moved here from another process: values from before
   * this process's window are left out; the aggregate is brought in line
   * with the parent times this process has in its aggregate (a value the
   * other process had added and this one has not is taken out, to enter
   * with this process's window, and the reverse is added now).
   */
  private restoreKey(key: K, state: WindowKeyState<V>): void {
    let aggregate = state.aggregate;
    const inverse = this.inverseFn;
    const takeOut = (value: V): void => {
      if (inverse !== undefined && aggregate !== undefined) aggregate = inverse(aggregate, value);
    };
    for (const [t, value, inAggregate] of state.values) {
      if (t <= this.droppedThrough) {
        if (inAggregate) takeOut(value);
        continue;
      }
      if (inAggregate && !this.added.has(t)) takeOut(value);
      if (!inAggregate && this.added.has(t)) aggregate = aggregate === undefined ? value : this.reduceFn(aggregate, value);
      this.buffer.add(t, [[key, value]]);
      this.byKey?.added(t, [[key, value]], this.reduceFn);
    }
    if (inverse === undefined) return;
    // The values are written again with this process's flags: the aggregate that matches them goes with them.
    this.byKey?.aggregateChanged(key);
    if (aggregate === undefined) return;
    if (this.sums !== undefined) this.sums.put([[key, aggregate as unknown as number]]);
    else this.aggregate.set(key, aggregate);
  }

  override release(): void {
    this.sums?.dispose();
  }

  advanceTo(time: number): void {
    this.buffer.fillForNextWindow(time, this.windowMs, this.slideMs);
  }

  checkpointState(): unknown {
    const aggregate = this.inverseFn === undefined ? null : keyedEntriesData<K, unknown>(this.sums !== undefined ? this.sums.entries() : [...this.aggregate]);
    return {
      windowMs: this.windowMs,
      slideMs: this.slideMs,
      ...this.buffer.snapshot((pairs) => pairs),
      added: [...this.added].sort((a, b) => a - b),
      aggregate,
    };
  }

  restoreState(state: unknown, reader: StateReader): void {
    const saved = reader.record(state);
    reader.same(saved.windowMs, this.windowMs, 'the window length');
    reader.same(saved.slideMs, this.slideMs, 'the slide');
    if ((saved.aggregate === null) !== (this.inverseFn === undefined)) {
      throw reader.incompatible(
        this.inverseFn === undefined ? 'it was saved by the inverse form (with a running aggregate), and the operator now has no inverse function'
        : 'it was saved without an inverse function, so there is no running aggregate to continue',
      );
    }
    const batches = reader.array(saved.batches, 'the window buffer').map((entry) => {
      const [t, pairs] = reader.array(entry, 'a buffered batch');
      return [reader.number(t, 'a batch time'), pairs === null ? undefined : (reader.array(pairs, 'a buffered batch') as Pair<K, V>[])] as const;
    });
    const added = reader.array(saved.added, 'the times in the window').map((t) => reader.number(t, 'a time in the window'));
    if (this.inverseFn !== undefined) {
      const entries = readKeyedEntries(saved.aggregate, reader, 'the running aggregate') as [K, V][];
      if (this.sums !== undefined) {
        if (!entries.every(([, v]) => typeof v === 'number')) throw reader.incompatible('the running aggregate holds values that are not numbers, which sum cannot continue');
        this.sums.load(entries as unknown as Pair<K, number>[]);
      } else {
        this.aggregate.clear();
        for (const [k, v] of entries) this.aggregate.set(k, v);
      }
    }
    this.buffer.restore(saved.filledThrough === null ? null : reader.number(saved.filledThrough, 'filledThrough'), batches);
    this.added.clear();
    for (const t of added) this.added.add(t);
  }

  /** Per-key reduce of already-reduced batches (user reducers combine partial results; so does count: by adding). */
  private combine(batches: readonly (readonly Pair<K, V>[])[]): KeyMap<K, V> {
    const acc = new KeyMap<K, V>();
    for (const batch of batches) {
      for (const [key, value] of batch) acc.set(key, acc.has(key) ? this.reduceFn(acc.get(key) as V, value) : value);
    }
    return acc;
  }

  /** The built-in path; returns the new window's entries. */
  private slideSums(entering: (readonly Pair<K, V>[])[], leaving: (readonly Pair<K, V>[])[]): Pair<K, number>[] {
    const sums = this.sums as KeyedSums<K>;
    const dropZero = builtinOf(this.filterFn)?.kind === 'nonZero';
    const keep = this.filterFn;
    // A user filter can drop a key whose sum is not 0, so its leaving values were never in the sum: as in Spark (and the closure path), a key
    // missing from the previous window takes only its entering values. Without one, or with nonZero, a missing key's sum is exactly 0.
    const subtracted = keep === undefined || dropZero ? leaving : leaving.map((batch) => batch.filter(([key]) => sums.get(key) !== undefined));
    for (const batch of entering) sums.add(batch as unknown as Pair<K, number>[]);
    for (const batch of subtracted) sums.subtract(batch as unknown as Pair<K, number>[], dropZero);
    // nonZero still runs: a key entering with a per-batch sum of 0 is not dropped by the subtraction.
    return keep === undefined ? sums.entries() : sums.retain(this.keepTracked(keep) as unknown as KeepPair<K, number>);
  }

  /** The user-function path (Spark's rules); returns the new window's entries. */
  private slideAggregate(entering: (readonly Pair<K, V>[])[], leaving: (readonly Pair<K, V>[])[], inverse: Reduce<V>): Pair<K, V>[] {
    const incoming = this.combine(entering);
    const outgoing = this.combine(leaving);
    for (const [key, previous] of this.aggregate) {
      let value = previous;
      if (outgoing.has(key)) value = inverse(value, outgoing.get(key) as V);
      if (incoming.has(key)) value = this.reduceFn(value, incoming.get(key) as V);
      this.aggregate.set(key, value);
    }
    for (const [key, value] of incoming) if (!this.aggregate.has(key)) this.aggregate.set(key, value);
    const keep = this.filterFn;
    if (keep !== undefined) {
      const kept = this.keepTracked(keep);
      for (const pair of [...this.aggregate]) if (!kept(pair)) this.aggregate.delete(pair[0]);
    }
    return [...this.aggregate];
  }
}

declare module '../engine/dstream.js' {
  interface DStream<T> {
    /**
     * Every `slideMs` (default: this stream's slide), the values of each key
     * over the last `windowMs`, reduced with `reduce`.
     */
    reduceByKeyAndWindow<K, V>(this: DStream<Pair<K, V>>, reduce: (a: V, b: V) => V, windowMs: number, slideMs?: number): DStream<Pair<K, V>>;
    /**
     * The incremental form: `inverse` undoes `reduce` for batches leaving the
     * window (e.g. `sum` and `subtract`); `filter` drops keys from the result
     * and the running aggregate (e.g. `nonZero`). Needs ssc.checkpoint(store).
     */
    reduceByKeyAndWindow<K, V>(
      this: DStream<Pair<K, V>>,
      reduce: (a: V, b: V) => V,
      inverse: (a: V, b: V) => V,
      windowMs: number,
      slideMs?: number,
      filter?: (pair: Pair<K, V>) => boolean,
    ): DStream<Pair<K, V>>;
  }
}

DStream.prototype.reduceByKeyAndWindow = function reduceByKeyAndWindow<K, V>(
  this: DStream<Pair<K, V>>,
  reduce: Reduce<V>,
  inverseOrWindow: Reduce<V> | number,
  windowOrSlide?: number,
  slide?: number,
  filter?: KeepPair<K, V>,
): DStream<Pair<K, V>> {
  requireFunction('reduceByKeyAndWindow(reduce, ...)', reduce, 'reduceByKeyAndWindow(sum, 30_000, 10_000)');
  if (typeof inverseOrWindow === 'function') {
    if (windowOrSlide === undefined) throw new InvalidArgumentError('reduceByKeyAndWindow(reduce, inverse, windowMs, slideMs?, filter?) needs windowMs');
    if (filter !== undefined) requireFunction('reduceByKeyAndWindow(reduce, inverse, windowMs, slideMs, filter)', filter, 'reduceByKeyAndWindow(sum, subtract, 30_000, 10_000, nonZero)');
    return new ReducedWindowedDStream(this, reduce, inverseOrWindow, windowOrSlide, slide, filter);
  }
  return new ReducedWindowedDStream(this, reduce, undefined, inverseOrWindow, windowOrSlide, undefined);
} as DStream<unknown>['reduceByKeyAndWindow'];

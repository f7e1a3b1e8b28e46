import { Batch, type Pair } from '../batch/batch.js';
import { KeyMap } from '../batch/key-map.js';
import { builtinOf } from '../batch/builtins.js';
import type { CheckpointableStream, StateReader } from '../checkpoint/checkpointable.js';
import { keyedEntriesData, readKeyedEntries } from '../checkpoint/keyed-entries.js';
import { requireFunction } from '../arguments.js';
import { DStream } from '../engine/dstream.js';
import { InvalidArgumentError } from '../errors.js';
import { KeyedSums } from './keyed-sums.js';
import { WindowBuffer } from './window-buffer.js';
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
 * With user functions, a key with no value in the previous window takes the
 * reduce of its entering values, and its leaving values are ignored (Spark's
 * rule); the built-ins treat a missing key as 0, which is the same for counts.
 */
export class ReducedWindowedDStream<K, V> extends DStream<Pair<K, V>> implements CheckpointableStream {
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

  constructor(
    parent: DStream<Pair<K, V>>,
    private readonly reduceFn: Reduce<V>,
    private readonly inverseFn: Reduce<V> | undefined,
    windowMs: number,
    slideMs: number | undefined,
    private readonly filterFn: KeepPair<K, V> | undefined,
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
    this.buffer = new WindowBuffer(reduced.slideDurationMs, () => this.zeroTime, (t) => reduced.getOrCompute(t)?.collect());
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
      this.buffer.dropThrough(time + this.slideMs - this.windowMs);
      return Batch.of([...this.combine(inWindow)]);
    }
    const entering = this.buffer.timesBetween(from, time).filter((t) => !this.added.has(t));
    const leaving = [...this.added].filter((t) => t <= from).sort((a, b) => a - b);
    const batchesAt = (times: number[]): (readonly Pair<K, V>[])[] => times.map((t) => this.buffer.get(t) as readonly Pair<K, V>[]);
    const result =
      this.sums !== undefined ? (this.slideSums(batchesAt(entering), batchesAt(leaving)) as unknown as Pair<K, V>[])
      : this.slideAggregate(batchesAt(entering), batchesAt(leaving), this.inverseFn);
    for (const t of entering) this.added.add(t);
    for (const t of leaving) this.added.delete(t);
    this.buffer.dropThrough(from);
    return Batch.of(result);
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
    for (const batch of entering) sums.add(batch as unknown as Pair<K, number>[]);
    for (const batch of leaving) sums.subtract(batch as unknown as Pair<K, number>[], dropZero);
    const keep = this.filterFn;
    // nonZero still runs: a key entering with a per-batch sum of 0 is not dropped by the subtraction.
    return keep === undefined ? sums.entries() : sums.retain(keep as unknown as KeepPair<K, number>);
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
    if (keep !== undefined) for (const pair of [...this.aggregate]) if (!keep(pair)) this.aggregate.delete(pair[0]);
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
    return new ReducedWindowedDStream(this, reduce, inverseOrWindow, windowOrSlide, slide, filter);
  }
  return new ReducedWindowedDStream(this, reduce, undefined, inverseOrWindow, windowOrSlide, undefined);
} as DStream<unknown>['reduceByKeyAndWindow'];

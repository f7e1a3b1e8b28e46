/**
 * One micro-batch of data: Spark's RDD, for a single batch time. Elements are
 * held in partitions (arrays); `saveAsTextFiles` writes one part file per
 * partition and `foreachPartition` visits them in turn.
 *
 * A batch of lines can be backed by a RecordBatch (UTF-8 bytes + end
 * offsets). It then decodes to strings only when a JS closure needs them, in
 * one bulk decode, and the fast path hands its bytes straight to a kernel.
 *
 * Transformations (map, filter, ...) are evaluated eagerly and return a new
 * Batch; a DStream computes each batch once and caches it, so nothing is
 * computed twice. Pairs are JS tuples `readonly [K, V]`; keys are compared as
 * a JS Map compares them (SameValueZero), so use strings or numbers as keys.
 */
import type { RecordBatch } from '../kernels/api.js';
import { decodeRecords, recordBatchFromLines } from '../kernels/record-batch.js';
import { IllegalStateError, InvalidArgumentError } from '../errors.js';
import { describeValue, requireFunction, requireInteger, requirePair } from '../arguments.js';
import { foldOf } from './builtins.js';
import { cogroupPairs, innerJoinGroup, leftOuterJoinGroup } from './joins.js';
import { KeyMap } from './key-map.js';
import { hasLoneSurrogate } from './lone-surrogates.js';
import { type Comparator, comparatorOf } from './ordering.js';

/** A key-value element, Spark's `(k, v)`: a JS tuple `[key, value]`. */
export type Pair<K, V> = readonly [K, V];

/**
 * The result type `map` and `flatMap` accept: any value. The tuple member
 * makes TypeScript infer an array literal such as `(w) => [w, 1]` as the
 * pair `[string, number]` (ready for reduceByKey) instead of `(string | number)[]`.
 */
export type MapResult = readonly [unknown, unknown] | {} | null | undefined;

/** The other side of a per-batch join: another batch, or any iterable of pairs (a static dataset, e.g. an array or a Map). */
export type PairSource<K, W> = Batch<Pair<K, W>> | Iterable<Pair<K, W>>;

/**
 * The data of one batch (Spark's RDD for one batch time), as handed to
 * `transform` and `foreachRDD`. Transformations return a new Batch;
 * actions (count, collect, take, top, ...) return plain values.
 */
export class Batch<T> {
  private decoded: readonly (readonly T[])[] | undefined;
  /** The batch's bytes: given for byte-backed batches, encoded once on demand for line batches. */
  private records: RecordBatch | undefined;
  /**
   * Elements made on first use, and their count without making them (a
   * kernel result becomes pairs only when read: an output that only counts
   * a 10 ms batch then allocates nothing per key).
   */
  private deferred: { readonly elements: () => readonly T[]; readonly count: () => number } | undefined;
  /** The bytes were lent memory and have been given back (releaseRecords). */
  private released = false;

  private constructor(partitions: readonly (readonly T[])[] | undefined, records: RecordBatch | undefined) {
    this.decoded = partitions;
    this.records = records;
  }

  /** A batch of the given elements, in one partition. */
  static of<T>(elements: readonly T[]): Batch<T> {
    return new Batch<T>([elements], undefined);
  }

  /** A batch with the given partitions (an empty list gives one empty partition). */
  static fromPartitions<T>(partitions: readonly (readonly T[])[]): Batch<T> {
    return new Batch<T>(partitions.length === 0 ? [[]] : partitions, undefined);
  }

  /** A batch with no elements. */
  static empty<T>(): Batch<T> {
    return new Batch<T>([[]], undefined);
  }

  /** A batch whose elements `elements()` makes on first use; `count()` says how many it will make, without making them. */
  static deferred<T>(elements: () => readonly T[], count: () => number): Batch<T> {
    const batch = new Batch<T>(undefined, undefined);
    batch.deferred = { elements, count };
    return batch;
  }

  /** A batch of lines backed by bytes (decoded only when a closure needs strings). */
  static fromRecords(records: RecordBatch): Batch<string> {
    return new Batch<string>(undefined, records);
  }

  /** The partitions (decoding a byte-backed batch on first use). */
  get partitions(): readonly (readonly T[])[] {
    if (this.decoded === undefined && this.deferred !== undefined) {
      this.decoded = [this.deferred.elements()];
      this.deferred = undefined;
    }
    if (this.decoded === undefined) {
      this.decoded = [decodeRecords(this.readRecords() as RecordBatch) as unknown as T[]];
    }
    return this.decoded;
  }

  /**
   * Gives back the lent memory behind a byte-backed batch (RecordBatch.region),
   * as an input stream does once the batch is older than its remember
   * duration. Lines decoded before stay readable; otherwise reading the batch
   * afterwards throws (Spark fails likewise on a batch whose blocks were removed).
   */
  releaseRecords(): void {
    const region = this.records?.region;
    if (region === undefined) return;
    region.release();
    this.records = undefined;
    this.released = true;
  }

  private readRecords(): RecordBatch | undefined {
    if (this.released) {
      throw new IllegalStateError(
        'This batch\'s bytes were released once the batch was older than its stream\'s remember duration; ' +
          'copy what you need inside foreachRDD, or call ssc.remember(ms) before start() to keep batches longer',
      );
    }
    return this.records;
  }

  /** How many partitions the batch has (a byte-backed batch has one). */
  get numPartitions(): number {
    return (this.records !== undefined || this.deferred !== undefined) && this.decoded === undefined ? 1 : this.partitions.length;
  }

  /**
   * The batch as a RecordBatch of lines, for a kernel: the backing bytes when
   * there are some, else the strings encoded on the first call (two kernel
   * chains reading one batch share that encoding). Undefined when an element
   * is not a string, holds '\n' (as bytes it would become several records,
   * so a kernel would not see the same records as a closure) or holds a lone
   * surrogate (as bytes it would become U+FFFD: see lone-surrogates.ts).
   */
  asRecordBatch(): RecordBatch | undefined {
    if (this.records !== undefined) return this.records;
    // Released bytes: lines decoded before are encoded again below; otherwise this throws.
    if (this.decoded === undefined && this.deferred === undefined) return this.readRecords();
    const lines: string[] = [];
    for (const part of this.partitions) {
      for (const element of part) {
        if (typeof element !== 'string' || element.indexOf('\n') !== -1 || hasLoneSurrogate(element)) return undefined;
        lines.push(element);
      }
    }
    this.records = recordBatchFromLines(lines, { maxRecordBytes: 0x3fffffff });
    return this.records;
  }

  /**
   * `fn(x)` for every element x. A function returning a two-element array
   * literal (`(w) => [w, 1]`) gives a batch of pairs.
   */
  map<U extends MapResult>(fn: (value: T) => U): Batch<U> {
    requireFunction('map(fn)', fn, 'map((x) => x * 2)');
    return new Batch<U>(this.partitions.map((part) => part.map((value) => fn(value))), undefined);
  }

  /** The elements for which `predicate` is true. */
  filter(predicate: (value: T) => boolean): Batch<T> {
    requireFunction('filter(predicate)', predicate, 'filter((x) => x > 0)');
    return new Batch<T>(this.partitions.map((part) => part.filter((value) => predicate(value))), undefined);
  }

  /** Every element of `fn(x)` for every element x. */
  flatMap<U extends MapResult>(fn: (value: T) => Iterable<U>): Batch<U> {
    requireFunction('flatMap(fn)', fn, 'flatMap((line) => line.split(" "))');
    return new Batch<U>(
      this.partitions.map((part) => {
        const out: U[] = [];
        for (const value of part) for (const produced of fn(value)) out.push(produced);
        return out;
      }),
      undefined,
    );
  }

  /** `fn` sees one whole partition (and its index) and returns the new partition's elements. */
  mapPartitions<U>(fn: (elements: readonly T[], partitionIndex: number) => Iterable<U>): Batch<U> {
    requireFunction('mapPartitions(fn)', fn, 'mapPartitions((elements) => [elements.length])');
    return new Batch<U>(this.partitions.map((part, i) => [...fn(part, i)]), undefined);
  }

  /** This batch's partitions followed by the others'. */
  union(...others: Batch<T>[]): Batch<T> {
    for (const other of others) {
      if (!(other instanceof Batch)) throw new InvalidArgumentError(`union(...others) takes Batches (e.g. batch.union(other) inside transform); got ${describeValue(other)}`);
    }
    return new Batch<T>([this, ...others].flatMap((b) => b.partitions), undefined);
  }

  /**
   * Per-key reduce (one partition out). Keys appear in order of first
   * occurrence; callers must not rely on that (Spark's order is unspecified,
   * and so is a kernel's).
   */
  reduceByKey<K, V>(this: Batch<Pair<K, V>>, reduce: (a: V, b: V) => V): Batch<Pair<K, V>> {
    requireFunction('reduceByKey(reduce)', reduce, 'reduceByKey((a, b) => a + b) or reduceByKey(sum)');
    const fold = foldOf(reduce);
    const acc = new KeyMap<K, V>();
    for (const part of this.partitions) {
      for (const pair of part) {
        requirePair('reduceByKey', pair);
        const [key, value] = pair;
        acc.set(key, acc.has(key) ? fold.merge(acc.get(key) as V, value) : fold.init(value));
      }
    }
    return new Batch<Pair<K, V>>([[...acc]], undefined);
  }

  /** All values of each key, in arrival order (one partition out). */
  groupByKey<K, V>(this: Batch<Pair<K, V>>): Batch<Pair<K, V[]>> {
    const groups = new KeyMap<K, V[]>();
    for (const part of this.partitions) {
      for (const pair of part) {
        requirePair('groupByKey', pair);
        const [key, value] = pair;
        const list = groups.get(key);
        if (list === undefined) groups.set(key, [value]);
        else list.push(value);
      }
    }
    return new Batch<Pair<K, V[]>>([[...groups]], undefined);
  }

  /** Number of elements (no decoding for a byte-backed batch). */
  count(): number {
    if (this.records !== undefined && this.decoded === undefined) return this.records.count;
    if (this.deferred !== undefined && this.decoded === undefined) return this.deferred.count();
    let n = 0;
    for (const part of this.partitions) n += part.length;
    return n;
  }

  /** True when the batch has no elements. */
  isEmpty(): boolean {
    return this.count() === 0;
  }

  /** How many times each distinct element occurs (an action: a Map, as Spark's RDD.countByValue). */
  countByValue(): Map<T, number> {
    const counts = new KeyMap<T, number>();
    for (const part of this.partitions) for (const value of part) counts.set(value, (counts.get(value) ?? 0) + 1);
    return new Map(counts);
  }

  /** Reduces all elements with `reduce`; throws on an empty batch (as Spark does). */
  reduce(reduce: (a: T, b: T) => T): T {
    const fold = foldOf(reduce);
    let acc: T | undefined;
    let seen = false;
    for (const part of this.partitions) {
      for (const value of part) {
        acc = seen ? fold.merge(acc as T, value) : fold.init(value);
        seen = true;
      }
    }
    if (!seen) throw new IllegalStateError('reduce() of an empty batch: check isEmpty() first');
    return acc as T;
  }

  /** The first `n` elements in partition order. */
  take(n: number): T[] {
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`take(n) needs a non-negative integer, got ${n}`);
    const out: T[] = [];
    for (const part of this.partitions) {
      for (const value of part) {
        if (out.length >= n) return out;
        out.push(value);
      }
    }
    return out;
  }

  /** The first element; throws on an empty batch (as Spark does). */
  first(): T {
    const head = this.take(1);
    if (head.length === 0) throw new IllegalStateError('first() of an empty batch: check isEmpty() first');
    return head[0] as T;
  }

  /** All elements, in partition order. */
  collect(): T[] {
    return this.partitions.flat() as T[];
  }

  /** Same as collect() (Spark's older name). */
  toArray(): T[] {
    return this.collect();
  }

  /** The keys of a batch of pairs (Spark's keys()). */
  keys<K>(this: Batch<Pair<K, unknown>>): Batch<K> {
    return this.map((pair) => {
      requirePair('keys()', pair);
      return pair[0];
    });
  }

  /** The values of a batch of pairs (Spark's values()). */
  values<V>(this: Batch<Pair<unknown, V>>): Batch<V> {
    return this.map((pair) => {
      requirePair('values()', pair);
      return pair[1];
    });
  }

  /** `(k, fn(v))` for every pair, keys untouched (Spark's mapValues). */
  mapValues<K, V, U>(this: Batch<Pair<K, V>>, fn: (value: V) => U): Batch<Pair<K, U>> {
    requireFunction('mapValues(fn)', fn, 'mapValues((v) => v * 2)');
    return this.map((pair): Pair<K, U> => {
      requirePair('mapValues', pair);
      return [pair[0], fn(pair[1])];
    });
  }

  /** `(k, u)` for every u in `fn(v)`, for every pair (Spark's flatMapValues). */
  flatMapValues<K, V, U>(this: Batch<Pair<K, V>>, fn: (value: V) => Iterable<U>): Batch<Pair<K, U>> {
    requireFunction('flatMapValues(fn)', fn, 'flatMapValues((v) => v.split(","))');
    return this.flatMap((pair) => {
      requirePair('flatMapValues', pair);
      const out: Pair<K, U>[] = [];
      for (const u of fn(pair[1])) out.push([pair[0], u]);
      return out;
    });
  }

  /** Each distinct element once, in order of first occurrence; tuples are equal when their contents are (see KeyMap). */
  distinct(): Batch<T> {
    const seen = new KeyMap<T, true>();
    for (const part of this.partitions) for (const value of part) if (!seen.has(value)) seen.set(value, true);
    return new Batch<T>([[...seen].map(([value]) => value)], undefined);
  }

  /**
   * The elements sorted by `keyOf(x)` (one partition out), ascending by
   * default, by the natural order (ordering.ts) unless `compare` is given.
   * The sort is stable: equal keys keep their order.
   */
  sortBy<S>(keyOf: (value: T) => S, ascending = true, compare?: Comparator<S>): Batch<T> {
    requireFunction('sortBy(keyOf)', keyOf, 'sortBy((x) => x.price)');
    const order = comparatorOf('sortBy', compare);
    const keyed = this.collect().map((value) => [keyOf(value), value] as const);
    const sign = ascending ? 1 : -1;
    return new Batch<T>([sortedBy(keyed, (a, b) => sign * order(a[0], b[0])).map(([, value]) => value)], undefined);
  }

  /** The pairs sorted by key (Spark's sortByKey), ascending by default. */
  sortByKey<K, V>(this: Batch<Pair<K, V>>, ascending = true, compare?: Comparator<K>): Batch<Pair<K, V>> {
    return this.sortBy((pair) => {
      requirePair('sortByKey', pair);
      return pair[0];
    }, ascending, compare);
  }

  /** The `n` largest elements, largest first (Spark's top), by the natural order unless `compare` is given. */
  top(n: number, compare?: Comparator<T>): T[] {
    requireInteger('top(n)', 'n', n, 0);
    const order = comparatorOf('top', compare);
    return sortedBy(this.collect(), (a, b) => order(b, a)).slice(0, n);
  }

  /** The `n` smallest elements, smallest first (Spark's takeOrdered), by the natural order unless `compare` is given. */
  takeOrdered(n: number, compare?: Comparator<T>): T[] {
    requireInteger('takeOrdered(n)', 'n', n, 0);
    return sortedBy(this.collect(), comparatorOf('takeOrdered', compare)).slice(0, n);
  }

  /**
   * Spark's join with another batch or a static dataset (an array of pairs,
   * a Map): `(k, [v, w])` for every v here and w there under the same key;
   * keys on one side only are left out.
   */
  join<K, V, W>(this: Batch<Pair<K, V>>, other: PairSource<K, W>): Batch<Pair<K, readonly [V, W]>> {
    return Batch.of(this.cogroupWith('join', other).flatMap(innerJoinGroup));
  }

  /**
   * Spark's leftOuterJoin with another batch or a static dataset: every v
   * here as `(k, [v, w])` for each w there, or `(k, [v, undefined])` when
   * there is none (undefined stands for Spark's None). E.g. dropping
   * blacklisted words: `leftOuterJoin(blacklist).filter(([, [, banned]]) => banned === undefined)`.
   */
  leftOuterJoin<K, V, W>(this: Batch<Pair<K, V>>, other: PairSource<K, W>): Batch<Pair<K, readonly [V, W | undefined]>> {
    return Batch.of(this.cogroupWith('leftOuterJoin', other).flatMap(leftOuterJoinGroup));
  }

  /** The same elements in `numPartitions` partitions, dealt round-robin (Spark's repartition). */
  repartition(numPartitions: number): Batch<T> {
    requireInteger('repartition(numPartitions)', 'numPartitions', numPartitions, 1);
    const parts: T[][] = Array.from({ length: numPartitions }, () => []);
    let i = 0;
    for (const part of this.partitions) for (const value of part) (parts[i++ % numPartitions] as T[]).push(value);
    return new Batch<T>(parts, undefined);
  }

  private cogroupWith<K, V, W>(this: Batch<Pair<K, V>>, operation: string, other: PairSource<K, W>) {
    const right = other instanceof Batch ? other.collect() : other;
    if (typeof (right as Partial<Iterable<unknown>> | null | undefined)?.[Symbol.iterator] !== 'function') {
      throw new InvalidArgumentError(`${operation}(other) needs a Batch or an iterable of [key, value] pairs (an array, a Map); got ${String(right)}`);
    }
    const checked = (pairs: Iterable<Pair<K, unknown>>, side: string) => {
      for (const pair of pairs) requirePair(`${operation} (${side})`, pair);
    };
    const left = this.collect();
    checked(left, 'this batch');
    const rightPairs = [...right];
    checked(rightPairs, 'the other side');
    return cogroupPairs<K, V, W>(left, rightPairs);
  }

  /** Calls `fn` on each partition in turn, awaiting any promise it returns. */
  async foreachPartition(fn: (elements: readonly T[], partitionIndex: number) => void | Promise<void>): Promise<void> {
    const parts = this.partitions;
    for (let i = 0; i < parts.length; i++) await fn(parts[i] as readonly T[], i);
  }

  /** Calls `fn` on each element in partition order. */
  foreach(fn: (value: T) => void): void {
    for (const part of this.partitions) for (const value of part) fn(value);
  }
}

/**
 * `values` sorted stably by `order`. Array.prototype.sort would put
 * undefined elements last without asking the comparator, so elements are
 * boxed first; undefined (Spark's None) then sorts as the comparator says.
 */
function sortedBy<T>(values: readonly T[], order: Comparator<T>): T[] {
  return values
    .map((value) => ({ value }))
    .sort((a, b) => order(a.value, b.value))
    .map(({ value }) => value);
}

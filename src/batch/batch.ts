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
import { foldOf } from './builtins.js';
import { KeyMap } from './key-map.js';
import { hasLoneSurrogate } from './lone-surrogates.js';

export type Pair<K, V> = readonly [K, V];

export class Batch<T> {
  private decoded: readonly (readonly T[])[] | undefined;
  /** The batch's bytes: given for byte-backed batches, encoded once on demand for line batches. */
  private records: RecordBatch | undefined;
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

  static fromPartitions<T>(partitions: readonly (readonly T[])[]): Batch<T> {
    return new Batch<T>(partitions.length === 0 ? [[]] : partitions, undefined);
  }

  static empty<T>(): Batch<T> {
    return new Batch<T>([[]], undefined);
  }

  /** A batch of lines backed by bytes (decoded only when a closure needs strings). */
  static fromRecords(records: RecordBatch): Batch<string> {
    return new Batch<string>(undefined, records);
  }

  /** The partitions (decoding a byte-backed batch on first use). */
  get partitions(): readonly (readonly T[])[] {
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

  get numPartitions(): number {
    return this.records !== undefined && this.decoded === undefined ? 1 : this.partitions.length;
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
    if (this.decoded === undefined) return this.readRecords();
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

  map<U>(fn: (value: T) => U): Batch<U> {
    return new Batch<U>(this.partitions.map((part) => part.map((value) => fn(value))), undefined);
  }

  filter(predicate: (value: T) => boolean): Batch<T> {
    return new Batch<T>(this.partitions.map((part) => part.filter((value) => predicate(value))), undefined);
  }

  flatMap<U>(fn: (value: T) => Iterable<U>): Batch<U> {
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
    return new Batch<U>(this.partitions.map((part, i) => [...fn(part, i)]), undefined);
  }

  /** This batch's partitions followed by the others'. */
  union(...others: Batch<T>[]): Batch<T> {
    return new Batch<T>([this, ...others].flatMap((b) => b.partitions), undefined);
  }

  /**
   * Per-key reduce (one partition out). Keys appear in order of first
   * occurrence; callers must not rely on that (Spark's order is unspecified,
   * and so is a kernel's).
   */
  reduceByKey<K, V>(this: Batch<Pair<K, V>>, reduce: (a: V, b: V) => V): Batch<Pair<K, V>> {
    const fold = foldOf(reduce);
    const acc = new KeyMap<K, V>();
    for (const part of this.partitions) {
      for (const [key, value] of part) {
        acc.set(key, acc.has(key) ? fold.merge(acc.get(key) as V, value) : fold.init(value));
      }
    }
    return new Batch<Pair<K, V>>([[...acc]], undefined);
  }

  /** All values of each key, in arrival order (one partition out). */
  groupByKey<K, V>(this: Batch<Pair<K, V>>): Batch<Pair<K, V[]>> {
    const groups = new KeyMap<K, V[]>();
    for (const part of this.partitions) {
      for (const [key, value] of part) {
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
    let n = 0;
    for (const part of this.partitions) n += part.length;
    return n;
  }

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

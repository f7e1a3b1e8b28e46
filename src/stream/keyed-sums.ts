/**
 * Running per-key sums for the built-in stateful paths
 * (updateStateByKey(runningSum), reduceByKeyAndWindow(sum, subtract)).
 * They live in a kernel AggregateTable while every key is a string (without
 * lone surrogates) and every value a number; the first other key or value moves them to a JS Map for
 * good. Both behave alike, down to the order of entries (first insertion; a
 * key dropped at zero and added again moves to the end), so results do not
 * depend on which one holds the sums. A key subtracted before it was added
 * counts as 0, as in the kernel table.
 *
 * Sums stay finite numbers: a value or a result that would be ±Infinity or
 * NaN throws NumericOverflowError before anything changes. Values of at most
 * MAX_FIELD_MAGNITUDE (all that the built-in parsers accept) cannot overflow
 * (fewer than 2^64 of them never do), so only sums that ever received a larger
 * value pay a lookup per key to check.
 */
import type { Pair } from '../batch/batch.js';
import { KeyMap } from '../batch/key-map.js';
import type { AggregateTable, Kernels, KeyedValues } from '../kernels/api.js';
import { IllegalStateError, NumericOverflowError } from '../errors.js';
import { MAX_FIELD_MAGNITUDE } from '../kernels/js-number.js';
import { formatElement } from '../batch/format.js';
import { hasLoneSurrogate } from '../batch/lone-surrogates.js';
import { pairsOf } from './fused-kernel-dstream.js';
import { sum } from '../batch/builtins.js';

export class KeyedSums<K> {
  private table: AggregateTable | undefined;
  private map: KeyMap<K, number> | undefined;
  private disposed = false;
  /** Every value added or subtracted so far was within ±MAX_FIELD_MAGNITUDE, so no sum can overflow. */
  private bounded = true;

  /** `kernels` is read on first use (undefined: JS Map from the start). */
  constructor(private readonly kernels: () => Kernels | undefined) {}

  /** True while the sums live in a kernel table (after dispose: whether they did). */
  get onKernelTable(): boolean {
    if (!this.disposed) this.init();
    return this.table !== undefined;
  }

  get size(): number {
    this.init();
    return this.table?.size ?? (this.map as KeyMap<K, number>).size;
  }

  /** Runs `fill` on the kernel table (e.g. kernels.wordCountInto); false when the sums are in a JS Map. */
  intoTable(fill: (table: AggregateTable) => void): boolean {
    this.init();
    if (this.table === undefined) return false;
    fill(this.table);
    return true;
  }

  add(pairs: readonly Pair<K, number>[]): void {
    const table = this.tableFor(pairs);
    this.checkFinite(pairs, 1);
    if (table !== undefined) {
      table.mergeValues(keyed(pairs));
      return;
    }
    const map = this.map as KeyMap<K, number>;
    for (const [key, value] of pairs) {
      const current = map.get(key);
      map.set(key, current === undefined ? value : current + value);
    }
  }

  /** sums[k] −= v for each pair; with `dropZero`, keys that reach exactly 0 are removed. */
  subtract(pairs: readonly Pair<K, number>[], dropZero: boolean): void {
    const table = this.tableFor(pairs);
    this.checkFinite(pairs, -1);
    if (table !== undefined) {
      table.subtractValues(keyed(pairs), { dropZero });
      return;
    }
    const map = this.map as KeyMap<K, number>;
    for (const [key, value] of pairs) {
      const result = (map.get(key) ?? 0) - value;
      if (dropZero && result === 0) map.delete(key);
      else map.set(key, result);
    }
  }

  /** Removes the entries `keep` rejects (Spark's filterFunc: rejected keys leave the state); returns the entries kept. */
  retain(keep: (pair: Pair<K, number>) => boolean): Pair<K, number>[] {
    const entries = this.entries();
    const kept = entries.filter((pair) => keep(pair));
    if (kept.length !== entries.length) this.load(kept);
    return kept;
  }

  /** The sum of one key (undefined when it has none), without decoding the others. */
  get(key: K): number | undefined {
    this.init();
    if (this.table !== undefined) return typeof key === 'string' ? this.table.get(key) : undefined;
    return (this.map as KeyMap<K, number>).get(key);
  }

  entries(): Pair<K, number>[] {
    this.init();
    if (this.table !== undefined) return pairsOf(this.table.entries(), sum) as unknown as Pair<K, number>[];
    return [...(this.map as KeyMap<K, number>)];
  }

  /** Replaces all sums with `entries` (restoring a checkpoint, or after a filter). */
  load(entries: readonly Pair<K, number>[]): void {
    this.init();
    this.table?.clear();
    this.map?.clear();
    this.bounded = true;
    this.add(entries);
  }

  /**
   * Sets the sum of each key given (undefined removes it), leaving the other
   * keys as they are (load replaces them all). Keys must be distinct. A key
   * that had a sum is first taken down to exactly 0 and dropped, so the new
   * value is stored as given, not as old + (new − old) with its rounding.
   */
  put(pairs: readonly Pair<K, number | undefined>[]): void {
    const present: Pair<K, number>[] = [];
    // Restoring into an empty table (a new process, or after dropping everything) needs no lookup per key.
    if (this.size > 0) {
      for (const [key] of pairs) {
        const current = this.get(key);
        if (current !== undefined) present.push([key, current]);
      }
    }
    if (present.length > 0) this.subtract(present, true);
    this.add(pairs.filter((pair): pair is Pair<K, number> => pair[1] !== undefined));
  }

  /**
   * Throws NumericOverflowError, before anything changes, when adding
   * (sign 1) or subtracting (sign -1) `pairs` would make a sum ±Infinity or NaN.
   */
  private checkFinite(pairs: readonly Pair<K, number>[], sign: 1 | -1): void {
    if (this.bounded && pairs.every(([, v]) => typeof v !== 'number' || Math.abs(v) <= MAX_FIELD_MAGNITUDE)) return;
    this.bounded = false;
    const next = new KeyMap<K, number>();
    for (const [key, value] of pairs) {
      if (typeof value !== 'number') continue;
      const result = (next.get(key) ?? this.get(key) ?? 0) + sign * value;
      if (!Number.isFinite(result)) {
        throw new NumericOverflowError(
          `The running sum for key ${formatElement(key)} would become ${result} (${sign > 0 ? 'adding' : 'subtracting'} ${value}); ` +
            'sums must stay finite numbers: reject or scale such values in your own functions before they reach the sum.',
        );
      }
      next.set(key, result);
    }
  }

  /** Frees the kernel table; the sums must not be used afterwards. */
  dispose(): void {
    this.table?.dispose();
    this.map?.clear();
    this.disposed = true;
  }

  private init(): void {
    if (this.disposed) throw new IllegalStateError('These running sums were released with their stopped StreamingContext');
    if (this.table !== undefined || this.map !== undefined) return;
    const kernels = this.kernels();
    if (kernels === undefined) this.map = new KeyMap();
    else this.table = kernels.createTable('sum');
  }

  /** The table when `pairs` fit it; otherwise moves everything to the Map (once) and returns undefined. */
  private tableFor(pairs: readonly Pair<K, number>[]): AggregateTable | undefined {
    this.init();
    const table = this.table;
    if (table === undefined) return undefined;
    // A key with a lone surrogate would be stored as its UTF-8 encoding, with U+FFFD for it (see lone-surrogates.ts).
    if (pairs.every(([k, v]) => typeof k === 'string' && !hasLoneSurrogate(k) && typeof v === 'number')) return table;
    this.map = new KeyMap(pairsOf(table.entries(), sum) as unknown as Pair<K, number>[]);
    this.table = undefined;
    table.dispose();
    return undefined;
  }
}

function keyed<K>(pairs: readonly Pair<K, number>[]): KeyedValues {
  // One loop instead of map + Float64Array.from(pairs, fn), which V8 runs several times slower (a million restored keys: ~1 s).
  const keys = new Array<string>(pairs.length);
  const values = new Float64Array(pairs.length);
  for (let i = 0; i < pairs.length; i++) {
    const [key, value] = pairs[i] as Pair<K, number>;
    keys[i] = key as unknown as string;
    values[i] = value;
  }
  return { keys, values };
}

import { KeyMap } from '../batch/key-map.js';
import type { Pair } from '../batch/batch.js';
import { ChangeLog, type StateChange } from './partitioned-state.js';

/** The window stream the index serves: its context takes an after-batch hook, and advanceTo fills its buffer through a batch. */
export interface IndexedWindow {
  readonly context: { addAfterBatchHook(hook: (time: number) => void): void };
  advanceTo(time: number): void;
}

/**
 * For a window in scale-out (partitioned state): each key's values in the
 * window buffer by parent time, and what changed since the changelog last
 * took it: values by (key, time) and running aggregates by key. The buffer
 * itself is kept by time (what windows read); this is the same data by key
 * (what moves with a partition: a key's values, wherever they are in the
 * window). Changes are per value, so a batch writes what it added, removed
 * or flagged, not every key's whole window. Made by enablePartitionedState.
 */
export class WindowKeyIndex<K, V> {
  private readonly byKey = new KeyMap<K, Map<number, V>>();
  private readonly dirtyValues = new KeyMap<K, Set<number>>();
  private readonly dirtyAggregates = new KeyMap<K, true>();
  private readonly changeLog = new ChangeLog();

  constructor(
    window: IndexedWindow,
    /** The parent's slide: how far apart the batches whose changes are kept are. */
    private readonly parentSlideMs: number,
    /** The operator, for messages. */
    private readonly operator: string,
  ) {
    // Each batch's values enter the buffer when it ends, not when a later window first reads them: a drop between batches
    // (a lost partition, a reset after a failed commit) must drop them too, or they would enter after it.
    window.context.addAfterBatchHook((time) => window.advanceTo(time));
  }

  /**
   * Batch `time`'s changes (see PartitionedState.changesAt): made once by
   * `changesOf` from what changed since the last batch, then kept.
   */
  changesAt(time: number, changesOf: (changed: { values: [K, number][]; aggregates: K[] }) => StateChange[]): StateChange[] {
    if (!this.changeLog.has(time)) this.changeLog.record(time, changesOf(this.takeChanged()), this.parentSlideMs);
    return this.changeLog.at(time, this.operator);
  }

  /**
   * The pairs of parent time `time` entered the buffer; a key with a value
   * at that time already (moved here from a process that was ahead) gets the
   * two combined with `combine`.
   */
  added(time: number, pairs: readonly Pair<K, V>[], combine: (a: V, b: V) => V): void {
    for (const [key, value] of pairs) {
      const times = this.timesOf(key);
      const earlier = times.get(time);
      times.set(time, earlier === undefined ? value : combine(earlier, value));
      this.valueChanged(key, time);
    }
  }

  /** The pairs of parent time `time` entered the buffer, each key's values in a list (for windows that keep every element). */
  appended(this: WindowKeyIndex<K, unknown[]>, time: number, pairs: readonly Pair<K, unknown>[]): void {
    for (const [key, value] of pairs) {
      const times = this.timesOf(key);
      const values = times.get(time);
      if (values === undefined) times.set(time, [value]);
      else values.push(value);
      this.valueChanged(key, time);
    }
  }

  /** The pairs of parent time `time` left the buffer. */
  removed(time: number, pairs: readonly Pair<K, unknown>[]): void {
    for (const [key] of pairs) {
      const times = this.byKey.get(key);
      times?.delete(time);
      if (times?.size === 0) this.byKey.delete(key);
      this.valueChanged(key, time);
    }
  }

  /** `key`'s value at `time` changed otherwise (it entered or left the running aggregate). */
  valueChanged(key: K, time: number): void {
    let times = this.dirtyValues.get(key);
    if (times === undefined) this.dirtyValues.set(key, (times = new Set()));
    times.add(time);
  }

  /** `key`'s running aggregate changed. */
  aggregateChanged(key: K): void {
    this.dirtyAggregates.set(key, true);
  }

  /** Forgets `key` (its partition moved away); it is no change of this process's. */
  forget(key: K): void {
    this.byKey.delete(key);
    this.dirtyValues.delete(key);
    this.dirtyAggregates.delete(key);
  }

  /** What changed since the last call: values as [key, time], in the order they first changed, and keys whose aggregate changed. */
  private takeChanged(): { values: [K, number][]; aggregates: K[] } {
    const values = [...this.dirtyValues].flatMap(([key, times]) => [...times].map((t): [K, number] => [key, t]));
    const aggregates = [...this.dirtyAggregates].map(([key]) => key);
    this.dirtyValues.clear();
    this.dirtyAggregates.clear();
    return { values, aggregates };
  }

  /** `key`'s value at parent time `time`, if it has one in the buffer. */
  valueAt(key: K, time: number): V | undefined {
    return this.byKey.get(key)?.get(time);
  }

  keys(): K[] {
    return [...this.byKey].map(([key]) => key);
  }

  private timesOf(key: K): Map<number, V> {
    let times = this.byKey.get(key);
    if (times === undefined) this.byKey.set(key, (times = new Map()));
    return times;
  }
}

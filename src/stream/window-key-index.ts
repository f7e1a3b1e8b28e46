import { KeyMap } from '../batch/key-map.js';
import type { Pair } from '../batch/batch.js';

/**
 * For a keyed window in scale-out (partitioned state): each key's values in
 * the window buffer by parent time, and the keys whose window state changed
 * since the changelog last took them. The buffer itself is kept by time
 * (what windows read); this is the same data by key (what moves with a
 * partition: a key's values, wherever they are in the window).
 */
export class WindowKeyIndex<K, V> {
  private readonly byKey = new KeyMap<K, Map<number, V>>();
  private readonly dirty = new KeyMap<K, true>();

  /**
   * The pairs of parent time `time` entered the buffer; a key with a value
   * at that time already (moved here from a process that was ahead) gets the
   * two combined with `combine`.
   */
  added(time: number, pairs: readonly Pair<K, V>[], combine: (a: V, b: V) => V): void {
    for (const [key, value] of pairs) {
      let times = this.byKey.get(key);
      if (times === undefined) this.byKey.set(key, (times = new Map()));
      const earlier = times.get(time);
      times.set(time, earlier === undefined ? value : combine(earlier, value));
      this.dirty.set(key, true);
    }
  }

  /** The pairs of parent time `time` entered the buffer, each key's values in a list (for windows that keep every element). */
  appended(this: WindowKeyIndex<K, unknown[]>, time: number, pairs: readonly Pair<K, unknown>[]): void {
    for (const [key, value] of pairs) {
      let times = this.byKey.get(key);
      if (times === undefined) this.byKey.set(key, (times = new Map()));
      const values = times.get(time);
      if (values === undefined) times.set(time, [value]);
      else values.push(value);
      this.dirty.set(key, true);
    }
  }

  /** The pairs of parent time `time` left the buffer. */
  removed(time: number, pairs: readonly Pair<K, unknown>[]): void {
    for (const [key] of pairs) {
      const times = this.byKey.get(key);
      times?.delete(time);
      if (times?.size === 0) this.byKey.delete(key);
      this.dirty.set(key, true);
    }
  }

  /** Something else of `key`'s window state changed (its running aggregate). */
  touched(key: K): void {
    this.dirty.set(key, true);
  }

  /** Forgets `key` (its partition moved away); it is no change of this process's. */
  forget(key: K): void {
    this.byKey.delete(key);
    this.dirty.delete(key);
  }

  /** The keys changed since the last call, in the order they first changed. */
  takeChanged(): K[] {
    const keys = [...this.dirty].map(([key]) => key);
    this.dirty.clear();
    return keys;
  }

  /** `key`'s values in the buffer, oldest first. */
  valuesOf(key: K): [number, V][] {
    return [...(this.byKey.get(key) ?? [])].sort(([a], [b]) => a - b);
  }

  keys(): K[] {
    return [...this.byKey].map(([key]) => key);
  }
}

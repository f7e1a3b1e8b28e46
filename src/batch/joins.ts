/**
 * The pair logic behind every join, shared by the per-batch joins
 * (Batch.join / leftOuterJoin, e.g. against a static dataset) and the
 * stream joins (src/stream/join.ts, left-outer-join.ts), so both give
 * Spark's results in the same order.
 */
import type { Pair } from './batch.js';
import { KeyMap } from './key-map.js';

/** One key with all its values on each side, in arrival order. */
export type CoGroup<K, V, W> = Pair<K, readonly [V[], W[]]>;

/** Every key of either side with all its values on each side (in arrival order); keys in first-seen order, left first. */
export function cogroupPairs<K, V, W>(left: Iterable<Pair<K, V>>, right: Iterable<Pair<K, W>>): CoGroup<K, V, W>[] {
  const groups = new KeyMap<K, [V[], W[]]>();
  const group = (key: K): [V[], W[]] => {
    let found = groups.get(key);
    if (found === undefined) {
      found = [[], []];
      groups.set(key, found);
    }
    return found;
  };
  for (const [key, value] of left) group(key)[0].push(value);
  for (const [key, value] of right) group(key)[1].push(value);
  return [...groups];
}

/** Spark's join for one key: (key, [v, w]) for every v on the left and w on the right; nothing when a side is empty. */
export function innerJoinGroup<K, V, W>([key, [values, others]]: CoGroup<K, V, W>): Pair<K, readonly [V, W]>[] {
  const out: Pair<K, readonly [V, W]>[] = [];
  for (const v of values) for (const w of others) out.push([key, [v, w]]);
  return out;
}

/** Spark's leftOuterJoin for one key: every left v with each right w, or with undefined (Spark's None) when there is none. */
export function leftOuterJoinGroup<K, V, W>([key, [values, others]]: CoGroup<K, V, W>): Pair<K, readonly [V, W | undefined]>[] {
  const out: Pair<K, readonly [V, W | undefined]>[] = [];
  for (const v of values) {
    if (others.length === 0) out.push([key, [v, undefined]]);
    else for (const w of others) out.push([key, [v, w]]);
  }
  return out;
}

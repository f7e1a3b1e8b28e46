/**
 * Per-key state (updateStateByKey, running window aggregates) as checkpoint
 * data. String keys with number values — what kernel tables hold — are
 * written as a key list plus one Float64Array blob; anything else as a list
 * of [key, value] pairs. Either form restores into either representation,
 * so a changed operator (kernel table ⇄ JS closure) still recovers.
 */
import type { StateReader } from './checkpointable.js';

export type KeyedEntriesData = { readonly keys: readonly string[]; readonly values: Float64Array } | { readonly entries: readonly (readonly [unknown, unknown])[] };

export function keyedEntriesData<K, V>(entries: readonly (readonly [K, V])[]): KeyedEntriesData {
  if (entries.every(([k, v]) => typeof k === 'string' && typeof v === 'number')) {
    return { keys: entries.map(([k]) => k as string), values: Float64Array.from(entries, ([, v]) => v as number) };
  }
  return { entries };
}

export function readKeyedEntries(data: unknown, reader: StateReader, what: string): [unknown, unknown][] {
  const saved = reader.record(data, what);
  if (saved.entries !== undefined) {
    return reader.array(saved.entries, what).map((entry) => {
      const pair = reader.array(entry, `an entry of ${what}`);
      if (pair.length !== 2) throw reader.incompatible(`an entry of ${what} is not a [key, value] pair`);
      return [pair[0], pair[1]];
    });
  }
  const keys = reader.array(saved.keys, `the keys of ${what}`);
  const values = saved.values;
  if (!(values instanceof Float64Array) || values.length !== keys.length) throw reader.incompatible(`the values of ${what} do not match its keys`);
  return keys.map((k, i) => [k, values[i]]);
}

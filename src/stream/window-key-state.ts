/**
 * A window's state in scale-out's changelog, one record per value (Kafka
 * Streams keeps window stores the same way), so each batch writes what it
 * changed, not every key's whole window:
 *
 *   [key, parent batch time] → reduceByKeyAndWindow: [the key's reduced value in that batch, whether the running aggregate holds it]
 *                              window():             [the key's values in that batch]
 *   [key]                    → the key's running aggregate (reduceByKeyAndWindow with an inverse)
 *
 * A removed value or aggregate is a tombstone. Every record of a key is in
 * the key's partition (the first element decides it: partitionKeyOf).
 */
import { KeyMap } from '../batch/key-map.js';
import { formatElement } from '../batch/format.js';
import { ScaleOutError } from '../errors.js';
import type { StateChange } from './partitioned-state.js';

export interface WindowKeyState<V> {
  /** [parent batch time, value, whether the running aggregate holds it (reduced windows)], oldest first. */
  readonly values: [number, V, boolean][];
  /** The running aggregate, when the key has one. */
  aggregate?: V;
}

/** The changelog record of `key`'s value at parent time `time`; `state` undefined: a tombstone. */
export function windowValueChange(key: unknown, time: number, state: unknown): StateChange {
  return [[key, time], state];
}

/** The changelog record of `key`'s running aggregate; undefined: a tombstone. */
export function windowAggregateChange(key: unknown, aggregate: unknown): StateChange {
  return [[key], aggregate];
}

/** The key whose partition a window changelog key belongs to. */
export function windowPartitionKey(changelogKey: unknown): unknown {
  return Array.isArray(changelogKey) ? changelogKey[0] : changelogKey;
}

export interface WindowStateForm {
  /** The operator, for messages. */
  readonly operator: string;
  /** Values are lists of elements (window()), not one reduced value with its flag. */
  readonly lists: boolean;
  /** Whether the operator keeps a running aggregate. */
  readonly inverse: boolean;
  /** Whether values and aggregates are numbers (kernel-table sums). */
  readonly sums: boolean;
}

/**
 * The restored records of a window's changelog (tombstones already applied)
 * grouped into each key's state, values oldest first; a clear error for
 * records another operator wrote.
 */
export function groupWindowState<K, V>(entries: Iterable<readonly [unknown, unknown]>, form: WindowStateForm): KeyMap<K, WindowKeyState<V>> {
  const corrupt = (changelogKey: unknown, state: unknown, what: string): ScaleOutError =>
    new ScaleOutError(
      'ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT',
      `${form.operator} cannot restore the window record ${formatElement(changelogKey)} → ${formatElement(state)}: ${what}. ` +
        'The changelog was written by another operator (or another version of this one); give this one a new .name(...) or delete the changelog topic (its state is then lost).',
    );
  const grouped = new KeyMap<K, WindowKeyState<V>>();
  const stateOf = (key: K): WindowKeyState<V> => {
    let state = grouped.get(key);
    if (state === undefined) grouped.set(key, (state = { values: [] }));
    return state;
  };
  for (const [changelogKey, state] of entries) {
    if (state === undefined) continue;
    if (!Array.isArray(changelogKey) || changelogKey.length < 1 || changelogKey.length > 2) throw corrupt(changelogKey, state, 'its key is not [key, time] or [key]');
    if (changelogKey.length === 1) {
      if (!form.inverse) throw corrupt(changelogKey, state, 'it is a running aggregate, and this operator has no inverse function');
      if (form.sums && typeof state !== 'number') throw corrupt(changelogKey, state, 'sums hold numbers');
      stateOf(changelogKey[0] as K).aggregate = state as V;
      continue;
    }
    const time: unknown = changelogKey[1];
    if (!Number.isSafeInteger(time)) throw corrupt(changelogKey, state, 'its time is not a whole number');
    if (form.lists) {
      if (!Array.isArray(state)) throw corrupt(changelogKey, state, 'it is not a list of values');
      stateOf(changelogKey[0] as K).values.push([time as number, state as V, false]);
      continue;
    }
    if (!Array.isArray(state) || state.length !== 2 || typeof state[1] !== 'boolean') throw corrupt(changelogKey, state, 'it is not [value, inAggregate]');
    if (form.sums && typeof state[0] !== 'number') throw corrupt(changelogKey, state, 'sums hold numbers');
    stateOf(changelogKey[0] as K).values.push([time as number, state[0] as V, state[1]]);
  }
  for (const [, state] of grouped) state.values.sort(([a], [b]) => a - b);
  return grouped;
}

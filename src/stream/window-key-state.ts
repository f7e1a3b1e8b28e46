/**
 * A key's state in a keyed window (reduceByKeyAndWindow and the operators
 * built on it) as it moves between processes in scale-out: the key's
 * per-batch reduced values still in the window buffer, by parent batch time,
 * each flagged when the running aggregate holds it (inverse form), and the
 * running aggregate itself. The changelog stores it as the key's state.
 */
import { formatElement } from '../batch/format.js';
import { ScaleOutError } from '../errors.js';

export interface WindowKeyState<V> {
  /** [parent batch time, the key's reduced value in that batch, whether the running aggregate holds it], oldest first. */
  readonly values: readonly (readonly [number, V, boolean])[];
  /** The running aggregate (inverse form), when the key has one. */
  readonly aggregate?: V;
}

function corruption(operator: string, state: unknown, key: unknown): (what: string) => ScaleOutError {
  return (what) =>
    new ScaleOutError(
      'ERR_SLUICE_SCALE_OUT_CHANGELOG_CORRUPT',
      `${operator} cannot restore the window state ${formatElement(state)} of key ${formatElement(key)}: ${what}. ` +
        'The changelog was written by another operator (or another version of this one); give this one a new .name(...) or delete the changelog topic (its state is then lost).',
    );
}

/** `state` read back from a changelog as the WindowKeyState of `key`; a clear error when another operator wrote it. */
export function readWindowKeyState<V>(state: unknown, key: unknown, form: { readonly inverse: boolean; readonly sums: boolean }): WindowKeyState<V> {
  const corrupt = corruption('reduceByKeyAndWindow', state, key);
  if (typeof state !== 'object' || state === null || !Array.isArray((state as { values?: unknown }).values)) throw corrupt('it is not { values, aggregate? }');
  const { values, aggregate } = state as { values: unknown[]; aggregate?: unknown };
  for (const entry of values) {
    if (!Array.isArray(entry) || entry.length !== 3 || !Number.isSafeInteger(entry[0]) || typeof entry[2] !== 'boolean') throw corrupt('a value is not [time, value, inAggregate]');
    if (form.sums && typeof entry[1] !== 'number') throw corrupt('sums hold numbers');
  }
  if (aggregate !== undefined) {
    if (!form.inverse) throw corrupt('it has a running aggregate, and this operator has no inverse function');
    if (form.sums && typeof aggregate !== 'number') throw corrupt('sums hold numbers');
  }
  return state as WindowKeyState<V>;
}

/**
 * A key's state in window() (every element kept), read back from a
 * changelog: `{ values: [[parent batch time, [the key's values in that batch]], ...] }`.
 */
export function readWindowValues(state: unknown, key: unknown): [number, unknown[]][] {
  const corrupt = corruption('window', state, key);
  const values = typeof state === 'object' && state !== null ? (state as { values?: unknown }).values : undefined;
  if (!Array.isArray(values)) throw corrupt('it is not { values }');
  for (const entry of values) {
    if (!Array.isArray(entry) || entry.length !== 2 || !Number.isSafeInteger(entry[0]) || !Array.isArray(entry[1])) throw corrupt('a value is not [time, [values]]');
  }
  return values as [number, unknown[]][];
}

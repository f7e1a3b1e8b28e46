/**
 * Checks, before anything is timed, that an implementation's result equals
 * the reference on the benchmark corpus: a fast wrong kernel is worse than a
 * slow one, so the run aborts on the first difference.
 */
import type { KeyedValues } from '../src/kernels/api.js';

export type KeyedResult = KeyedValues | ReadonlyMap<string, number>;

const decoder = new TextDecoder();

/** Word count by the definition: Java `\s` runs separate words (Spark's `split("\\s+")`), no empty words. */
export function referenceWordCount(bytes: Uint8Array): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of decoder.decode(bytes).split(/[ \t\n\x0B\f\r]+/)) {
    if (word !== '') counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

export function asMap(result: KeyedResult): ReadonlyMap<string, number> {
  if (result instanceof Map) return result;
  const { keys, values } = result as KeyedValues;
  const map = new Map<string, number>();
  keys.forEach((key, i) => {
    if (map.has(key)) throw new Error(`duplicate key ${JSON.stringify(key)} in result`);
    map.set(key, values[i] as number);
  });
  if (values.length !== keys.length) throw new Error(`${keys.length} keys but ${values.length} values`);
  return map;
}

/**
 * The first difference between two keyed results, or undefined when they
 * agree. Values agree when |a − b| ≤ relativeTolerance · max(1, |a|): sums of
 * decimals added in another order may differ in the last bits; counts must be
 * exact (tolerance 0).
 */
export function firstDifference(expected: KeyedResult, actual: KeyedResult, relativeTolerance = 0): string | undefined {
  let want: ReadonlyMap<string, number>;
  let got: ReadonlyMap<string, number>;
  try {
    want = asMap(expected);
    got = asMap(actual);
  } catch (error) {
    return (error as Error).message;
  }
  for (const [key, value] of want) {
    const other = got.get(key);
    if (other === undefined) return `missing key ${JSON.stringify(key)} (expected ${value})`;
    if (Math.abs(other - value) > relativeTolerance * Math.max(1, Math.abs(value))) {
      return `key ${JSON.stringify(key)}: expected ${value}, got ${other}`;
    }
  }
  if (got.size !== want.size) {
    const extra = [...got.keys()].find((key) => !want.has(key));
    return `${got.size} keys instead of ${want.size}; unexpected key ${JSON.stringify(extra)}`;
  }
  return undefined;
}

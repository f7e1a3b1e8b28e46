/**
 * Text form of an element, as print() and saveAsTextFiles() write it. Tuples
 * (JS arrays) print like Scala tuples — `(word,3)`, nested `(k,(1,2))` — so
 * output reads like Spark's. Numbers print as JS prints them (`45`, not
 * Scala's `45.0`): JS has no separate integer and double types.
 */
export function formatElement(value: unknown): string {
  if (Array.isArray(value)) return `(${value.map(formatElement).join(',')})`;
  if (value === null) return 'null';
  if (typeof value === 'object') {
    if (value instanceof Map) return `Map(${[...value].map(([k, v]) => `${formatElement(k)} -> ${formatElement(v)}`).join(', ')})`;
    if (value instanceof Set) return `Set(${[...value].map(formatElement).join(', ')})`;
    if (Object.getPrototypeOf(value) === Object.prototype) return JSON.stringify(value, jsonNumbers);
  }
  return String(value);
}

/**
 * JSON.stringify replacer for every JSON sluice writes: a number JSON cannot
 * hold (±Infinity, NaN) is written as the string "Infinity", "-Infinity" or
 * "NaN", never as null (JSON.stringify's default), which would read as a
 * missing value. Built-in sums cannot produce one; sums of your own values can.
 */
export function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

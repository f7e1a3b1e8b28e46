/**
 * Built-in functions: ordinary JS functions (they work anywhere a closure
 * does) that also carry a descriptor, so the planner can recognise chains of
 * them and run the whole chain as one kernel call on the batch's bytes.
 *
 *   lines.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum)
 *     → kernels.wordCount(bytes)
 *   lines.flatMap(keyValueFields(',', 1, 2)).reduceByKey(sum | min | max | count)
 *     → kernels.aggregateDelimited(bytes, spec)
 *
 * Both paths give identical results; only the order of keys in a
 * reduceByKey result is unspecified (as in Spark).
 */
import type { DelimitedSpec, Reducer } from '../kernels/api.js';
import { checkDelimitedSpec } from '../kernels/delimited-spec.js';
import { parseDecimalField } from '../kernels/js-number.js';
import { InvalidArgumentError } from '../errors.js';

const BUILTIN = Symbol('sluice.builtin');

export type BuiltinDescriptor =
  | { readonly kind: 'splitWhitespace' }
  | { readonly kind: 'pairWithOne' }
  | { readonly kind: 'reducer'; readonly reducer: Reducer }
  | { readonly kind: 'keyValueFields'; readonly spec: Omit<DelimitedSpec, 'reducer'> }
  | { readonly kind: 'subtract' }
  | { readonly kind: 'runningSum' }
  | { readonly kind: 'nonZero' };

function tag<F extends (...args: never[]) => unknown>(fn: F, descriptor: BuiltinDescriptor): F {
  Object.defineProperty(fn, BUILTIN, { value: descriptor });
  return fn;
}

/** The descriptor of a built-in function, or undefined for user closures. */
export function builtinOf(fn: unknown): BuiltinDescriptor | undefined {
  if (typeof fn !== 'function') return undefined;
  return (fn as unknown as { [BUILTIN]?: BuiltinDescriptor })[BUILTIN];
}

// Java's \s: exactly these six characters, not Unicode spaces (JS \s would also split on NBSP etc.).
const JAVA_WHITESPACE = /[ \t\n\x0B\f\r]+/;

/**
 * Splits a line on runs of Java `\s` whitespace (space, \t, \n, \x0B, \f, \r)
 * and yields NO empty tokens. Note: Spark's `line.split("\\s+")` yields a
 * leading "" for a line that starts with whitespace; this built-in does not
 * (the seed programs filter `word.length > 0` anyway).
 */
export const splitWhitespace = tag((line: string): string[] => {
  const tokens = line.split(JAVA_WHITESPACE);
  if (tokens[0] === '') tokens.shift();
  if (tokens.length > 0 && tokens[tokens.length - 1] === '') tokens.pop();
  return tokens;
}, { kind: 'splitWhitespace' });

/** `x => [x, 1]`, Spark's `.map((_, 1))`. */
export const pairWithOne = tag(<K>(value: K): readonly [K, number] => [value, 1] as const, { kind: 'pairWithOne' });

/**
 * Built-in reducers. Each is the function that combines two partial results
 * (`count` combines counts by adding); when reducing raw values, `count`
 * first turns every value into 1, so `reduceByKey(count)` counts records per key.
 */
export const sum = tag((a: number, b: number): number => a + b, { kind: 'reducer', reducer: 'sum' });
/** The count reducer: `reduceByKey(count)` counts the records of each key. */
export const count = tag((a: number, b: number): number => a + b, { kind: 'reducer', reducer: 'count' });
/** The minimum reducer: `reduceByKey(min)` keeps the smallest value of each key. */
export const min = tag((a: number, b: number): number => Math.min(a, b), { kind: 'reducer', reducer: 'min' });
/** The maximum reducer: `reduceByKey(max)` keeps the largest value of each key. */
export const max = tag((a: number, b: number): number => Math.max(a, b), { kind: 'reducer', reducer: 'max' });

/**
 * The inverse of `sum` (and of `count`'s merge) for
 * `reduceByKeyAndWindow(sum, subtract, ...)`: with these two built-ins the
 * running window aggregate lives in a kernel table.
 */
export const subtract = tag((a: number, b: number): number => a - b, { kind: 'subtract' });

/**
 * The update function of a running total, for `updateStateByKey(runningSum)`:
 * the previous total (0 for a new key) plus this batch's values. Keys are
 * never removed. With string keys the state lives in a kernel table.
 */
export const runningSum = tag((values: readonly number[], state?: number): number => {
  let total = 0;
  for (const value of values) total += value;
  return state === undefined ? total : state + total;
}, { kind: 'runningSum' });

/**
 * A filter keeping pairs whose value is not 0, for
 * `reduceByKeyAndWindow(sum, subtract, len, slide, nonZero)`: keys whose
 * window total falls to 0 are dropped (on a kernel table, by the subtract itself).
 */
export const nonZero = tag(<K>(pair: readonly [K, number]): boolean => pair[1] !== 0, { kind: 'nonZero' });

/**
 * How to fold the values of one key: `init` turns the first value into an
 * accumulator, `merge` folds in each further value. User reducers use the
 * value itself as the accumulator.
 */
export interface Fold<V> {
  init(value: V): V;
  merge(acc: V, value: V): V;
}

export function foldOf<V>(reduce: (a: V, b: V) => V): Fold<V> {
  const descriptor = builtinOf(reduce);
  if (descriptor?.kind === 'reducer' && descriptor.reducer === 'count') {
    const one = 1 as unknown as V;
    return { init: () => one, merge: (acc) => ((acc as unknown as number) + 1) as unknown as V };
  }
  return { init: (value) => value, merge: reduce };
}

function checkField(name: string, index: number): void {
  if (!Number.isInteger(index) || index < 0) {
    throw new InvalidArgumentError(`${name} must be a non-negative integer field index, got ${index}`);
  }
}

/** `line => line.split(delimiter)[index]` (undefined when the line has fewer fields). */
export function delimitedField(delimiter: string, index: number): (line: string) => string | undefined {
  checkDelimitedSpec({ delimiter, keyField: 0, valueField: 0, reducer: 'sum' });
  checkField('index', index);
  return (line) => line.split(delimiter)[index];
}

/**
 * A flatMap function from a delimited line to `[[key, value]]`, or `[]` for a
 * malformed line (fewer fields than needed, a different count than
 * `expectedFields`, an empty key, or a value that is not a number in the
 * forms assembly/number.ts accepts or lies beyond ±2^959, MAX_FIELD_MAGNITUDE,
 * so that no sum of values can overflow), exactly as the delimited kernel decides. Used in `flatMap`, the
 * engine counts the empty results as malformed records in BatchInfo.
 * Followed by reduceByKey(sum|count|min|max) it runs as one kernel call.
 */
export function keyValueFields(
  delimiter: string,
  keyField: number,
  valueField: number,
  options: { expectedFields?: number } = {},
): (line: string) => (readonly [string, number])[] {
  const { expectedFields } = options;
  const spec: Omit<DelimitedSpec, 'reducer'> =
    expectedFields === undefined ? { delimiter, keyField, valueField } : { delimiter, keyField, valueField, expectedFields };
  // The kernel's own validation, so both paths reject the same arguments.
  checkDelimitedSpec({ ...spec, reducer: 'sum' });
  return tag((line: string): (readonly [string, number])[] => {
    const fields = line.split(delimiter);
    if (expectedFields !== undefined && fields.length !== expectedFields) return [];
    const key = fields[keyField];
    const raw = fields[valueField];
    if (key === undefined || key === '' || raw === undefined) return [];
    const value = parseDecimalField(raw);
    return Number.isNaN(value) ? [] : [[key, value]];
  }, { kind: 'keyValueFields', spec });
}

/**
 * Argument checks made at the call, so a mistake fails where it was made
 * with a message that says what to pass, not later inside a batch with a
 * JS TypeError ("x is not a function", ".for is not iterable").
 */
import { InvalidArgumentError } from './errors.js';

/** What `value` is, for a message: `undefined`, `the number 1000`, `an array`. */
export function describeValue(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string':
      return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `the ${typeof value} ${String(value)}`;
    case 'function':
      return 'a function';
    default:
      return `a ${value.constructor?.name ?? 'object'}`;
  }
}

/** Throws unless `fn` is a function; `example` shows a correct call, e.g. "map((x) => x * 2)". */
export function requireFunction(operation: string, fn: unknown, example: string): void {
  if (typeof fn !== 'function') {
    throw new InvalidArgumentError(`${operation} needs a function, e.g. ${example}; got ${describeValue(fn)}`);
  }
}

/** Throws unless `n` is an integer ≥ `min`. */
export function requireInteger(operation: string, name: string, n: unknown, min: number): void {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new InvalidArgumentError(`${operation}: ${name} must be a whole number ≥ ${min}; got ${describeValue(n)}`);
  }
}

/**
 * Throws unless `element` is a [key, value] pair. Pair operations call it on
 * the elements they read, so a stream of plain values fails with the fix
 * instead of a destructuring TypeError.
 */
export function requirePair(operation: string, element: unknown): void {
  if (!Array.isArray(element) || element.length !== 2) {
    throw new InvalidArgumentError(
      `${operation} works on [key, value] pairs, but got ${describeValue(element)}; ` +
        'make pairs first, e.g. .map((w) => [w, 1]) or .map(pairWithOne)',
    );
  }
}

/**
 * Throws unless `stream` belongs to `context` (a DStream of it), for the
 * operations that combine streams (union, join, cogroup): the mix-up fails
 * at the call rather than as a TypeError inside it.
 */
export function requireStreamOf(operation: string, stream: unknown, context: unknown): void {
  const own = (stream as { context?: unknown } | null | undefined)?.context;
  if (own === context) return;
  if (typeof own === 'object' && own !== null) {
    throw new InvalidArgumentError(`${operation} of streams from different StreamingContexts: build them all from one context`);
  }
  throw new InvalidArgumentError(`${operation} takes DStreams of one StreamingContext; got ${describeValue(stream)}`);
}

/** Throws unless `store` is a CheckpointStore (a path string is the usual mistake: Spark takes a directory). */
export function requireCheckpointStore(operation: string, store: unknown): void {
  const candidate = store as { read?: unknown; write?: unknown } | null | undefined;
  if (typeof candidate?.read !== 'function' || typeof candidate.write !== 'function') {
    throw new InvalidArgumentError(
      `${operation} needs a CheckpointStore, not ${describeValue(store)}: pass new FileCheckpointStore(dir) from sluice/node for a directory, or new InMemoryCheckpointStore()`,
    );
  }
}

/** Throws unless `value` is a non-empty string (a host, a directory); `example` shows a correct value. */
export function requireNonEmptyString(operation: string, name: string, value: unknown, example: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(`${operation}: ${name} must be a non-empty string, e.g. ${example}; got ${describeValue(value)}`);
  }
}

/** The [key, value] pairs of `pairs` (an iterable), or an InvalidArgumentError naming the first thing that is not one. */
export function requirePairs<P>(operation: string, pairs: unknown): P[] {
  if (typeof (pairs as Partial<Iterable<unknown>> | null | undefined)?.[Symbol.iterator] !== 'function' || typeof pairs === 'string') {
    throw new InvalidArgumentError(`${operation} needs [key, state] pairs, e.g. [['a', 1], ['b', 2]] or a Map; got ${describeValue(pairs)}`);
  }
  const list = [...(pairs as Iterable<unknown>)];
  for (const pair of list) {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new InvalidArgumentError(`${operation} needs [key, state] pairs, e.g. [['a', 1], ['b', 2]] or a Map; one element is ${describeValue(pair)}`);
    }
  }
  return list as P[];
}

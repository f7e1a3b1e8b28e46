/**
 * The default ordering of sortBy, sortByKey, top and takeOrdered: Spark's
 * natural ordering for the values JS programs key by. Numbers, bigints and
 * booleans compare by value; strings by UTF-16 code units (as Java's
 * String.compareTo); arrays (tuples) element by element, a shorter prefix
 * first, as Scala orders tuples. undefined and null (Spark's None) sort
 * before everything. Values of different kinds compare by kind name, so a
 * sort never throws and is the same on every run.
 */
import { InvalidArgumentError } from '../errors.js';

/** Orders two values: negative when `a` comes first, positive when `b` does, 0 when equal (as Array.prototype.sort). */
export type Comparator<T> = (a: T, b: T) => number;

function kindOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? 'array' : typeof value;
}

/** The default order of sortBy, sortByKey, top and takeOrdered (see the top of this file). */
export function naturalOrder(a: unknown, b: unknown): number {
  const kind = kindOf(a);
  const other = kindOf(b);
  if (kind !== other) return kind < other ? -1 : 1;
  if (kind === 'array') {
    const left = a as readonly unknown[];
    const right = b as readonly unknown[];
    const shared = Math.min(left.length, right.length);
    for (let i = 0; i < shared; i++) {
      const order = naturalOrder(left[i], right[i]);
      if (order !== 0) return order;
    }
    return left.length - right.length;
  }
  if (kind === '') return 0;
  // NaN sorts after every number, as Java's Double.compare orders it.
  if (kind === 'number' && (Number.isNaN(a) || Number.isNaN(b))) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
  const x = a as number | string;
  const y = b as number | string;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `compare` itself, or naturalOrder when it is undefined; anything else is a clear error at the call. */
export function comparatorOf<T>(operation: string, compare: Comparator<T> | undefined): Comparator<T> {
  if (compare === undefined) return naturalOrder;
  if (typeof compare !== 'function') {
    throw new InvalidArgumentError(`${operation}: the comparator must be a function (a, b) => number, or omitted for the natural order; got ${typeof compare}`);
  }
  return compare;
}

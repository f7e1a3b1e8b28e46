import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparatorOf, naturalOrder } from '../../src/batch/ordering.js';
import { InvalidArgumentError } from '../../src/index.js';

test('naturalOrder: numbers numerically, strings by UTF-16 code units, NaN last', () => {
  assert.deepStrictEqual([10, 2, -1, NaN, 0].sort(naturalOrder), [-1, 0, 2, 10, NaN]);
  assert.deepStrictEqual(['b', 'B', 'a', 'ä', ''].sort(naturalOrder), ['', 'B', 'a', 'b', 'ä']);
  assert.deepStrictEqual([10n, 2n].sort(naturalOrder), [2n, 10n]);
  assert.deepStrictEqual([true, false].sort(naturalOrder), [false, true]);
});

test('naturalOrder: tuples element by element, a prefix first; undefined first; mixed kinds by kind, never throwing', () => {
  const tuples: (readonly unknown[])[] = [['a', 2], ['a', 1, 0], ['a'], ['A', 9]];
  assert.deepStrictEqual(tuples.sort(naturalOrder), [['A', 9], ['a'], ['a', 1, 0], ['a', 2]]);
  // Inside tuples: Array.prototype.sort itself moves bare undefined elements to the end without asking the comparator.
  assert.deepStrictEqual([[3], [undefined], [1]].sort(naturalOrder), [[undefined], [1], [3]]);
  assert.equal(naturalOrder(null, 0), -1);
  assert.deepStrictEqual(['x', 1, 'a', 2].sort(naturalOrder), [1, 2, 'a', 'x']);
});

test('comparatorOf: the given function, the natural order for undefined, an error otherwise', () => {
  const reverse = (a: number, b: number): number => b - a;
  assert.equal(comparatorOf('top', reverse), reverse);
  assert.equal(comparatorOf<number>('top', undefined), naturalOrder);
  assert.throws(() => comparatorOf('top', 1 as unknown as typeof reverse), InvalidArgumentError);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cogroupPairs, innerJoinGroup, leftOuterJoinGroup } from '../../src/batch/joins.js';

test('cogroupPairs groups both sides by key, first-seen order, left first; tuple keys by content', () => {
  assert.deepStrictEqual(
    cogroupPairs<unknown, number, string>([['a', 1], [['t', 1], 2], ['a', 3]], [['b', 'x'], [['t', 1], 'y']]),
    [['a', [[1, 3], []]], [['t', 1], [[2], ['y']]], ['b', [[], ['x']]]],
  );
});

test('innerJoinGroup pairs every left value with every right value; leftOuterJoinGroup keeps lone left values', () => {
  assert.deepStrictEqual(innerJoinGroup(['k', [[1, 2], ['x', 'y']]]), [['k', [1, 'x']], ['k', [1, 'y']], ['k', [2, 'x']], ['k', [2, 'y']]]);
  assert.deepStrictEqual(innerJoinGroup(['k', [[1], []]]), []);
  assert.deepStrictEqual(leftOuterJoinGroup(['k', [[1], []]]), [['k', [1, undefined]]]);
  assert.deepStrictEqual(leftOuterJoinGroup(['k', [[], ['x']]]), []);
});

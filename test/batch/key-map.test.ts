import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyMap } from '../../src/batch/key-map.js';

test('KeyMap: tuples and plain objects are equal by contents; first key object and insertion order kept', () => {
  const first = ['a', 1] as const;
  const map = new KeyMap<unknown, number>();
  map.set(first, 1).set('x', 2).set(['a', 1], 3).set({ p: 'bj', c: ['x', 1] }, 4).set({ c: ['x', 1], p: 'bj' }, 5);
  assert.equal(map.size, 3);
  assert.equal(map.get(['a', 1]), 3);
  assert.equal(map.has({ p: 'bj', c: ['x', 1] }), true);
  const entries = [...map];
  assert.strictEqual(entries[0]?.[0], first);
  assert.deepEqual(entries, [[['a', 1], 3], ['x', 2], [{ p: 'bj', c: ['x', 1] }, 5]]);
});

test('KeyMap: different contents stay apart; primitives compare as in a Map; other objects by identity', () => {
  const map = new KeyMap<unknown, string>();
  const keys: unknown[] = [['1'], [1], [[1]], [1, undefined], [1, null], ['a,b'], ['a', 'b'], [0], [NaN], {}, [], 1, '1', [1n], [true], ['true']];
  keys.forEach((k, i) => map.set(k, String(i)));
  assert.equal(map.size, keys.length);
  map.set([-0], 'zero').set([NaN], 'nan').set(-0, 'primitive zero').set(0, 'primitive zero again');
  assert.equal(map.get([0]), 'zero');
  assert.equal(map.get([NaN]), 'nan');
  assert.equal(map.get(0), 'primitive zero again');
  const date = new Date(0);
  map.set(date, 'date');
  assert.equal(map.get(new Date(0)), undefined);
  assert.equal(map.get(date), 'date');
});

test('KeyMap: delete and clear forget tuples; a deleted tuple added again goes to the end', () => {
  const map = new KeyMap<unknown, number>([[['a'], 1], [['b'], 2]]);
  assert.equal(map.delete(['a']), true);
  assert.equal(map.delete(['a']), false);
  assert.equal(map.has(['a']), false);
  map.set(['a'], 3);
  assert.deepEqual([...map], [[['b'], 2], [['a'], 3]]);
  map.clear();
  assert.equal(map.size, 0);
  assert.equal(map.get(['b']), undefined);
});

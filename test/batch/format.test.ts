import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatElement, jsonNumbers } from '../../src/batch/format.js';

test('JSON never writes null for a number: ±Infinity and NaN become strings, finite numbers stay numbers', () => {
  const value = { sums: [Infinity, -Infinity, NaN, 1.5, -0], label: 'x', missing: null };
  assert.equal(JSON.stringify(value, jsonNumbers), '{"sums":["Infinity","-Infinity","NaN",1.5,0],"label":"x","missing":null}');
  assert.equal(formatElement(['k', { total: Infinity }]), '(k,{"total":"Infinity"})');
  assert.equal(formatElement(['k', Infinity]), '(k,Infinity)');
});

test('Maps and Sets print like Scala collections, not as [object Set]', () => {
  assert.equal(formatElement(['k', new Set(['a', 2])]), '(k,Set(a, 2))');
  assert.equal(formatElement(new Map([['a', [1, 2]]])), 'Map(a -> (1,2))');
  assert.equal(formatElement(new Set()), 'Set()');
});

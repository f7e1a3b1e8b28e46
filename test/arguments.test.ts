import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeValue, requireFunction, requireInteger, requirePair } from '../src/arguments.js';
import { InvalidArgumentError } from '../src/index.js';

test('describeValue names what was passed', () => {
  assert.equal(describeValue(undefined), 'undefined');
  assert.equal(describeValue(null), 'null');
  assert.equal(describeValue(1000), 'the number 1000');
  assert.equal(describeValue('hi'), 'the string "hi"');
  assert.equal(describeValue('x'.repeat(50)), `the string "${'x'.repeat(40)}…"`);
  assert.equal(describeValue([1, 2]), 'an array of 2');
  assert.equal(describeValue(new Map()), 'a Map');
  assert.equal(describeValue(Object.create(null)), 'a object');
  assert.equal(describeValue(() => 1), 'a function');
});

test('requireFunction / requireInteger / requirePair throw InvalidArgumentError with the fix', () => {
  requireFunction('map(fn)', () => 1, 'map((x) => x)');
  assert.throws(() => requireFunction('map(fn)', 'x', 'map((x) => x)'), (e: unknown) => e instanceof InvalidArgumentError && e.message === 'map(fn) needs a function, e.g. map((x) => x); got the string "x"');
  requireInteger('top(n)', 'n', 0, 0);
  assert.throws(() => requireInteger('top(n)', 'n', '3', 0), /top\(n\): n must be a whole number ≥ 0; got the string "3"/);
  requirePair('reduceByKey', ['a', 1]);
  assert.throws(() => requirePair('reduceByKey', ['a', 1, 2]), /got an array of 3; make pairs first/);
  assert.throws(() => requirePair('reduceByKey', 'a'), InvalidArgumentError);
});

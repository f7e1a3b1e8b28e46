import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError, type Pair } from '../../src/index.js';
import { testOperation } from '../harness/operation.js';

test('mapValues: (k, fn(v)) per pair, keys and order kept', async () => {
  await testOperation<Pair<string, number>, Pair<string, string>>(
    [[['a', 1], ['b', 2]], [], [['a', 3]]],
    (s) => s.mapValues((v) => `#${v * 10}`),
    [[['a', '#10'], ['b', '#20']], [], [['a', '#30']]],
  );
});

test('mapValues on a stream of non-pairs fails the batch with the fix; mapValues(undefined) fails at the call', async () => {
  await assert.rejects(
    testOperation([['word']], (s) => (s as unknown as import('../../src/index.js').DStream<Pair<string, number>>).mapValues((v) => v), [[]]),
    (e: unknown) => e instanceof Error && e.cause instanceof InvalidArgumentError && /make pairs first/.test(e.cause.message),
  );
  await assert.rejects(
    testOperation<Pair<string, number>, unknown>([[['a', 1]]], (s) => s.mapValues(undefined as unknown as (v: number) => number), [[]]),
    /mapValues\(fn\) needs a function/,
  );
});

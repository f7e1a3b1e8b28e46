import { test } from 'node:test';
import type { Pair } from '../../src/index.js';
import { testOperation } from '../harness/operation.js';

test('flatMapValues: (k, u) for every u of fn(v); an empty result drops the pair', async () => {
  await testOperation<Pair<string, string>, Pair<string, string>>(
    [[['a', 'x y'], ['b', '']], [['c', 'z']]],
    (s) => s.flatMapValues((v) => v.split(' ').filter((w) => w !== '')),
    [[['a', 'x'], ['a', 'y']], [['c', 'z']]],
  );
});

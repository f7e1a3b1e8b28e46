/**
 * The C reference of `npm run bench` on 1 and several threads: each split of
 * the input must give the word counts and order totals one pass over the
 * whole input gives, since the benchmark's ratios only mean something when
 * both sides compute the same thing. Skipped where no C compiler exists.
 */
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { corpusBytes } from '../../src/corpus/index.js';
import { idiomaticDelimitedSum } from '../../bench/baselines.js';
import { buildCReference, corpusFile, runC } from '../../bench/c-reference.js';
import { firstDifference, referenceWordCount } from '../../bench/verify.js';

const built = buildCReference();
const skip = 'skipped' in built ? built.skipped : false;
const ORDERS_SPEC = { delimiter: ',', keyField: 1, valueField: 2, reducer: 'sum', expectedFields: 3 } as const;

test('the C word count gives the same counts on 1, 2, 3 and 7 threads, also with fewer lines than threads and no final newline', { skip }, () => {
  if ('skipped' in built) return;
  const text = new TextEncoder();
  const inputs = {
    english: corpusBytes('english', 300_000, { seed: 7 }),
    'two-lines': text.encode('alpha beta\tgamma\r\nbeta  alpha'),
    'one-line': text.encode('  só  one line, no newline  '),
  };
  for (const [name, bytes] of Object.entries(inputs)) {
    const file = corpusFile(`test-${name}`, bytes);
    const expected = referenceWordCount(bytes);
    for (const threads of [1, 2, 3, 7]) {
      const c = runC(built.binaries.wordcount, file, 2, threads);
      assert.equal(c.passMs.length, 2);
      assert.equal(firstDifference(expected, c.result), undefined, `${name} on ${threads} threads`);
    }
  }
});

test('the C orders sum gives the same totals and malformed count on 1, 2 and 5 threads', { skip }, () => {
  if ('skipped' in built) return;
  const bytes = corpusBytes('orders', 300_000, { seed: 3, malformedRate: 0.01 });
  const file = corpusFile('test-orders', bytes);
  const expected = idiomaticDelimitedSum(bytes, ORDERS_SPEC);
  assert.ok(expected.malformed > 0, 'the corpus has malformed lines to count');
  for (const threads of [1, 2, 5]) {
    const c = runC(built.binaries.orders, file, 1, threads);
    assert.equal(c.malformed, expected.malformed, `${threads} threads`);
    assert.equal(firstDifference(expected.sums, c.result, 1e-9), undefined, `${threads} threads`);
  }
});

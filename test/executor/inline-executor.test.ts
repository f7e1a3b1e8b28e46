import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InlineExecutor, inlineExecutor } from '../../src/executor/index.js';
import { ManualClock, StreamingContext, createKernels, jsKernels, pairWithOne, splitWhitespace, sum } from '../../src/index.js';

const bytes = new TextEncoder().encode('a b a\nc a\n');

test('the inline executor runs every kernel on the calling thread, on the kernels it was given', () => {
  for (const kernels of [createKernels({ fallback: false }), jsKernels()]) {
    const executor = new InlineExecutor(kernels);
    assert.equal(executor.parallelism, 1);
    assert.equal(executor.kind, kernels.kind);
    assert.deepEqual(executor.wordCount(bytes), kernels.wordCount(bytes));
    const spec = { delimiter: ',', keyField: 0, valueField: 1, reducer: 'sum' } as const;
    const csv = new TextEncoder().encode('x,1\ny,2\nx,3\nbad\n');
    assert.deepEqual(executor.aggregateDelimited(csv, spec), kernels.aggregateDelimited(csv, spec));
    const table = executor.createTable('sum');
    executor.wordCountInto(table, bytes);
    assert.equal(executor.aggregateDelimitedInto(table, csv, spec).malformed, 1);
    assert.deepEqual([...table.entries().keys], ['a', 'b', 'c', 'x', 'y']);
    assert.deepEqual(executor.tokenize(bytes), kernels.tokenize(bytes));
    assert.equal(executor.hash64(bytes, 1), kernels.hash64(bytes, 1));
  }
});

test('a closed inline executor refuses work', async () => {
  const executor = inlineExecutor();
  await executor.close();
  await executor.close();
  assert.throws(() => executor.wordCount(bytes), { code: 'ERR_SLUICE_ILLEGAL_STATE' });
});

test('an executor is the engine\'s kernels: the fused word count runs on it', async () => {
  let calls = 0;
  const kernels = createKernels({ fallback: false });
  const counting = new InlineExecutor({ ...kernels, kind: kernels.kind, wordCount: (b: Uint8Array) => { calls++; return kernels.wordCount(b); } } as typeof kernels);
  const clock = new ManualClock();
  const out: string[] = [];
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, kernels: counting, output: (line) => out.push(line) });
  ssc.queueStream([['a b a', 'c a']]).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum).print();
  ssc.start();
  await clock.advance(1000);
  await ssc.stop();
  assert.equal(calls, 1);
  assert.deepEqual(out.slice(3, 6), ['(a,3)', '(b,1)', '(c,1)']);
});

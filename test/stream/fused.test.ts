import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/corpus/prng.js';
import { OrdersSource } from '../../src/corpus/orders.js';
import {
  count,
  createKernels,
  type DStream,
  jsKernels,
  type Kernels,
  FusedDelimitedDStream,
  FusedWordCountDStream,
  InMemoryCheckpointStore,
  keyValueFields,
  ManualClock,
  max,
  min,
  type Pair,
  pairWithOne,
  type Reducer,
  runningSum,
  splitWhitespace,
  StreamingContext,
  sum,
} from '../../src/internals.js';
import { runOperation, sortedForComparison, testOperation } from '../harness/operation.js';
import { referenceKernels } from '../harness/reference-kernels.js';

const WORDS = ['spark', 'sluice', 'a', 'the', '长江', '黄河', '这是', 'naïve', 'x\u00a0y', '🙂'];
const SPACES = [' ', '\t', '\x0B', '\f', '\r', '  ', ' \t '];

function randomWordLines(rng: Rng, batches: number): string[][] {
  const input: string[][] = [];
  for (let b = 0; b < batches; b++) {
    const lines: string[] = [];
    const n = rng.nextInt(6);
    for (let i = 0; i < n; i++) {
      let line = rng.chance(0.3) ? rng.pick(SPACES) : '';
      const words = rng.nextInt(8);
      for (let w = 0; w < words; w++) line += (w > 0 ? rng.pick(SPACES) : '') + rng.pick(WORDS);
      if (rng.chance(0.3)) line += rng.pick(SPACES);
      lines.push(line);
    }
    input.push(lines);
  }
  return input;
}

/** Every Kernels implementation the fast path can run on: the test reference, the TypeScript fallback and WASM. */
function kernelVariants(): [string, Kernels][] {
  const wasm = createKernels({ fallback: false });
  assert.equal(wasm.kind, 'wasm');
  return [['reference', referenceKernels()], ['js fallback', jsKernels()], ['wasm', wasm]];
}

/** Counts the fused kernel calls made through `inner`. */
function counting(inner: Kernels): Kernels & { calls: { wordCount: number; aggregateDelimited: number } } {
  const calls = { wordCount: 0, aggregateDelimited: 0 };
  return Object.assign(Object.create(inner) as Kernels, {
    calls,
    wordCount: (bytes: Uint8Array) => {
      calls.wordCount++;
      return inner.wordCount(bytes);
    },
    aggregateDelimited: (bytes: Uint8Array, spec: Parameters<Kernels['aggregateDelimited']>[1]) => {
      calls.aggregateDelimited++;
      return inner.aggregateDelimited(bytes, spec);
    },
  });
}

const wordCountChain = (lines: DStream<string>): DStream<Pair<string, number>> =>
  lines.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum);

test('the planner fuses flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum)', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const lines = ssc.queueStream<string>([]);
  assert.ok(wordCountChain(lines) instanceof FusedWordCountDStream);
  assert.ok(lines.flatMap(splitWhitespace).countByValue() instanceof FusedWordCountDStream);
  assert.ok(!(lines.flatMap(splitWhitespace).map((w) => [w, 1] as const).reduceByKey(sum) instanceof FusedWordCountDStream));
  assert.ok(!(lines.flatMap(splitWhitespace).map(pairWithOne).reduceByKey((a: number, b: number) => a + b) instanceof FusedWordCountDStream));
  assert.ok(lines.flatMap(keyValueFields(',', 1, 2)).reduceByKey(max) instanceof FusedDelimitedDStream);
});

for (const asRecords of [true, false]) {
  test(`word count: fast path equals JS path on random lines (${asRecords ? 'byte-backed' : 'string'} batches)`, async () => {
    for (const [name, inner] of kernelVariants()) {
      for (let seed = 1; seed <= 15; seed++) {
        const input = randomWordLines(new Rng(seed), 4);
        const kernels = counting(inner);
        const fast = await runOperation(input, wordCountChain, { numBatches: 4, kernels, asRecords });
        const js = await runOperation(input, wordCountChain, { numBatches: 4, asRecords, kernels: null });
        assert.equal(kernels.calls.wordCount, 4, 'every batch went through the kernel');
        for (let b = 0; b < 4; b++) {
          assert.deepStrictEqual(sortedForComparison(fast.outputs[b] ?? []), sortedForComparison(js.outputs[b] ?? []), `${name} seed ${seed} batch ${b}`);
        }
      }
    }
  });
}

test('word count: strings holding a newline take the JS path (same records a closure sees)', async () => {
  const kernels = referenceKernels();
  await testOperation([['a\nb a']], wordCountChain, [[['a', 2], ['b', 1]]], { kernels, orderMatters: false });
  assert.equal(kernels.calls.wordCount, 0);
});

test('lone surrogates: string batches holding one take the JS path, so the built-ins give the keys closures give', async () => {
  const closures = (lines: DStream<string>): DStream<Pair<string, number>> =>
    lines.flatMap((line) => line.split(/[ \t\n\x0B\f\r]+/).filter((w) => w !== '')).map((w): Pair<string, number> => [w, 1]).reduceByKey((a, b) => a + b);
  const input = [['a\ud800 a\udc00', 'a\ud83d\ude42 b'], ['x\udc00\ud800 x\uFFFD'], ['\ud83d\ude42 plain']];
  const expected = [[['a\ud800', 1], ['a\udc00', 1], ['a\ud83d\ude42', 1], ['b', 1]], [['x\udc00\ud800', 1], ['x\uFFFD', 1]], [['\ud83d\ude42', 1], ['plain', 1]]];
  for (const [name, inner] of kernelVariants()) {
    const kernels = counting(inner);
    const fast = await runOperation(input, wordCountChain, { numBatches: 3, kernels });
    assert.deepEqual(fast.outputs, expected, name);
    // Only the batch without lone surrogates (well-formed pairs are fine) went through the kernel.
    assert.equal(kernels.calls.wordCount, 1, name);
  }
  assert.deepEqual((await runOperation(input, closures, { numBatches: 3, kernels: null })).outputs, expected);

  const orders = [['1,k\ud800,2', '2,k\udc00,3', '3,k\uFFFD,4']];
  const totals = (lines: DStream<string>): DStream<Pair<string, number>> => lines.flatMap(keyValueFields(',', 1, 2)).reduceByKey(sum);
  for (const [name, kernels] of kernelVariants()) {
    assert.deepEqual((await runOperation(orders, totals, { numBatches: 1, kernels })).outputs, [[['k\ud800', 2], ['k\udc00', 3], ['k\uFFFD', 4]]], name);
  }
});

test('lone surrogates: running sums keep such keys apart (they leave the kernel table for a JS Map)', async () => {
  const input = [['a a\uFFFD'], ['a\ud800 a\udc00 a'], ['a\ud800']];
  const running = (lines: DStream<string>): DStream<Pair<string, number>> => lines.flatMap(splitWhitespace).map(pairWithOne).updateStateByKey(runningSum);
  const expected = [
    [['a', 1], ['a\uFFFD', 1]],
    [['a', 2], ['a\uFFFD', 1], ['a\ud800', 1], ['a\udc00', 1]],
    [['a', 2], ['a\uFFFD', 1], ['a\ud800', 2], ['a\udc00', 1]],
  ];
  for (const kernels of [undefined, null] as const) {
    const run = await runOperation(input, running, { numBatches: 3, kernels, checkpoint: new InMemoryCheckpointStore() });
    assert.deepEqual(run.outputs, expected, `kernels ${kernels === null ? 'off' : 'on'}`);
  }
});

test('seed: 长江 长江 这是 黄河 counts the same on both paths', async () => {
  const expected: Pair<string, number>[][] = [[['长江', 2], ['这是', 1], ['黄河', 1]]];
  await testOperation([['长江 长江 这是 黄河']], wordCountChain, expected, { orderMatters: false, kernels: null });
  for (const [, kernels] of kernelVariants()) {
    await testOperation([['长江 长江 这是 黄河']], wordCountChain, expected, { orderMatters: false, kernels, asRecords: true });
  }
});

const SEED_ORDERS = [
  '201710261645320001,12,45.00',
  '201710261645320002,12,20.00',
  '201710261645320301,14,10.00',
  '201710261635320e01,12,4.00',
  '',
  '201710261645320034,21,100.50',
  '201710261645320021,14,2.00',
  '',
  '201710261645323501,12,1.50',
  '201710261645320281,14,3.00',
  '201710261645332568,15,1000.50',
  '',
  '201710261645320231,15,1000.00',
  '',
  '201710261645320001,12,1000.00',
  '201710261645320002,12,1000.00',
  '201710261645320301,14,1000.00',
  'garbage',
  '201710261645320302,14,abc',
  '201710261645320303,14,1.00,extra',
];

const provinceTotals = (lines: DStream<string>): DStream<Pair<string, number>> =>
  lines.flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 })).reduceByKey(sum);

test('seed: per-province order totals, malformed lines skipped and counted in BatchInfo, both paths', async () => {
  const expected: Pair<string, number>[][] = [[['12', 2070.5], ['14', 1015], ['21', 100.5], ['15', 2000.5]], []];
  for (const kernels of [null, ...kernelVariants().map(([, k]) => k)]) {
    const run = await testOperation([SEED_ORDERS, []], provinceTotals, expected, { orderMatters: false, asRecords: true, kernels });
    assert.deepStrictEqual(run.batchInfos.map((b) => b.counters['malformedRecords'] ?? 0), [7, 0]);
    assert.deepStrictEqual(run.batchInfos.map((b) => b.numRecords), [SEED_ORDERS.length, 0]);
  }
});

for (const [name, reducer] of [['sum', sum], ['count', count], ['min', min], ['max', max]] as const) {
  test(`delimited reduceByKey(${name}): fast path equals JS path on random orders with malformed lines`, async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const source = new OrdersSource(seed, { malformedRate: 0.2 });
      const rng = new Rng(seed);
      const input = Array.from({ length: 3 }, () => Array.from({ length: rng.nextInt(40) }, () => source.nextLine()));
      const chain = (lines: DStream<string>) => lines.flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 })).reduceByKey(reducer);
      const js = await runOperation(input, chain, { numBatches: 3, asRecords: true, kernels: null });
      for (const [name, inner] of kernelVariants()) {
        const kernels = counting(inner);
        const fast = await runOperation(input, chain, { numBatches: 3, kernels, asRecords: true });
        assert.equal(kernels.calls.aggregateDelimited, 3);
        assert.deepStrictEqual(fast.outputs.map(sortedForComparison), js.outputs.map(sortedForComparison), `${name} seed ${seed}`);
        assert.deepStrictEqual(
          fast.batchInfos.map((b) => b.counters['malformedRecords'] ?? 0),
          js.batchInfos.map((b) => b.counters['malformedRecords'] ?? 0),
        );
      }
      assert.ok(js.batchInfos.some((b) => (b.counters['malformedRecords'] ?? 0) > 0) || input.every((b) => b.length < 5));
    }
  });
}

test('delimited reducers compute what they say', async () => {
  const lines = [['a,1', 'b,5', 'a,3', 'a,2', 'bad']];
  const cases: [Reducer, (a: number, b: number) => number, Pair<string, number>[]][] = [
    ['sum', sum, [['a', 6], ['b', 5]]],
    ['count', count, [['a', 3], ['b', 1]]],
    ['min', min, [['a', 1], ['b', 5]]],
    ['max', max, [['a', 3], ['b', 5]]],
  ];
  for (const [, reducer, expected] of cases) {
    for (const kernels of [null, ...kernelVariants().map(([, k]) => k)]) {
      await testOperation(lines, (s) => s.flatMap(keyValueFields(',', 0, 1)).reduceByKey(reducer), [expected], { orderMatters: false, kernels });
    }
  }
});

test('invalid UTF-8: byte keys that decode alike (U+FFFD) merge on the fast path, as the JS path decodes them', async () => {
  const bytes = (...parts: (string | number[])[]): Uint8Array =>
    Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...new TextEncoder().encode(p)] : p)));
  // \xff and \xfe are different bytes but both decode to U+FFFD; \xef\xbf\xbd is U+FFFD itself.
  const lines = [
    bytes('a ', [0xff], ' ', [0xfe], ' ', [0xef, 0xbf, 0xbd], ' é'),
    bytes('k', [0xff], ',5'),
    bytes('k', [0xfe], ',7'),
    bytes('é,3'),
  ];
  const input = [lines, lines] as unknown as string[][];
  const chains: [string, (s: DStream<string>) => DStream<Pair<string, number>>][] = [
    ['word count sum', (s) => s.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum)],
    ['word count count', (s) => s.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(count)],
    ...([sum, count, min, max] as const).map((r): [string, (s: DStream<string>) => DStream<Pair<string, number>>] => [
      `delimited ${String(r.name)}`,
      (s) => s.flatMap(keyValueFields(',', 0, 1)).reduceByKey(r),
    ]),
    ['word count runningSum', (s) => s.flatMap(splitWhitespace).map(pairWithOne).updateStateByKey(runningSum)],
    ['delimited runningSum', (s) => s.flatMap(keyValueFields(',', 0, 1)).updateStateByKey(runningSum)],
  ];
  for (const [label, chain] of chains) {
    const js = await runOperation(input, chain, { numBatches: 2, asRecords: true, kernels: null, checkpoint: new InMemoryCheckpointStore() });
    const keys = js.outputs[0]?.map(([k]) => k) ?? [];
    assert.equal(new Set(keys).size, keys.length, `${label}: the JS path has each key once`);
    // The reference kernels have no tables (state), so the two real implementations.
    for (const [name, kernels] of [['js fallback', jsKernels()], ['wasm', createKernels({ fallback: false })]] as const) {
      const fast = await runOperation(input, chain, { numBatches: 2, asRecords: true, kernels, checkpoint: new InMemoryCheckpointStore() });
      assert.deepEqual(fast.outputs, js.outputs, `${label} on ${name}`);
    }
  }
});

test('malformed lines are counted once per batch however many chains parse them (fused, state, JS)', async () => {
  const input = [['a,1', 'bad', 'b,2', 'x'], ['c,3'], ['no', 'nope', 'd,4']];
  for (const kernels of [undefined, null]) {
    const run = await runOperation(
      input,
      (s: DStream<string>) => {
        const pairs = s.flatMap(keyValueFields(',', 0, 1));
        pairs.reduceByKey(max).foreachRDD(() => undefined);
        pairs.map(([k]) => k).foreachRDD(() => undefined);
        return pairs.updateStateByKey(runningSum);
      },
      { numBatches: 3, asRecords: true, checkpoint: new InMemoryCheckpointStore(), ...(kernels === null ? { kernels } : {}) },
    );
    assert.deepEqual(run.batchInfos.map((info) => info.counters.malformedRecords ?? 0), [2, 0, 2], kernels === null ? 'JS path' : 'fast path');
  }
});

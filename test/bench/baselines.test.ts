import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idiomaticDelimitedSum, idiomaticWordCount, tunedDelimitedSum, tunedWordCount } from '../../bench/baselines.js';
import { firstDifference, referenceWordCount } from '../../bench/verify.js';
import { corpusBytes, distinctPassBytes, Rng } from '../../src/corpus/index.js';
import type { DelimitedSpec } from '../../src/kernels/api.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);
const ORDERS: DelimitedSpec = { delimiter: ',', keyField: 1, valueField: 2, reducer: 'sum', expectedFields: 3 };

function assertSameCounts(bytes: Uint8Array, label: string): void {
  const reference = referenceWordCount(bytes);
  assert.equal(firstDifference(reference, tunedWordCount(bytes)), undefined, `tuned-js on ${label}`);
}

test('tuned word count equals the reference on edge cases', () => {
  const cases = ['', ' ', ' \t\n\x0B\f\r ', 'a', 'a b a', '  lead and trail  ', '长江 黄河\t长江\r\n老鹰', 'x'.repeat(100_000) + ' y'];
  for (const ws of [' ', '\t', '\n', '\x0B', '\f', '\r']) cases.push(`one${ws}two${ws}${ws}one`);
  for (const text of cases) assertSameCounts(encode(text), JSON.stringify(text.slice(0, 30)));
});

test('tuned word count equals the reference on random text of whitespace, ASCII and multi-byte characters', () => {
  const rng = new Rng(17);
  const alphabet = [' ', '\t', '\n', '\x0B', '\f', '\r', 'a', 'b', 'c', '长', 'é', '😀'];
  for (let round = 0; round < 50; round++) {
    let text = '';
    for (let i = rng.nextRange(0, 2000); i > 0; i--) text += rng.pick(alphabet);
    assertSameCounts(encode(text), `random round ${round}`);
  }
});

test('tuned word count keys bytes, not strings: invalid UTF-8 words stay distinct entries', () => {
  // Both words decode to U+FFFD U+FFFD; a byte-keyed table (like the kernels) keeps them apart.
  const result = tunedWordCount(new Uint8Array([0xff, 0xfe, 0x20, 0xfe, 0xff, 0x20, 0xff, 0xfe]));
  assert.deepEqual(result.keys, ['\ufffd\ufffd', '\ufffd\ufffd']);
  assert.deepEqual([...result.values], [2, 1]);
});

test('tuned word count survives many table growths (200,000 distinct keys)', () => {
  const bytes = distinctPassBytes(200_000, 3);
  const result = tunedWordCount(bytes);
  assert.equal(result.keys.length, 200_000);
  assertSameCounts(bytes, 'distinct');
});

test('idiomatic word count equals the reference on the generated corpora', () => {
  for (const corpus of ['english', 'mixed'] as const) {
    const bytes = corpusBytes(corpus, 200_000);
    assert.equal(firstDifference(referenceWordCount(bytes), idiomaticWordCount(bytes)), undefined, corpus);
  }
});

test('idiomatic delimited sum skips and counts malformed lines', () => {
  const bytes = encode('1,a,1.50\n2,b,2\n3,a,0.25\n4,a\n5,b,1,9\n6,b,abc\n7,b,\n\n8,c,-1\n');
  const { sums, malformed } = idiomaticDelimitedSum(bytes, ORDERS);
  assert.deepEqual([...sums].sort(), [['a', 1.75], ['b', 2], ['c', -1]]);
  assert.equal(malformed, 5);
});

test('tuned delimited sum equals the idiomatic one, on edge cases and the orders corpus', () => {
  const texts = [
    '',
    '1,a,1.50\n2,b,2\n3,a,0.25\n4,a\n5,b,1,9\n6,b,abc\n7,b,\n\n8,c,-1\n',
    '1,k,.5\n2,k,12.\n3,k, 2 \n4,k,1e3\n5,k,-0\n6,k,0x10\n7,k,1..2\n8,k,-\n9,k,123456789012345678\n10,k,0.1',
  ];
  const orders = corpusBytes('orders', 300_000, { malformedRate: 0.05 });
  for (const bytes of [...texts.map(encode), orders]) {
    for (const spec of [ORDERS, { ...ORDERS, expectedFields: undefined }]) {
      const want = idiomaticDelimitedSum(bytes, spec);
      const got = tunedDelimitedSum(bytes, spec);
      assert.equal(got.malformed, want.malformed);
      // Same order of additions per key, so the sums are bit-identical.
      assert.equal(firstDifference(want.sums, got.result), undefined);
    }
  }
});

test('firstDifference reports missing, extra, wrong and duplicate keys', () => {
  const want = new Map([['a', 1], ['b', 2]]);
  assert.equal(firstDifference(want, { keys: ['b', 'a'], values: new Float64Array([2, 1]) }), undefined);
  assert.match(firstDifference(want, new Map([['a', 1]])) ?? '', /missing key "b"/);
  assert.match(firstDifference(want, new Map([['a', 1], ['b', 3]])) ?? '', /expected 2, got 3/);
  assert.match(firstDifference(want, new Map([['a', 1], ['b', 2], ['c', 0]])) ?? '', /unexpected key "c"/);
  assert.match(firstDifference(want, { keys: ['a', 'a'], values: new Float64Array([1, 1]) }) ?? '', /duplicate key/);
  assert.equal(firstDifference(new Map([['a', 1e6]]), new Map([['a', 1e6 + 1e-4]]), 1e-9), undefined);
  assert.notEqual(firstDifference(new Map([['a', 1e6]]), new Map([['a', 1e6 + 1]]), 1e-9), undefined);
});

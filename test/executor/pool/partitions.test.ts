import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterNewline, atWhitespace, partitionEnds } from '../../../src/executor/pool/index.js';
import { Rng } from '../../../src/corpus/index.js';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

test('word-count partitions end on a whitespace byte, so no word is cut', () => {
  const rng = new Rng(5);
  for (let round = 0; round < 200; round++) {
    const words: string[] = [];
    const n = rng.nextInt(60);
    for (let i = 0; i < n; i++) words.push('x'.repeat(1 + rng.nextInt(12)) + [' ', '\t', '\n', '\r\n', '\x0b', '\f'][rng.nextInt(6)]);
    const bytes = encode(words.join(''));
    const parts = 1 + rng.nextInt(6);
    const ends = partitionEnds(bytes, parts, 1 + rng.nextInt(20), atWhitespace);
    assert.ok(ends.length >= 1 && ends.length <= parts);
    assert.equal(ends[ends.length - 1], bytes.length);
    for (const end of ends.slice(0, -1)) assert.ok([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d].includes(bytes[end] as number), `cut at ${end}`);
    for (let i = 1; i < ends.length; i++) assert.ok((ends[i] as number) > (ends[i - 1] as number));
  }
});

test('delimited partitions start at a line start; small or boundary-poor batches get fewer partitions', () => {
  const bytes = encode('1,a,2\n2,b,3\n3,c,4\n4,d,5\n');
  const ends = partitionEnds(bytes, 4, 1, afterNewline);
  assert.deepEqual(ends, [6, 12, 18, 24]);
  assert.deepEqual(partitionEnds(bytes, 4, 10, afterNewline), [12, 24]);
  assert.deepEqual(partitionEnds(bytes, 4, 100, afterNewline), [24]);
  assert.deepEqual(partitionEnds(encode('one-long-token'), 4, 1, atWhitespace), [14]);
  assert.deepEqual(partitionEnds(new Uint8Array(0), 4, 1, atWhitespace), [0]);
});

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type { PartitionMetadata } from 'kafkajs';
import { Partitioners } from '../../../../src/node/kafka/kafkajs.js';
import { keyBytes, murmur2, statePartition } from '../../../../src/node/kafka/changelog/state-keys.js';
import { KeyMap } from '../../../../src/batch/key-map.js';

// kafkajs's Java-compatible murmur2 (its DefaultPartitioner's hash), to compare against.
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer) => number;

/** Deterministic pseudo-random bytes (an LCG's high bits). */
function randomBytes(seed: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    bytes[i] = s >>> 24;
  }
  return bytes;
}

test('murmur2 gives the Java client\'s values (org.apache.kafka.common.utils.UtilsTest, and others computed with the Java client)', () => {
  const java: [string, number][] = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
    ['1', -1993445489],
    ['12', 126087238],
    ['123', -267702483],
    ['1234', -1614185708],
    ['12345', -1188365604],
  ];
  for (const [text, hash] of java) assert.equal(murmur2(new TextEncoder().encode(text)), hash, text);
});

test('murmur2 equals kafkajs\'s on 20,000 byte strings of every length from 0 to 99, and on UTF-8 words', () => {
  for (let i = 0; i < 20_000; i++) {
    const bytes = randomBytes(i + 1, i % 100);
    assert.equal(murmur2(bytes), kafkajsMurmur2(Buffer.from(bytes)), `bytes #${i}`);
  }
  for (const word of ['', 'a', 'ab', 'the', 'word', 'fox!?', '长江', '黄河长江', 'naïve', '😀', 'x'.repeat(1000)]) {
    assert.equal(murmur2(keyBytes(word)), kafkajsMurmur2(Buffer.from(word)), word);
  }
});

test('statePartition is the partition kafkajs\'s DefaultPartitioner (Java\'s default) sends a keyed record to', () => {
  for (const partitions of [1, 2, 3, 6, 7, 64]) {
    const partitionMetadata = Array.from({ length: partitions }, (_, partitionId): PartitionMetadata => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
    const partitioner = Partitioners.DefaultPartitioner();
    for (let i = 0; i < 2000; i++) {
      const key = i % 4 === 0 ? `user-${i}` : i % 4 === 1 ? String(i * 7919) : i % 4 === 2 ? `长江-${i}` : `${'k'.repeat(i % 700)}${i}`;
      assert.equal(statePartition(key, partitions), partitioner({ topic: 't', partitionMetadata, message: { key, value: null } }), `${key} of ${partitions}`);
    }
  }
});

test('keyBytes: strings as UTF-8, numbers, bigints and booleans as their text (so "42" and 42 share a partition), structured keys canonically', () => {
  const text = (key: unknown): string => new TextDecoder().decode(keyBytes(key));
  assert.equal(text('长江'), '长江');
  assert.equal(text(42), '42');
  assert.equal(text(-0), '0');
  assert.equal(text(10n ** 20n), '100000000000000000000');
  assert.equal(text(true), 'true');
  assert.equal(statePartition(42, 6), statePartition('42', 6));
  assert.equal(text(['a', 1]), '["a",1]');
  assert.equal(text([null, undefined, NaN]), '[null,{"$u":0},{"$n":"NaN"}]');
  // Keys that KeyMap treats as one (fields in any order, -0 and 0) get the same bytes.
  const a = { province: '12', city: ['x', -0] };
  const b = { city: ['x', 0], province: '12' };
  assert.equal(new KeyMap([[a, 1], [b, 2]]).size, 1);
  assert.equal(text(a), text(b));
  assert.equal(text(a), '{"$o":{"city":["x",0],"province":"12"}}');
});

test('statePartition refuses a partition count that is not a positive whole number', () => {
  for (const n of [0, -1, 1.5, Number.NaN]) assert.throws(() => statePartition('a', n), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
});

/**
 * Which partition a state key belongs to: Kafka's default partitioner
 * (the Java client's, which kafkajs's DefaultPartitioner and librdkafka's
 * murmur2_random follow): `(murmur2(keyBytes) & 0x7fffffff) % partitions`.
 * So records a producer keyed by the same key (as a string) are in the
 * key's state partition, and keyed state lives with the partition that
 * feeds it.
 *
 * keyBytes: a string is its UTF-8; a number, bigint or boolean the UTF-8
 * of String(key); anything else (tuples, plain objects) the UTF-8 of the
 * JSON of its value-codec encoding, written canonically (object fields
 * sorted, -0 as 0) so that keys sluice treats as equal (see KeyMap) get
 * equal bytes.
 */
import { BlobWriter, encodeValue } from '../../../checkpoint/value-codec.js';
import { InvalidArgumentError } from '../../../errors.js';

const utf8 = new TextEncoder();

export function keyBytes(key: unknown): Uint8Array {
  switch (typeof key) {
    case 'string':
      return utf8.encode(key);
    case 'number':
    case 'bigint':
    case 'boolean':
      return utf8.encode(String(key));
    default:
      return utf8.encode(canonicalKeyJson(key));
  }
}

/** The JSON of the value-codec encoding of `key`, with object fields sorted and -0 as 0 (KeyMap's equality). */
export function canonicalKeyJson(key: unknown): string {
  return JSON.stringify(encodeValue(canonical(key), new BlobWriter(), 'a state key'));
}

function canonical(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, canonical(record[k])]));
}

const M = 0x5bd1e995;
const SEED = 0x9747b28c;

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2): a signed 32-bit hash. */
export function murmur2(data: Uint8Array): number {
  return murmur2Prefix(data, data.length);
}

/** murmur2 of the first `length` bytes of `data`. */
function murmur2Prefix(data: Uint8Array, length: number): number {
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & 3;
  if (tail === 3) h ^= (data[whole + 2] as number) << 16;
  if (tail >= 2) h ^= (data[whole + 1] as number) << 8;
  if (tail >= 1) h = Math.imul(h ^ (data[whole] as number), M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition of `partitions` that `key`'s state belongs to (Kafka's default partitioner on keyBytes). */
export function statePartition(key: unknown, partitions: number): number {
  if (!Number.isSafeInteger(partitions) || partitions < 1) throw new InvalidArgumentError(`statePartition needs a positive whole number of partitions, got ${partitions}`);
  const hash = typeof key === 'string' ? murmur2OfString(key) : murmur2(keyBytes(key));
  return (hash & 0x7fffffff) % partitions;
}

let scratch = new Uint8Array(256);

/** murmur2 of a string's UTF-8 without allocating for ASCII strings (most keys: this runs for every changed key of every batch). */
function murmur2OfString(text: string): number {
  if (text.length > scratch.length) scratch = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return murmur2(utf8.encode(text));
    scratch[i] = code;
  }
  return murmur2Prefix(scratch, text.length);
}

/**
 * The tuned JS baselines' hash table: open addressing over byte-range keys
 * that stay in the caller's input buffer (never copied, compared bytewise).
 *
 * Slot layout, one Int32Array of 2·capacity, so a probe touches one cache
 * line and most mismatches are rejected by hash alone:
 *
 *   slot i:  [ entry id + 1 (0 = empty) | 32-bit hash ]
 *
 * Entries are parallel typed arrays (key start, key length, value). Linear
 * probing, load factor ≤ 1/2, growth by rehashing the stored hashes.
 */
import type { KeyedValues } from '../src/kernels/api.js';

const INITIAL_CAPACITY = 1 << 16;
const decoder = new TextDecoder();

export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;

/** FNV's low bits are weak for short keys; fold the high half in before masking. */
export function finishHash(h: number): number {
  return h ^ (h >>> 15);
}

export class ByteKeyTable {
  size = 0;
  values: Float64Array = new Float64Array(INITIAL_CAPACITY >> 1);
  private capacity = INITIAL_CAPACITY;
  private slots: Int32Array = new Int32Array(INITIAL_CAPACITY * 2);
  private starts: Int32Array = new Int32Array(INITIAL_CAPACITY >> 1);
  private lengths: Int32Array = new Int32Array(INITIAL_CAPACITY >> 1);

  constructor(private readonly bytes: Uint8Array) {}

  /** Entry id of the key `bytes[start, start + length)` with hash `h`, inserted with value 0 if new. */
  find(start: number, length: number, h: number): number {
    const { bytes, slots, lengths, starts } = this;
    const wrap = this.capacity * 2 - 1;
    let slot = (h << 1) & wrap;
    for (;;) {
      const id = slots[slot] as number;
      if (id === 0) return this.insert(slot, start, length, h);
      if (slots[slot + 1] === h && lengths[id - 1] === length) {
        const other = starts[id - 1] as number;
        let k = 0;
        while (k < length && bytes[other + k] === bytes[start + k]) k++;
        if (k === length) return id - 1;
      }
      slot = (slot + 2) & wrap;
    }
  }

  /** All entries, keys copied into one '\n'-separated buffer, decoded once and split once. */
  entries(): KeyedValues {
    const { bytes, starts, lengths, size } = this;
    let total = 0;
    for (let e = 0; e < size; e++) total += (lengths[e] as number) + 1;
    const arena = new Uint8Array(total);
    let at = 0;
    for (let e = 0; e < size; e++) {
      const start = starts[e] as number;
      const length = lengths[e] as number;
      // Keys are short: a byte loop beats a subarray object per key.
      for (let k = 0; k < length; k++) arena[at + k] = bytes[start + k] as number;
      at += length;
      arena[at++] = 0x0a;
    }
    const keys = size === 0 ? [] : decoder.decode(arena.subarray(0, total - 1)).split('\n');
    return { keys, values: this.values.slice(0, size) };
  }

  private insert(slot: number, start: number, length: number, h: number): number {
    const id = this.size;
    if (id === this.starts.length) this.growEntries();
    this.starts[id] = start;
    this.lengths[id] = length;
    this.size = id + 1;
    this.slots[slot] = id + 1;
    this.slots[slot + 1] = h;
    if (this.size * 2 > this.capacity) this.rehash(this.capacity * 2);
    return id;
  }

  private growEntries(): void {
    const grow = <T extends Int32Array | Float64Array>(array: T, make: (n: number) => T): T => {
      const grown = make(array.length * 2);
      grown.set(array);
      return grown;
    };
    this.starts = grow(this.starts, (n) => new Int32Array(n));
    this.lengths = grow(this.lengths, (n) => new Int32Array(n));
    this.values = grow(this.values, (n) => new Float64Array(n));
  }

  private rehash(capacity: number): void {
    const old = this.slots;
    const slots = new Int32Array(capacity * 2);
    const wrap = capacity * 2 - 1;
    for (let s = 0; s < old.length; s += 2) {
      const id = old[s] as number;
      if (id === 0) continue;
      const h = old[s + 1] as number;
      let slot = (h << 1) & wrap;
      while (slots[slot] !== 0) slot = (slot + 2) & wrap;
      slots[slot] = id;
      slots[slot + 1] = h;
    }
    this.slots = slots;
    this.capacity = capacity;
  }
}

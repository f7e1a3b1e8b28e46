/**
 * Plain-JavaScript baselines the kernels are measured against, in the same
 * run. Every baseline takes the data as it arrives (UTF-8 bytes), so turning
 * bytes into strings is part of the measured work, as it is for the kernels.
 *
 * - idiomatic: what a JS developer writes first (decode, split(/\s+/), Map).
 * - tuned: an honest, well-optimised byte scanner — no string per word, a
 *   multiplicative hash computed while scanning, an open-addressing table in
 *   typed arrays (ByteKeyTable), keys compared bytewise in the input, results
 *   decoded in bulk. This is the bar the WASM kernel must clear by 2.5×.
 */
import type { DelimitedResult, DelimitedSpec, KeyedValues } from '../src/kernels/api.js';
import { ByteKeyTable, finishHash, FNV_OFFSET, FNV_PRIME } from './byte-key-table.js';

const decoder = new TextDecoder();

/** `text.split(/\s+/)` + `Map`: the idiomatic JS word count. */
export function idiomaticWordCount(bytes: Uint8Array): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of decoder.decode(bytes).split(/\s+/)) {
    if (word === '') continue;
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

export interface CsvSums {
  readonly sums: Map<string, number>;
  readonly malformed: number;
}

/**
 * `split('\n')`, `split(',')`, `Number`, `Map`: the idiomatic JS sum of a value
 * field by a key field. A line is malformed when its field count differs from
 * `spec.expectedFields` (if given) or lacks either field, or when the value is
 * empty or not a number.
 */
export function idiomaticDelimitedSum(bytes: Uint8Array, spec: DelimitedSpec): CsvSums {
  const sums = new Map<string, number>();
  let malformed = 0;
  const lines = decoder.decode(bytes).split('\n');
  // The text ends with '\n', which leaves one empty string that is not a line.
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    const fields = line.split(spec.delimiter);
    const key = fields[spec.keyField];
    const raw = fields[spec.valueField];
    const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
    if (
      (spec.expectedFields !== undefined && fields.length !== spec.expectedFields) ||
      key === undefined ||
      Number.isNaN(value)
    ) {
      malformed++;
      continue;
    }
    sums.set(key, (sums.get(key) ?? 0) + value);
  }
  return { sums, malformed };
}

/** Java `\s`: space, \t, \n, \x0B, \f, \r. */
const IS_SPACE = new Uint8Array(256);
for (const c of [0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]) IS_SPACE[c] = 1;

/**
 * Tuned JS word count: one pass over the bytes, FNV-1a per byte while
 * scanning, ByteKeyTable. Words are keyed by their bytes, so two different
 * invalid UTF-8 words that decode to the same replacement characters stay two
 * entries (as in the kernels); on valid UTF-8 it equals the reference.
 */
export function tunedWordCount(bytes: Uint8Array): KeyedValues {
  const table = new ByteKeyTable(bytes);
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    while (i < n && IS_SPACE[bytes[i] as number] === 1) i++;
    if (i >= n) break;
    const start = i;
    let h = FNV_OFFSET;
    while (i < n) {
      const b = bytes[i] as number;
      // Bytes above ' ' are never whitespace: skip the table load for them.
      if (b <= 0x20 && IS_SPACE[b] === 1) break;
      h = Math.imul(h ^ b, FNV_PRIME);
      i++;
    }
    const id = table.find(start, i - start, finishHash(h));
    table.values[id] = (table.values[id] as number) + 1;
  }
  return table.entries();
}

const NEWLINE = 0x0a;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
/** Decimals with up to 15 digits are exact as integer mantissas; m / 10^k is then correctly rounded, as Number() is. */
const MAX_FAST_DIGITS = 15;
const POWERS_OF_TEN = Array.from({ length: MAX_FAST_DIGITS + 1 }, (_, k) => 10 ** k);

/**
 * Tuned JS sum by key of delimited lines: one byte scan per line that notes
 * where the key and value fields are and counts fields, a hand-rolled decimal
 * parser for the common `-?digits[.digits]` shape (anything else goes through
 * Number() on the decoded field, so the accepted syntax is exactly the
 * idiomatic baseline's), ByteKeyTable for the keys.
 */
export function tunedDelimitedSum(bytes: Uint8Array, spec: DelimitedSpec): DelimitedResult {
  const delimiter = spec.delimiter.charCodeAt(0);
  const { keyField, valueField, expectedFields } = spec;
  const table = new ByteKeyTable(bytes);
  const n = bytes.length;
  let malformed = 0;
  let lineStart = 0;
  while (lineStart < n) {
    let field = 0;
    let fieldStart = lineStart;
    let keyStart = -1;
    let keyEnd = -1;
    let keyHash = FNV_OFFSET;
    let valueStart = -1;
    let valueEnd = -1;
    let i = lineStart;
    for (;; i++) {
      const b = i < n ? (bytes[i] as number) : NEWLINE;
      if (b === delimiter || b === NEWLINE) {
        if (field === keyField) {
          keyStart = fieldStart;
          keyEnd = i;
        }
        if (field === valueField) {
          valueStart = fieldStart;
          valueEnd = i;
        }
        field++;
        fieldStart = i + 1;
        if (b === NEWLINE) break;
      } else if (field === keyField) {
        keyHash = Math.imul(keyHash ^ b, FNV_PRIME);
      }
    }
    lineStart = i + 1;
    const value = keyStart < 0 || valueStart < 0 ? NaN : parseDecimal(bytes, valueStart, valueEnd);
    if ((expectedFields !== undefined && field !== expectedFields) || Number.isNaN(value)) {
      malformed++;
      continue;
    }
    const id = table.find(keyStart, keyEnd - keyStart, finishHash(keyHash));
    table.values[id] = (table.values[id] as number) + value;
  }
  return { result: table.entries(), malformed };
}

function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    const b = bytes[i] as number;
    if (b === DOT && fraction < 0) {
      fraction = 0;
      continue;
    }
    const d = b - ZERO;
    if (d < 0 || d > 9) return slowParse(bytes, start, end);
    mantissa = mantissa * 10 + d;
    digits++;
    if (fraction >= 0) fraction++;
  }
  if (digits === 0 || digits > MAX_FAST_DIGITS || fraction === 0) return slowParse(bytes, start, end);
  const value = fraction > 0 ? mantissa / (POWERS_OF_TEN[fraction] as number) : mantissa;
  return negative ? -value : value;
}

function slowParse(bytes: Uint8Array, start: number, end: number): number {
  const text = decoder.decode(bytes.subarray(start, end));
  return text.trim() === '' ? NaN : Number(text);
}

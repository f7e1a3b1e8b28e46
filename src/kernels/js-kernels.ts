/**
 * The pure-TypeScript implementation of Kernels: for runtimes without
 * WebAssembly (or that forbid compiling it) and for tiny batches. Results are
 * identical to the WASM kernels': same tokens, same keys in the same
 * (first-occurrence) order, same values, same hash, same top-K ties.
 */
import type { AggregateTable, DelimitedResult, DelimitedSpec, Kernels, KeyedValues, Reducer } from './api.js';
import { checkDelimitedSpec, type CheckedDelimitedSpec } from './delimited-spec.js';
import { hash64Bytes } from './hash.js';
import { parseDecimalField } from './js-number.js';
import { inputText, isJavaSpace } from './js-text.js';
import { JsTable } from './js-table.js';
import { decodeByteStringKeys } from './keys.js';
import { requireCountingTable } from './table-rules.js';

export class JsKernels implements Kernels {
  readonly kind = 'js' as const;

  /** Set when these kernels replace WASM kernels that could not load: why they could not. */
  constructor(readonly fallbackReason?: string) {}

  tokenize(bytes: Uint8Array): { starts: Int32Array; ends: Int32Array; count: number } {
    let starts = new Int32Array(16);
    let ends = new Int32Array(16);
    let count = 0;
    const n = bytes.length;
    let i = 0;
    while (i < n) {
      while (i < n && isJavaSpace(bytes[i] as number)) i++;
      if (i >= n) break;
      let j = i + 1;
      while (j < n && !isJavaSpace(bytes[j] as number)) j++;
      if (count === starts.length) {
        starts = grow(starts);
        ends = grow(ends);
      }
      starts[count] = i;
      ends[count] = j;
      count++;
      i = j;
    }
    return { starts: starts.subarray(0, count), ends: ends.subarray(0, count), count };
  }

  hash64(bytes: Uint8Array, seed = 0): bigint {
    return hash64Bytes(bytes, seed);
  }

  wordCount(bytes: Uint8Array): KeyedValues {
    const { text, byteString } = inputText(bytes);
    const counts = new Map<string, number>();
    const n = text.length;
    let i = 0;
    while (i < n) {
      while (i < n && isJavaSpace(text.charCodeAt(i))) i++;
      if (i >= n) break;
      let j = i + 1;
      while (j < n && !isJavaSpace(text.charCodeAt(j))) j++;
      const word = text.slice(i, j);
      counts.set(word, (counts.get(word) ?? 0) + 1);
      i = j;
    }
    const keys = Array.from(counts.keys());
    return { keys: byteString ? decodeByteStringKeys(keys) : keys, values: Float64Array.from(counts.values()) };
  }

  wordCountInto(table: AggregateTable, bytes: Uint8Array): void {
    requireCountingTable(table.reducer);
    table.mergeValues(this.wordCount(bytes));
  }

  aggregateDelimited(bytes: Uint8Array, spec: DelimitedSpec): DelimitedResult {
    const lines = parseLines(bytes, checkDelimitedSpec(spec), spec.reducer);
    // Keys stay byte strings while folding, so distinct invalid byte sequences stay distinct keys, as in the kernel.
    const table = new JsTable(spec.reducer);
    table.mergeValues(lines);
    const { keys, values } = table.entries();
    return { result: { keys: lines.byteString ? decodeByteStringKeys(keys) : keys, values }, malformed: lines.malformed };
  }

  aggregateDelimitedInto(table: AggregateTable, bytes: Uint8Array, spec: DelimitedSpec): { malformed: number } {
    const lines = parseLines(bytes, checkDelimitedSpec(spec), table.reducer);
    // Folding line by line in order keeps floating-point sums identical to the kernel's.
    table.mergeValues({ keys: lines.byteString ? decodeByteStringKeys(lines.keys) : lines.keys, values: lines.values });
    return { malformed: lines.malformed };
  }

  createTable(reducer: Reducer): AggregateTable {
    return new JsTable(reducer);
  }
}

interface ParsedLines {
  readonly keys: string[];
  readonly values: Float64Array;
  readonly malformed: number;
  /** Keys are byte strings (the input was not valid UTF-8). */
  readonly byteString: boolean;
}

/** The (key, value) of every well-formed line, in order, plus the malformed count (rules in assembly/delimited.ts). */
function parseLines(bytes: Uint8Array, spec: CheckedDelimitedSpec, reducer: Reducer): ParsedLines {
  const { delimiterCode, keyField, valueField, expectedFields } = spec;
  const { text, byteString } = inputText(bytes);
  const delimiter = String.fromCharCode(delimiterCode);
  const keys: string[] = [];
  let values = new Float64Array(64);
  let malformed = 0;
  const n = text.length;
  let start = 0;
  while (start < n) {
    let newline = text.indexOf('\n', start);
    if (newline === -1) newline = n;
    const fields = text.slice(start, newline).split(delimiter);
    start = newline + 1;
    const key = fields[keyField];
    const valueText = fields[valueField];
    if ((expectedFields >= 0 && fields.length !== expectedFields) || key === undefined || key === '' || valueText === undefined) {
      malformed++;
      continue;
    }
    const value = parseDecimalField(valueText);
    if (Number.isNaN(value)) {
      malformed++;
      continue;
    }
    if (keys.length === values.length) values = grow(values);
    values[keys.length] = reducer === 'count' ? 1 : value;
    keys.push(key);
  }
  return { keys, values: values.subarray(0, keys.length), malformed, byteString };
}

function grow<T extends Int32Array | Float64Array>(array: T): T {
  const bigger = new (array.constructor as new (n: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** The kernels in plain TypeScript (no WebAssembly): the same results, slower; for runtimes that cannot compile WASM. */
export function jsKernels(): Kernels {
  return new JsKernels();
}

/**
 * The contract between the control plane (src/engine, src/receivers, src/node)
 * and the data plane (src/kernels). Engine code depends on these types only,
 * never on how a kernel implementation lays out memory.
 */

/**
 * A micro-batch of line records as UTF-8 bytes, Arrow-style: record i is
 * `data.subarray(i === 0 ? 0 : ends[i-1] + 1, ends[i])`. Every record is
 * followed by one '\n' byte in `data` (so `ends[i]` points at that newline),
 * which lets whitespace and line kernels run over `data` in one pass without
 * looking at `ends`. Records never contain '\n'.
 */
export interface RecordBatch {
  readonly data: Uint8Array;
  readonly ends: Int32Array;
  readonly count: number;
  /**
   * Set when `data` lies in memory lent by the kernels (an InputRegion, e.g.
   * the worker pool's shared memory, which its workers read without a copy).
   * The input stream that made the batch releases it once the batch is older
   * than the stream's remember duration; `data` is invalid afterwards.
   */
  readonly region?: InputRegion;
}

/**
 * Bytes in memory a Kernels implementation reads without copying them
 * first: the worker pool's shared WebAssembly memory, so a receiver's batch
 * is written there once, as it arrives, and every worker reads it in place.
 */
export interface InputRegion {
  /** The region's bytes (at least the length asked for). */
  readonly bytes: Uint8Array;
  /** Gives the memory back to the kernels. Idempotent. */
  release(): void;
}

/** Kernels that lend memory for batch bytes (see InputRegion). */
export interface InputRegionSource {
  /** A region of at least `byteLength` bytes, zeroed or not. */
  allocInput(byteLength: number): InputRegion;
}

export type Reducer = 'sum' | 'count' | 'min' | 'max';

/** Keys as JS strings (decoded in bulk) and one numeric value per key, same index. */
export interface KeyedValues {
  readonly keys: readonly string[];
  readonly values: Float64Array;
}

/** Which fields of a delimited line are the key and the value (0-based). */
export interface DelimitedSpec {
  /** One ASCII byte, e.g. ',' or '\t'. */
  readonly delimiter: string;
  readonly keyField: number;
  readonly valueField: number;
  readonly reducer: Reducer;
  /** Lines with a different number of fields are malformed. Omit to accept any count that contains both fields. */
  readonly expectedFields?: number;
}

export interface DelimitedResult {
  readonly result: KeyedValues;
  /** Lines skipped because of a wrong field count or an unparsable number. */
  readonly malformed: number;
}

/**
 * A long-lived aggregation table (state for updateStateByKey(sum),
 * reduceByKeyAndWindow(sum, subtract), merge targets). Lives in kernel memory
 * for the WASM implementation, in a Map for the fallback; behaviour is identical.
 */
export interface AggregateTable {
  readonly reducer: Reducer;
  readonly size: number;
  /** Fold every (key, value) of `input` into this table with the table's reducer. */
  mergeValues(input: KeyedValues): void;
  /** Fold another table of the same implementation into this one. */
  mergeTable(other: AggregateTable): void;
  /** this[k] -= input[k] for each key (inverse windows); drop keys that reach exactly 0 when `dropZero`. */
  subtractValues(input: KeyedValues, options?: { dropZero?: boolean }): void;
  /** this[k] -= other[k] for each key of another table (inverse windows without decoding keys); `dropZero` as above. */
  subtractTable(other: AggregateTable, options?: { dropZero?: boolean }): void;
  get(key: string): number | undefined;
  /** All entries in first-insertion order (like a JS Map; a key removed and added again moves to the end), keys decoded in bulk. */
  entries(): KeyedValues;
  /** Largest `k` entries by value (ties by key, ascending), computed without decoding every key where possible. */
  top(k: number): KeyedValues;
  clear(): void;
  /** Releases kernel memory; the table must not be used afterwards. */
  dispose(): void;
}

/** The data-plane operations the engine runs fused chains on: the WASM kernels, their TypeScript fallback (`jsKernels()`), or an executor such as a worker pool. Pass one as `StreamingContextOptions.kernels`. */
export interface Kernels {
  /** 'wasm' or 'js' (the pure-TypeScript fallback). */
  readonly kind: 'wasm' | 'js';
  /** Only on JS kernels used because the WASM kernels could not load: the reason (e.g. the CompileError). */
  readonly fallbackReason?: string;
  /** Split on Java `\s` (space, \t, \n, \x0B, \f, \r); tokens as a RecordBatch-like list of byte ranges. */
  tokenize(bytes: Uint8Array): { starts: Int32Array; ends: Int32Array; count: number };
  /** Seeded 64-bit hash of a byte range (documented algorithm, identical in WASM and fallback). */
  hash64(bytes: Uint8Array, seed?: number): bigint;
  /**
   * lines → words → (word, 1) → reduceByKey(sum) in one pass over `bytes`. Keys in first-occurrence order.
   * Words are keyed by their bytes: two ill-formed words that decode to the same string (U+FFFD) come back
   * as two keys; the engine merges them (pairsOf in src/stream/fused-kernel-dstream.ts).
   */
  wordCount(bytes: Uint8Array): KeyedValues;
  /** The same pass, adding the counts straight into a sum or count table of this implementation (no key decoding). */
  wordCountInto(table: AggregateTable, bytes: Uint8Array): void;
  /** Per-key reduce of a numeric field of delimited lines (e.g. orders CSV → total per province). Keys in first-occurrence order. */
  aggregateDelimited(bytes: Uint8Array, spec: DelimitedSpec): DelimitedResult;
  /** The same, folding into an existing table (its reducer is used; spec.reducer is ignored). Returns the malformed-line count. */
  aggregateDelimitedInto(table: AggregateTable, bytes: Uint8Array, spec: DelimitedSpec): { malformed: number };
  createTable(reducer: Reducer): AggregateTable;
}

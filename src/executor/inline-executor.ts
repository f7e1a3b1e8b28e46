import type { AggregateTable, DelimitedResult, DelimitedSpec, Kernels, KeyedValues, Reducer } from '../kernels/api.js';
import { IllegalStateError } from '../errors.js';
import { defaultKernels } from '../kernels/default-kernels.js';
import type { Executor } from './executor.js';

/**
 * Runs every kernel on the calling thread, on the given kernels (default:
 * the process-wide WASM kernels or their TypeScript fallback). For edge
 * runtimes, hosts without SharedArrayBuffer, and tiny batches.
 */
export class InlineExecutor implements Executor {
  readonly parallelism = 1;
  private closed = false;

  constructor(private readonly kernels: Kernels = defaultKernels()) {}

  get kind(): 'wasm' | 'js' {
    return this.kernels.kind;
  }

  tokenize(bytes: Uint8Array): { starts: Int32Array; ends: Int32Array; count: number } {
    return this.open().tokenize(bytes);
  }

  hash64(bytes: Uint8Array, seed?: number): bigint {
    return this.open().hash64(bytes, seed);
  }

  wordCount(bytes: Uint8Array): KeyedValues {
    return this.open().wordCount(bytes);
  }

  wordCountInto(table: AggregateTable, bytes: Uint8Array): void {
    this.open().wordCountInto(table, bytes);
  }

  aggregateDelimited(bytes: Uint8Array, spec: DelimitedSpec): DelimitedResult {
    return this.open().aggregateDelimited(bytes, spec);
  }

  aggregateDelimitedInto(table: AggregateTable, bytes: Uint8Array, spec: DelimitedSpec): { malformed: number } {
    return this.open().aggregateDelimitedInto(table, bytes, spec);
  }

  createTable(reducer: Reducer): AggregateTable {
    return this.open().createTable(reducer);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private open(): Kernels {
    if (this.closed) throw new IllegalStateError('This executor was closed; create a new one');
    return this.kernels;
  }
}

/** An inline executor (kept as a function so callers need not know the class). */
export function inlineExecutor(kernels?: Kernels): Executor {
  return new InlineExecutor(kernels);
}

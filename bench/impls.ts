/**
 * The implementations a benchmark run compares, behind two small interfaces
 * (one per operation) so that baselines and kernels plug in the same way.
 */
import type { DelimitedSpec, Kernels } from '../src/kernels/api.js';
import { idiomaticDelimitedSum, idiomaticWordCount, tunedDelimitedSum, tunedWordCount } from './baselines.js';
import type { KeyedResult } from './verify.js';

export const IDIOMATIC = 'idiomatic-js';
export const TUNED = 'tuned-js';

export interface WordCountImpl {
  readonly name: string;
  wordCount(bytes: Uint8Array): KeyedResult;
}

export interface DelimitedImpl {
  readonly name: string;
  aggregate(bytes: Uint8Array, spec: DelimitedSpec): { readonly result: KeyedResult; readonly malformed: number };
}

export const baselineWordCounts: readonly WordCountImpl[] = [
  { name: IDIOMATIC, wordCount: idiomaticWordCount },
  { name: TUNED, wordCount: tunedWordCount },
];

export const baselineDelimited: readonly DelimitedImpl[] = [
  {
    name: IDIOMATIC,
    aggregate: (bytes, spec) => {
      const { sums, malformed } = idiomaticDelimitedSum(bytes, spec);
      return { result: sums, malformed };
    },
  },
  { name: TUNED, aggregate: tunedDelimitedSum },
];

/** Benchmark name of a kernel set: `kernel-wasm` or `kernel-js` (the pure-TypeScript fallback). */
export function kernelName(kernels: Kernels): string {
  return `kernel-${kernels.kind}`;
}

export function kernelWordCount(kernels: Kernels): WordCountImpl {
  return { name: kernelName(kernels), wordCount: (bytes) => kernels.wordCount(bytes) };
}

export function kernelDelimited(kernels: Kernels): DelimitedImpl {
  return { name: kernelName(kernels), aggregate: (bytes, spec) => kernels.aggregateDelimited(bytes, spec) };
}

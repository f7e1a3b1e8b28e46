import { Batch, type Pair } from '../batch/batch.js';
import { DStream } from '../engine/dstream.js';
import type { Kernels, KeyedValues } from '../kernels/api.js';

/**
 * (key, value) pairs of a kernel result, in the kernel's order. Kernel keys
 * are bytes: two different invalid UTF-8 sequences are two keys there, but
 * both decode to U+FFFD, as the JS path sees them from the start. Keys that
 * decode alike are merged with `merge` (at the first one's place), so both
 * paths give the same pairs.
 */
export function pairsOf(result: KeyedValues, merge: (a: number, b: number) => number): Pair<string, number>[] {
  const pairs: Pair<string, number>[] = new Array(result.keys.length);
  let replaced = false;
  for (let i = 0; i < result.keys.length; i++) {
    const key = result.keys[i] as string;
    replaced ||= key.includes('\uFFFD');
    pairs[i] = [key, result.values[i] as number];
  }
  if (!replaced) return pairs;
  const merged = new Map<string, number>();
  for (const [key, value] of pairs) {
    const current = merged.get(key);
    merged.set(key, current === undefined ? value : merge(current, value));
  }
  return merged.size === pairs.length ? pairs : [...merged];
}

/** How many pairs pairsOf(result) gives, without making them. */
export function pairCount(result: KeyedValues, merge: (a: number, b: number) => number): number {
  return result.keys.some((key) => key.includes('\uFFFD')) ? pairsOf(result, merge).length : result.keys.length;
}

/** A kernel call's result and how it combines two values of keys that decode alike (see pairsOf). */
export interface KernelPairs {
  readonly result: KeyedValues;
  readonly merge: (a: number, b: number) => number;
}

/**
 * A chain the planner (fuse.ts) replaced by one kernel call over the batch's
 * bytes. `fallback` is the same chain on the JS path, used when the context
 * has no kernels or the batch is not backed by line bytes.
 */
export abstract class FusedKernelDStream extends DStream<Pair<string, number>> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(
    readonly lines: DStream<string>,
    readonly fallback: DStream<Pair<string, number>>,
  ) {
    super(lines.context);
    this.dependencies = [lines, fallback];
  }

  protected abstract runKernel(kernels: Kernels, bytes: Uint8Array, time: number): KernelPairs;

  compute(time: number): Batch<Pair<string, number>> | undefined {
    const batch = this.lines.getOrCompute(time);
    if (batch === undefined) return undefined;
    const kernels = this.context.kernels;
    const records = kernels === undefined ? undefined : batch.asRecordBatch();
    if (kernels === undefined || records === undefined) return this.fallback.getOrCompute(time);
    this.context.recordKernelCall(time);
    const { result, merge } = this.runKernel(kernels, records.data, time);
    // Pairs are made when the batch is read: an output that only counts it makes none.
    return Batch.deferred(() => pairsOf(result, merge), () => pairCount(result, merge));
  }
}

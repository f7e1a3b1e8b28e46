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

  protected abstract runKernel(kernels: Kernels, bytes: Uint8Array, time: number): Pair<string, number>[];

  compute(time: number): Batch<Pair<string, number>> | undefined {
    const batch = this.lines.getOrCompute(time);
    if (batch === undefined) return undefined;
    const kernels = this.context.kernels;
    const records = kernels === undefined ? undefined : batch.asRecordBatch();
    if (kernels === undefined || records === undefined) return this.fallback.getOrCompute(time);
    this.context.recordKernelCall(time);
    return Batch.of(this.runKernel(kernels, records.data, time));
  }
}

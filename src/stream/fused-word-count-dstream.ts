import { Batch, type Pair } from '../batch/batch.js';
import { DStream } from '../engine/dstream.js';
import type { KeyedValues } from '../kernels/api.js';

/** (key, value) pairs of a kernel result, in the kernel's order. */
export function pairsOf(result: KeyedValues): Pair<string, number>[] {
  const pairs: Pair<string, number>[] = new Array(result.keys.length);
  for (let i = 0; i < result.keys.length; i++) pairs[i] = [result.keys[i] as string, result.values[i] as number];
  return pairs;
}

/**
 * lines → words (Java \s) → (word, 1) → reduceByKey(sum), as ONE
 * `kernels.wordCount` call over the batch's bytes. Built by the planner
 * (fuse.ts); `fallback` is the same chain on the JS path.
 */
export class FusedWordCountDStream extends DStream<Pair<string, number>> {
  readonly dependencies: readonly DStream<unknown>[];

  constructor(
    readonly lines: DStream<string>,
    readonly fallback: DStream<Pair<string, number>>,
  ) {
    super(lines.context);
    this.dependencies = [lines, fallback];
  }

  compute(time: number): Batch<Pair<string, number>> | undefined {
    const batch = this.lines.getOrCompute(time);
    if (batch === undefined) return undefined;
    const kernels = this.context.kernels;
    const records = kernels === undefined ? undefined : batch.asRecordBatch();
    if (kernels === undefined || records === undefined) return this.fallback.getOrCompute(time);
    return Batch.of(pairsOf(kernels.wordCount(records.data)));
  }
}

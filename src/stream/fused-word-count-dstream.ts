import type { Pair } from '../batch/batch.js';
import type { Kernels } from '../kernels/api.js';
import { sum } from '../batch/builtins.js';
import { FusedKernelDStream, pairsOf } from './fused-kernel-dstream.js';

/**
 * lines → words (Java \s) → (word, 1) → reduceByKey(sum), as ONE
 * `kernels.wordCount` call over the batch's bytes. Built by the planner
 * (fuse.ts); `fallback` is the same chain on the JS path.
 */
export class FusedWordCountDStream extends FusedKernelDStream {
  protected runKernel(kernels: Kernels, bytes: Uint8Array): Pair<string, number>[] {
    return pairsOf(kernels.wordCount(bytes), sum);
  }
}

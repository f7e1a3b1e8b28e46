import type { Kernels } from '../kernels/api.js';
import { sum } from '../batch/builtins.js';
import { FusedKernelDStream, type KernelPairs } from './fused-kernel-dstream.js';

/**
 * lines → words (Java \s) → (word, 1) → reduceByKey(sum), as ONE
 * `kernels.wordCount` call over the batch's bytes. Built by the planner
 * (fuse.ts); `fallback` is the same chain on the JS path.
 */
export class FusedWordCountDStream extends FusedKernelDStream {
  protected runKernel(kernels: Kernels, bytes: Uint8Array): KernelPairs {
    return { result: kernels.wordCount(bytes), merge: sum };
  }
}

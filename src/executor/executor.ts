/**
 * Where kernels run. An Executor IS a `Kernels` (api.ts), so the engine takes
 * one as its `kernels` option and needs no other change:
 *
 *   const ssc = new StreamingContext({ batchIntervalMs: 1000, kernels: executor });
 *
 * The inline executor (inline-executor.ts) runs every kernel on the calling
 * thread; it is what edge runtimes and single-threaded hosts use. The worker
 * pool (`sluice/node`, src/node/worker-pool) splits each batch across worker
 * threads that share one WebAssembly memory and returns the same results,
 * in the same order, as the inline executor.
 */
import type { Kernels } from '../kernels/api.js';

/** Kernels that run somewhere (inline, on worker threads, in Web Workers) and must be closed when done. */
export interface Executor extends Kernels {
  /** How many threads run one batch's kernels at once (1 for the inline executor). */
  readonly parallelism: number;
  /** Releases threads and memory; the executor must not be used afterwards. Idempotent. */
  close(): Promise<void>;
}

/**
 * `--workers N`: where the kernels run. 1 (the default) runs them on the main
 * thread; N ≥ 2 starts a worker pool of N threads sharing one WebAssembly
 * memory (same results, batches split at record boundaries).
 */

import type { Kernels } from '../../kernels/api.js';
import { loadKernels } from '../../kernels/load.js';
import { type OptionSpec, type ParsedArgs, parseInteger } from './args.js';

export const WORKERS_OPTION: OptionSpec = {
  name: 'workers',
  type: 'string',
  value: 'N',
  help: 'Threads running the kernels (default 1: the main thread; 2 or more: a worker pool on shared memory).',
};

export function workersOf(args: ParsedArgs): number {
  const text = args.values.get('workers');
  return text === undefined ? 1 : parseInteger('workers', text, 1, 256);
}

export interface KernelsHandle {
  readonly kernels: Kernels;
  /** Shown at start, e.g. "wasm kernels, 2 workers". */
  readonly description: string;
  close(): Promise<void>;
}

export async function openKernels(workers: number): Promise<KernelsHandle> {
  if (workers <= 1) {
    const kernels = await loadKernels();
    // A fallback is said at start, with its reason, never taken silently.
    const description = kernels.fallbackReason === undefined ? `${kernels.kind} kernels` : `${kernels.kind} kernels: WASM could not load (${kernels.fallbackReason})`;
    return { kernels, description, close: async () => {} };
  }
  // Loaded only when asked for: single-threaded runs never start worker machinery.
  const { createWorkerPool } = await import('../worker-pool/index.js');
  const pool = await createWorkerPool({ workers });
  return { kernels: pool, description: `${pool.kind} kernels, ${workers} workers`, close: () => pool.close() };
}

/** Pools for the worker-pool tests: small partitions so that test-sized batches are split across every worker. */
import { createWorkerPool, type WorkerPool, type WorkerPoolOptions } from '../../../src/node/worker-pool/index.js';

export const TEST_PARTITION_BYTES = 4096;

export async function withPool<T>(options: WorkerPoolOptions, body: (pool: WorkerPool) => Promise<T> | T): Promise<T> {
  const pool = await createWorkerPool({ minPartitionBytes: TEST_PARTITION_BYTES, ...options });
  try {
    return await body(pool);
  } finally {
    await pool.close();
  }
}

/** Plain arrays, for deepEqual with a readable diff. */
export function plain(result: { keys: readonly string[]; values: Float64Array }): { keys: string[]; values: number[] } {
  return { keys: [...result.keys], values: [...result.values] };
}

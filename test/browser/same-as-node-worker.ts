// A module Web Worker of the same-as-node browser test: runs the pipelines on a
// BrowserWorkerPool of 2 Web Workers sharing one WebAssembly memory (pool calls
// block, which browsers allow in workers only) and posts the results back.
import { BrowserWorkerPool, canRunWorkerPool } from '../../src/internals.js';
import { runPipelines } from './same-input-pipelines.js';

const scope = globalThis as unknown as { postMessage(message: unknown): void; crossOriginIsolated: boolean };

async function main(): Promise<unknown> {
  const runtime = { inWorker: typeof (globalThis as { document?: unknown }).document === 'undefined', isolated: scope.crossOriginIsolated, canRunPool: canRunWorkerPool() };
  const pool = new BrowserWorkerPool({ workers: 2, minPartitionBytes: 4096 });
  await pool.ready();
  try {
    const results = await runPipelines(pool);
    return { runtime, parallelism: pool.parallelism, sharedMemory: pool.memory.buffer instanceof SharedArrayBuffer, parallelBatches: pool.stats.parallelBatches, results };
  } finally {
    await pool.close();
  }
}

main().then(
  (result) => scope.postMessage(result),
  (error: unknown) => scope.postMessage({ error: String((error as Error)?.stack ?? error) }),
);

/**
 * How many cores this machine gives at the moment: `threads` threads of
 * pure integer work (no memory traffic) against one thread of the same
 * work, as a speed-up (2 threads on 2 free cores: about 2.0). A virtual
 * machine's vCPUs can share one physical core (the host's hyper-threads,
 * or other guests), which no load average shows: the 2-core development VM
 * has measured anywhere from 1.05 to 2.0 from one minute to the next
 * (BENCHMARKS.md, issue 14, session 5). A pool's speed-up over the inline
 * kernels cannot exceed this, so bench:scaling prints it beside its
 * figures.
 */
import { Worker } from 'node:worker_threads';

const SPIN = `
const { parentPort, workerData } = require('node:worker_threads');
let x = 0;
for (let i = 0; i < workerData; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
parentPort.postMessage(x);
`;

/** Wall time of `threads` threads each spinning `iterations` times (thread start-up included, once per thread). */
async function spinMs(threads: number, iterations: number): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: threads }, () => new Promise<void>((resolve, reject) => {
    const worker = new Worker(SPIN, { eval: true, workerData: iterations });
    worker.once('message', () => resolve());
    worker.once('error', reject);
  })));
  return performance.now() - started;
}

/** threads × (one thread's time) / (time of `threads` at once): the cores the work got, the best of `rounds`. */
export async function parallelCapacity(threads: number, rounds = 3, iterations = 40_000_000): Promise<number> {
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const one = await spinMs(1, iterations);
    const many = await spinMs(threads, iterations);
    best = Math.max(best, (threads * one) / many);
  }
  return best;
}

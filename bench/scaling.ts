/**
 * `npm run bench:scaling`: how the worker pool scales. The fused word count
 * on the english and mixed corpora and the orders' total per province, with
 * 1 and 2 workers, and the cost of the parallel merge on the distinct corpus
 * (every key once, 5 million by default).
 *
 * The two pools are timed alternately, batch by batch, and the speed-up is
 * the median of the per-pair ratios: on a shared 2-core machine the load
 * changes from second to second, and pairing keeps both sides of a ratio
 * under the same load. Results are checked against the single-thread
 * kernels before anything is timed.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { corpusBytes, distinctPassBytes, DEFAULT_DISTINCT_KEYS } from '../src/corpus/index.js';
import { createKernels, type Kernels, type KeyedValues } from '../src/kernels/index.js';
import { createWorkerPool, type WorkerPool, type WorkerPoolOptions } from '../src/node/worker-pool/index.js';

const USAGE = `Usage: npm run bench:scaling -- [options]

  --size MB            english corpus size (MB = 10^6 bytes; default 32)
  --distinct-keys N    keys of the distinct corpus, each once (default ${DEFAULT_DISTINCT_KEYS}; 0 skips it)
  --iterations N       timed batches per pool and corpus (default 9; 3 for the distinct corpus)
  --json FILE          also write the results as a JSON array
`;

interface Row {
  corpus: string;
  workers: number;
  mb: number;
  medianMs: number;
  mbPerSec: number;
  countMs: number;
  mergeMs: number;
  exportMs: number;
  /** Median of (1-worker time / this time) over the paired batches. */
  speedup: number;
  /** The same for the count phase alone (the part that runs in parallel). */
  countSpeedup: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function sameResult(a: KeyedValues, b: KeyedValues): boolean {
  return a.keys.length === b.keys.length && a.keys.join('\n') === b.keys.join('\n') && a.values.every((v, i) => v === b.values[i]);
}

/** Float sums over partitions may differ from one pass in the last bits. */
function closeResult(a: KeyedValues, b: KeyedValues): boolean {
  return a.keys.join('\n') === b.keys.join('\n') && a.values.every((v, i) => Math.abs(v - (b.values[i] as number)) <= 1e-9 * Math.abs(v));
}

/** What a row times: the fused word count, or the orders' per-province total (the fused delimited kernel). */
interface Workload {
  run(kernels: Kernels, bytes: Uint8Array): KeyedValues;
  same(a: KeyedValues, b: KeyedValues): boolean;
}

const WORD_COUNT: Workload = { run: (kernels, bytes) => kernels.wordCount(bytes), same: sameResult };
const ORDERS_SPEC = { delimiter: ',', keyField: 1, valueField: 2, reducer: 'sum', expectedFields: 3 } as const;
const ORDER_TOTALS: Workload = { run: (kernels, bytes) => kernels.aggregateDelimited(bytes, ORDERS_SPEC).result, same: closeResult };

interface Sample {
  ms: number;
  countMs: number;
  mergeMs: number;
  exportMs: number;
}

function timeBatch(pool: WorkerPool, bytes: Uint8Array, workload: Workload): Sample {
  const before = { ...pool.stats };
  const started = performance.now();
  workload.run(pool, bytes);
  return {
    ms: performance.now() - started,
    countMs: pool.stats.countMs - before.countMs,
    mergeMs: pool.stats.mergeMs - before.mergeMs,
    exportMs: pool.stats.exportMs - before.exportMs,
  };
}

/**
 * `inPlace`: the batch is written once into a region of each pool's shared
 * memory (allocInput) and counted from there, as the engine's receivers do
 * when the pool is the context's kernels: no copy in the timed calls.
 */
async function scale(
  corpus: string, bytes: Uint8Array, iterations: number, options: WorkerPoolOptions = {}, inPlace = false, workload: Workload = WORD_COUNT,
): Promise<Row[]> {
  const expected = workload.run(createKernels({ fallback: false }), bytes);
  const pools = [await createWorkerPool({ ...options, workers: 1 }), await createWorkerPool({ ...options, workers: 2 })];
  try {
    const inputs = pools.map((pool) => {
      if (!inPlace) return bytes;
      const { bytes: view } = pool.allocInput(bytes.length);
      view.set(bytes);
      return view;
    });
    pools.forEach((pool, p) => {
      if (!workload.same(workload.run(pool, inputs[p] as Uint8Array), expected)) throw new Error(`${corpus}: ${pool.parallelism} workers disagree with the single-thread kernels`);
    });
    const samples: Sample[][] = [[], []];
    for (let i = 0; i < iterations; i++) {
      // Alternate which pool goes first, so neither always runs right after the other's garbage.
      const order = i % 2 === 0 ? [0, 1] : [1, 0];
      for (const p of order) (samples[p] as Sample[]).push(timeBatch(pools[p] as WorkerPool, inputs[p] as Uint8Array, workload));
    }
    const mb = bytes.length / 1e6;
    const single = samples[0] as Sample[];
    return pools.map((pool, p) => {
      const own = samples[p] as Sample[];
      const medianMs = median(own.map((s) => s.ms));
      return {
        corpus,
        workers: pool.parallelism,
        mb,
        medianMs,
        mbPerSec: mb / (medianMs / 1000),
        countMs: median(own.map((s) => s.countMs)),
        mergeMs: median(own.map((s) => s.mergeMs)),
        exportMs: median(own.map((s) => s.exportMs)),
        speedup: median(own.map((s, i) => (single[i] as Sample).ms / s.ms)),
        countSpeedup: median(own.map((s, i) => (single[i] as Sample).countMs / s.countMs)),
      };
    });
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

function table(rows: readonly Row[]): string {
  const lines = [
    '| corpus | workers | MB | median ms | MB/s | count ms | merge ms | export ms | speed-up vs 1 worker | count-phase speed-up |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.corpus} | ${r.workers} | ${r.mb.toFixed(1)} | ${r.medianMs.toFixed(1)} | ${r.mbPerSec.toFixed(0)} | ` +
      `${r.countMs.toFixed(1)} | ${r.mergeMs.toFixed(1)} | ${r.exportMs.toFixed(1)} | ${r.speedup.toFixed(2)}× | ${r.countSpeedup.toFixed(2)}× |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '32' },
      'distinct-keys': { type: 'string', default: String(DEFAULT_DISTINCT_KEYS) },
      iterations: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  const sizeMb = Number(values.size);
  const distinctKeys = Number(values['distinct-keys']);
  const iterations = values.iterations === undefined ? undefined : Number(values.iterations);
  if (!(sizeMb > 0) || !Number.isInteger(distinctKeys) || distinctKeys < 0 || distinctKeys % 10 !== 0 || (iterations !== undefined && !(Number.isInteger(iterations) && iterations > 0))) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }
  const rows: Row[] = [];
  const english = corpusBytes('english', Math.round(sizeMb * 1e6));
  rows.push(...await scale('english, written by a receiver into shared memory', english, iterations ?? 9, {}, true));
  // The merge 'auto' chooses for such batches (fold) against the other one, on the same batches.
  rows.push(...await scale('english, in shared memory, merge: hash targets', english, iterations ?? 9, { mergeStrategy: 'hash-targets' }, true));
  rows.push(...await scale('english, copied in by the pool', english, iterations ?? 9));
  // The other corpora of the kernels benchmark, on the receivers' path.
  const bytesOf = Math.round(sizeMb * 1e6);
  rows.push(...await scale('mixed, written by a receiver into shared memory', corpusBytes('mixed', bytesOf), iterations ?? 9, {}, true));
  rows.push(...await scale('orders (total per province), written by a receiver into shared memory', corpusBytes('orders', bytesOf), iterations ?? 9, {}, true, ORDER_TOTALS));
  if (distinctKeys > 0) {
    const distinct = distinctPassBytes(distinctKeys);
    const name = `distinct (${distinctKeys.toLocaleString('en')} keys)`;
    // Forced to split and merge (to measure the merge), then as the pool runs it by default:
    // batches of mostly distinct keys run as one partition, since merging costs about as much as counting.
    rows.push(...await scale(`${name}, always merged`, distinct, iterations ?? 3, { minBytesPerKey: 0 }));
    rows.push(...await scale(`${name}, default`, distinct, iterations ?? 3));
  }
  process.stdout.write(`${table(rows)}\n`);
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(rows, null, 2)}\n`);
}

await main();

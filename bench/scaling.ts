/**
 * `npm run bench:scaling -- --workers 1,2,4,8,16`: the worker pool against
 * the inline kernels (one thread, no pool) on the fused word count (english,
 * mixed) and the orders' total per province, for each worker count asked.
 *
 * Every case is timed batch by batch in rotating order (inline, then each
 * pool), and a speed-up is the median of the per-batch ratios (inline time /
 * pool time): on a shared machine the load changes from second to second,
 * and interleaving keeps both sides of a ratio under the same load. Results
 * are checked against the inline kernels before anything is timed. Batches
 * are written once into each pool's shared memory (allocInput), as the
 * engine's receivers do when the pool is the context's kernels; the inline
 * kernels get the same bytes as a plain Uint8Array, as they do in the engine.
 *
 * Each pool row splits its time into count (partitions counted in
 * parallel), merge (partial tables made one), export (read out as JS
 * strings) and other (what is left: partitioning, posting, waking). From
 * the 1-worker count phase and the measured merge/export/other, a row also
 * predicts its speed-up on a machine with as many cores as workers:
 *
 *   inline / (count(1 worker) / N + merge × min(N, cores) / N + export + other)
 *
 * The count phase is taken to scale with N; the merge, whose work is split
 * across the N workers, ran on min(N, cores) cores here and is scaled to N;
 * export and other are taken as measured (mostly the owner thread's).
 *
 * `--merge LIST` times pools with each merge strategy asked (default auto,
 * which merges by hash ranges), so strategies compare in the same run.
 *
 * Before the run and after each corpus it prints, beside the load average,
 * how many cores the machine really gave at that moment (parallel-capacity.ts):
 * a VM's vCPUs may share a physical core, and then no pool reaches 2×.
 *
 * `--model` (on by default; `--no-model` skips it) adds the critical-path
 * model (critical-path.ts): each command timed alone, each parallel round
 * taken as long as its busiest worker, plus the owner's serial time. It
 * predicts N free cores from a machine that has fewer, or is busy, without
 * the N workers time-sharing its cores.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { corpusBytes, distinctPassBytes, type CorpusName } from '../src/corpus/index.js';
import { createKernels, type Kernels, type KeyedValues } from '../src/kernels/index.js';
import { createWorkerPool, type MergeStrategy, type WorkerPool } from '../src/node/worker-pool/index.js';
import { criticalPath, type CriticalPath } from './critical-path.js';
import { parallelCapacity } from './parallel-capacity.js';

const STRATEGIES: readonly MergeStrategy[] = ['auto', 'ranges', 'fold', 'hash-targets'];

const USAGE = `Usage: npm run bench:scaling -- [options]

  --workers LIST       worker counts to time against the inline kernels (default 1,2)
  --merge LIST         merge strategies: auto, ranges, fold, hash-targets (default auto)
  --size MB            corpus size (MB = 10^6 bytes; default 32)
  --corpora LIST       english, mixed, orders, distinct (default english,mixed,orders)
  --distinct-keys N    keys of the distinct corpus, each once (default 1000000)
  --iterations N       timed batches per case (default 9)
  --no-model           skip the critical-path model (each command timed alone)
  --json FILE          also write the results as a JSON array
`;

interface Row {
  corpus: string;
  /** 0 = the inline kernels. */
  workers: number;
  /** The pool's mergeStrategy ('' for the inline kernels). */
  merge: string;
  mb: number;
  medianMs: number;
  /** The least batch time (what the critical-path model compares with: it takes least times too). */
  minMs: number;
  mbPerSec: number;
  countMs: number;
  mergeMs: number;
  exportMs: number;
  otherMs: number;
  /** Median over batches of (inline time / this time). */
  vsInline: number;
  /** The speed-up on N cores the breakdown predicts (see the module comment). */
  predictedOnNCores: number | null;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Word counts must agree exactly; float sums over partitions may differ from one pass in the last bits. */
function agree(a: KeyedValues, b: KeyedValues, tolerance: number): boolean {
  if (a.keys.length !== b.keys.length) return false;
  const other = new Map(b.keys.map((k, i) => [k, b.values[i] as number]));
  return a.keys.every((k, i) => {
    const v = other.get(k);
    return v !== undefined && Math.abs(v - (a.values[i] as number)) <= tolerance * Math.abs(v);
  });
}

interface Workload {
  readonly run: (kernels: Kernels, bytes: Uint8Array) => KeyedValues;
  readonly tolerance: number;
}

const ORDERS_SPEC = { delimiter: ',', keyField: 1, valueField: 2, reducer: 'sum', expectedFields: 3 } as const;
const WORD_COUNT: Workload = { run: (kernels, bytes) => kernels.wordCount(bytes), tolerance: 0 };
const ORDER_TOTALS: Workload = { run: (kernels, bytes) => kernels.aggregateDelimited(bytes, ORDERS_SPEC).result, tolerance: 1e-9 };

interface Sample {
  ms: number;
  countMs: number;
  mergeMs: number;
  exportMs: number;
}

function timeCall(kernels: Kernels, bytes: Uint8Array, workload: Workload, pool?: WorkerPool): Sample {
  const before = pool === undefined ? undefined : { ...pool.stats };
  const started = performance.now();
  workload.run(kernels, bytes);
  const ms = performance.now() - started;
  if (pool === undefined || before === undefined) return { ms, countMs: 0, mergeMs: 0, exportMs: 0 };
  return {
    ms,
    countMs: pool.stats.countMs - before.countMs,
    mergeMs: pool.stats.mergeMs - before.mergeMs,
    exportMs: pool.stats.exportMs - before.exportMs,
  };
}

interface PoolConfig {
  readonly workers: number;
  readonly merge: MergeStrategy;
}

async function scale(corpus: string, bytes: Uint8Array, configs: readonly PoolConfig[], iterations: number, workload: Workload): Promise<Row[]> {
  const inline = createKernels({ fallback: false });
  const expected = workload.run(inline, bytes);
  const pools: WorkerPool[] = [];
  try {
    for (const { workers, merge } of configs) pools.push(await createWorkerPool({ workers, mergeStrategy: merge }));
    const inputs = pools.map((pool) => {
      const { bytes: view } = pool.allocInput(bytes.length);
      view.set(bytes);
      return view;
    });
    // Checked twice, untimed: the second batch is where a pool's key cache has learnt the stream's
    // words (the first finds none by construction), so the timed batches run as a stream's would.
    for (let check = 0; check < 2; check++) {
      pools.forEach((pool, p) => {
        if (!agree(expected, workload.run(pool, inputs[p] as Uint8Array), workload.tolerance)) {
          throw new Error(`${corpus}: the ${pool.parallelism}-worker pool disagrees with the inline kernels`);
        }
      });
    }
    // Case 0 is inline; case p + 1 is pools[p].
    const cases = pools.length + 1;
    const samples: Sample[][] = Array.from({ length: cases }, () => []);
    for (let i = 0; i < iterations; i++) {
      for (let k = 0; k < cases; k++) {
        const c = (k + i) % cases;
        const pool = pools[c - 1];
        (samples[c] as Sample[]).push(c === 0 ? timeCall(inline, bytes, workload) : timeCall(pool as WorkerPool, inputs[c - 1] as Uint8Array, workload, pool));
      }
    }
    const mb = bytes.length / 1e6;
    const inlineSamples = samples[0] as Sample[];
    const inlineMs = median(inlineSamples.map((s) => s.ms));
    const single = configs.findIndex((c) => c.workers === 1);
    const singleCount = single >= 0 ? median((samples[single + 1] as Sample[]).map((s) => s.countMs)) : undefined;
    return samples.map((own, c) => {
      const medianMs = median(own.map((s) => s.ms));
      const countMs = median(own.map((s) => s.countMs));
      const mergeMs = median(own.map((s) => s.mergeMs));
      const exportMs = median(own.map((s) => s.exportMs));
      const otherMs = median(own.map((s) => s.ms - s.countMs - s.mergeMs - s.exportMs));
      const config = configs[c - 1];
      const workers = config?.workers ?? 0;
      return {
        corpus,
        workers,
        merge: config?.merge ?? '',
        mb,
        medianMs,
        minMs: Math.min(...own.map((s) => s.ms)),
        mbPerSec: mb / (medianMs / 1000),
        countMs,
        mergeMs,
        exportMs,
        otherMs,
        vsInline: median(own.map((s, i) => (inlineSamples[i] as Sample).ms / s.ms)),
        predictedOnNCores:
          c === 0 || singleCount === undefined
            ? null
            : inlineMs / (singleCount / workers + (mergeMs * Math.min(workers, availableParallelism())) / workers + exportMs + otherMs),
      };
    });
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

function table(rows: readonly Row[]): string {
  const lines = [
    '| corpus | workers | merge | MB | median ms | MB/s | count ms | merge ms | export ms | other ms | × inline | predicted × inline on N cores |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.corpus} | ${r.workers === 0 ? 'inline' : r.workers} | ${r.merge} | ${r.mb.toFixed(1)} | ${r.medianMs.toFixed(1)} | ${r.mbPerSec.toFixed(0)} | ` +
      `${r.countMs.toFixed(1)} | ${r.mergeMs.toFixed(1)} | ${r.exportMs.toFixed(1)} | ${r.otherMs.toFixed(1)} | ${r.vsInline.toFixed(2)}× | ` +
      `${r.predictedOnNCores === null ? '' : `${r.predictedOnNCores.toFixed(2)}×`} |`);
  }
  return lines.join('\n');
}

interface ModelRow extends CriticalPath {
  readonly corpus: string;
  /** The inline kernels' least time over the predicted time. */
  readonly predictedVsInline: number;
}

function modelTable(rows: readonly ModelRow[]): string {
  const lines = [
    '| corpus | workers | merge | rounds | count ms | merge ms | export ms | owner ms | all commands ms | waits ms (not in prediction) | predicted ms on N cores | predicted × inline |',
    '|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(`| ${r.corpus} | ${r.workers} | ${r.merge} | ${r.rounds} | ${r.countMs.toFixed(1)} | ${r.mergeMs.toFixed(1)} | ${r.exportMs.toFixed(1)} | ` +
      `${r.ownerMs.toFixed(1)} | ${r.workMs.toFixed(1)} | ${r.waitMs.toFixed(1)} | ${r.predictedMs.toFixed(1)} | ${r.predictedVsInline.toFixed(2)}× |`);
  }
  return lines.join('\n');
}

function list(name: string, raw: string, valid: (value: string) => boolean): string[] {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0 || !items.every(valid)) throw new Error(`--${name}: bad list ${JSON.stringify(raw)}`);
  return items;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      workers: { type: 'string', default: '1,2' },
      merge: { type: 'string', default: 'auto' },
      size: { type: 'string', default: '32' },
      corpora: { type: 'string', default: 'english,mixed,orders' },
      'distinct-keys': { type: 'string', default: '1000000' },
      iterations: { type: 'string', default: '9' },
      'no-model': { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  let workerCounts: number[];
  let merges: MergeStrategy[];
  let corpora: string[];
  try {
    workerCounts = list('workers', values.workers, (s) => /^\d+$/.test(s) && Number(s) >= 1 && Number(s) <= 256).map(Number);
    merges = list('merge', values.merge, (s) => (STRATEGIES as readonly string[]).includes(s)) as MergeStrategy[];
    corpora = list('corpora', values.corpora, (s) => ['english', 'mixed', 'orders', 'distinct'].includes(s));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const sizeMb = Number(values.size);
  const distinctKeys = Number(values['distinct-keys']);
  const iterations = Number(values.iterations);
  if (!(sizeMb > 0) || !Number.isInteger(distinctKeys) || distinctKeys <= 0 || distinctKeys % 10 !== 0 || !(Number.isInteger(iterations) && iterations > 0)) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }
  const [one, five] = loadavg();
  process.on('exit', () => process.stdout.write(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' / ')}\n`));
  // What a load average does not show: vCPUs sharing a physical core.
  const threads = Math.min(availableParallelism(), Math.max(...workerCounts));
  const capacity = async (): Promise<string> => threads < 2 ? '' : `; ${threads} threads of pure compute ran ${(await parallelCapacity(threads)).toFixed(2)}× one (cores really available)`;
  process.stdout.write(
    `sluice bench:scaling — node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ` +
      `load average ${one?.toFixed(2)} / ${five?.toFixed(2)}${await capacity()}; workers ${workerCounts.join(', ')}; merge ${merges.join(', ')}; ${sizeMb} MB; ${iterations} interleaved batches per case\n`,
  );
  // A 1-worker pool never merges: one per worker count is enough.
  const configs = workerCounts.flatMap((workers) => (workers === 1 ? [merges[0] as MergeStrategy] : merges).map((merge) => ({ workers, merge })));
  const rows: Row[] = [];
  const modelRows: ModelRow[] = [];
  for (const corpus of corpora) {
    const bytes = corpus === 'distinct' ? distinctPassBytes(distinctKeys) : corpusBytes(corpus as CorpusName, Math.round(sizeMb * 1e6));
    const workload = corpus === 'orders' ? ORDER_TOTALS : WORD_COUNT;
    const own = await scale(corpus, bytes, configs, iterations, workload);
    rows.push(...own);
    process.stdout.write(`${table(own)}\n(after ${corpus}: load average ${loadavg()[0]?.toFixed(2)}${await capacity()})\n\n`);
    if (values['no-model'] !== true) {
      const inlineMs = own[0]?.minMs ?? NaN;
      const models: ModelRow[] = [];
      for (const { workers, merge } of configs) {
        const path = await criticalPath(workers, merge, bytes, iterations, workload.run);
        models.push({ corpus, ...path, predictedVsInline: inlineMs / path.predictedMs });
      }
      modelRows.push(...models);
      process.stdout.write(`critical-path model (each command timed alone, least over batches; inline least ${inlineMs.toFixed(1)} ms, load average ${loadavg()[0]?.toFixed(2)}):\n${modelTable(models)}\n\n`);
    }
  }
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ rows, model: modelRows }, null, 2)}\n`);
}

await main();

/**
 * `npm run bench`: generates the corpora, checks every implementation against
 * the reference, then times word count (english, mixed, distinct) and the
 * orders sum by province with tinybench, and prints MB/s, words/s and ratios
 * against the idiomatic and tuned JS baselines measured in this same run.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { corpusBytes, distinctPassBytes, type CorpusName } from '../src/corpus/index.js';
import type { DelimitedSpec, Kernels } from '../src/kernels/api.js';
import { idiomaticDelimitedSum } from './baselines.js';
import {
  kernelName,
  baselineDelimited,
  baselineWordCounts,
  IDIOMATIC,
  kernelDelimited,
  kernelWordCount,
  TUNED,
  type DelimitedImpl,
  type WordCountImpl,
} from './impls.js';
import { buildCReference, compareWithC, corpusFile, type CComparison, type CProgram } from './c-reference.js';
import { loadKernelSets } from './load-kernels.js';
import { measureInterleaved, type TimedCase } from './measure.js';
import { parseOptions, selected, USAGE, type BenchOptions } from './options.js';
import { formatMarkdown, formatTable, toRow, withRatios, type BenchRow, type CorpusFacts } from './report.js';
import { createWorkerPool, type WorkerPool } from '../src/node/worker-pool/index.js';
import { firstDifference, referenceWordCount, type KeyedResult } from './verify.js';

/** The seed's orders stream: orderId,provinceId,orderPrice → total price per province. */
export const ORDERS_SPEC: DelimitedSpec = { delimiter: ',', keyField: 1, valueField: 2, reducer: 'sum', expectedFields: 3 };
/** A few malformed lines, as real feeds have; they must be skipped and counted. */
export const ORDERS_MALFORMED_RATE = 0.001;
/** Sums of two-decimal prices added in a different order may differ in the last bits. */
const SUM_TOLERANCE = 1e-9;

class VerificationFailure extends Error {}

async function main(): Promise<void> {
  let options: BenchOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const kernelSets = await loadKernelSets();
  printMachine(options, kernelSets);

  const c = buildCReference();
  if ('skipped' in c) console.log(`Note: ${c.skipped}`);
  const hasWasm = kernelSets.some((k) => k.kind === 'wasm');
  const pool = 'skipped' in c || !hasWasm || options.workers === 0 ? undefined : await createWorkerPool({ workers: options.workers });
  const versusC = new CReferenceRun('skipped' in c ? undefined : c.binaries, kernelSets[0] as Kernels, pool, options);
  try {
    await benchAll(options, kernelSets, versusC);
  } finally {
    await pool?.close();
  }
}

async function benchAll(options: BenchOptions, kernelSets: readonly Kernels[], versusC: CReferenceRun): Promise<void> {
  const rows: BenchRow[] = [];
  for (const corpus of ['english', 'mixed', 'distinct'] as const) {
    const impls = [...baselineWordCounts, ...kernelSets.map(kernelWordCount)];
    rows.push(...(await benchWordCount(corpus, impls, options, versusC)));
  }
  rows.push(...(await benchOrders([...baselineDelimited, ...kernelSets.map(kernelDelimited)], options, versusC)));

  const results = withRatios(rows);
  console.log(`\n${options.markdown ? formatMarkdown(results) : formatTable(results)}\n`);
  console.log('Ratios: median over rounds of (baseline time / case time), both measured on the same corpus in the same round of this run.');
  versusC.print();
  if (options.jsonFile !== undefined) {
    writeFileSync(options.jsonFile, JSON.stringify(results, null, 2) + '\n');
    console.log(`Wrote ${results.length} results to ${options.jsonFile}`);
  }
}

/** The impls selected by --filter, plus the baselines whenever anything on this corpus is selected. */
function casesFor<T extends { readonly name: string }>(corpus: CorpusName, impls: readonly T[], options: BenchOptions): T[] {
  const chosen = impls.filter((impl) => selected(options, corpus, impl.name));
  if (chosen.length === 0) return [];
  return impls.filter((impl) => impl.name === IDIOMATIC || impl.name === TUNED || chosen.includes(impl));
}

async function benchWordCount(
  corpus: 'english' | 'mixed' | 'distinct',
  all: readonly WordCountImpl[],
  options: BenchOptions,
  versusC: CReferenceRun,
): Promise<BenchRow[]> {
  const impls = casesFor(corpus, all, options);
  if (impls.length === 0) return [];
  const bytes = generate(corpus, options);
  const reference = referenceWordCount(bytes);
  let words = 0;
  for (const count of reference.values()) words += count;
  const facts: CorpusFacts = { corpus, operation: 'wordCount', bytes: bytes.length, words, records: countLines(bytes) };
  console.log(`  ${corpus}: ${words.toLocaleString('en-US')} words, ${reference.size.toLocaleString('en-US')} distinct`);
  for (const impl of impls) {
    const difference = firstDifference(reference, impl.wordCount(bytes));
    if (difference !== undefined) throw new VerificationFailure(`${corpus}/${impl.name} disagrees with the reference word count: ${difference}`);
  }
  const timed = await timeCases(facts, impls.map((impl) => ({ name: impl.name, fn: () => impl.wordCount(bytes) })), options);
  if (corpus !== 'distinct') versusC.compare(corpus, 'wordcount', bytes);
  return timed;
}

async function benchOrders(all: readonly DelimitedImpl[], options: BenchOptions, versusC: CReferenceRun): Promise<BenchRow[]> {
  const impls = casesFor('orders', all, options);
  if (impls.length === 0) return [];
  const bytes = generate('orders', options);
  const reference = idiomaticDelimitedSum(bytes, ORDERS_SPEC);
  const records = countLines(bytes);
  const facts: CorpusFacts = { corpus: 'orders', operation: 'aggregateDelimited', bytes: bytes.length, words: null, records };
  console.log(`  orders: ${records.toLocaleString('en-US')} lines, ${reference.malformed} malformed, ${reference.sums.size} provinces`);
  for (const impl of impls) {
    const { result, malformed } = impl.aggregate(bytes, ORDERS_SPEC);
    const difference =
      malformed !== reference.malformed
        ? `${malformed} malformed lines reported, expected ${reference.malformed}`
        : firstDifference(reference.sums, result, SUM_TOLERANCE);
    if (difference !== undefined) throw new VerificationFailure(`orders/${impl.name} disagrees with the reference sums: ${difference}`);
  }
  const timed = await timeCases(facts, impls.map((impl) => ({ name: impl.name, fn: () => impl.aggregate(bytes, ORDERS_SPEC) })), options);
  versusC.compare('orders', 'orders', bytes);
  return timed;
}

/**
 * The sluice WASM kernel against the C reference, per corpus, when a compiler
 * was found and the kernel case is selected; and, with `--workers N`, a pool
 * of N workers against the C reference on N threads and on one. The pool's
 * batch is written once into its shared memory (as the engine's receivers
 * write batches) and counted twice untimed first, so that its key cache has
 * learnt the stream's words, as in a running stream.
 */
class CReferenceRun {
  private readonly results: { corpus: CorpusName; against: string; comparison: CComparison }[] = [];

  constructor(
    private readonly binaries: Record<CProgram, string> | undefined,
    private readonly kernels: Kernels,
    private readonly pool: WorkerPool | undefined,
    private readonly options: BenchOptions,
  ) {}

  compare(corpus: CorpusName, program: CProgram, bytes: Uint8Array): void {
    if (this.binaries === undefined || !selected(this.options, corpus, kernelName(this.kernels))) return;
    const file = corpusFile(corpus, bytes);
    const name = kernelName(this.kernels);
    this.run(corpus, program, bytes, file, this.kernels, name, 1, `${name} ÷ C`);
    const pool = this.pool;
    if (pool === undefined) return;
    const { bytes: shared } = pool.allocInput(bytes.length);
    shared.set(bytes);
    const poolName = `${pool.parallelism}-worker pool`;
    for (let warm = 0; warm < 2; warm++) countWith(pool, program, shared);
    this.run(corpus, program, shared, file, pool, poolName, pool.parallelism, `${poolName} ÷ C on ${pool.parallelism} threads`);
    this.run(corpus, program, shared, file, pool, poolName, 1, `${poolName} ÷ C on 1 thread`);
  }

  private run(corpus: CorpusName, program: CProgram, bytes: Uint8Array, file: string, kernels: Kernels, name: string, threads: number, against: string): void {
    const comparison = compareWithC((this.binaries as Record<CProgram, string>)[program], file, () => countWith(kernels, program, bytes), {
      rounds: this.options.rounds,
      passes: Math.max(3, this.options.minIterations),
      tolerance: program === 'orders' ? SUM_TOLERANCE : 0,
      threads,
    });
    this.results.push({ corpus, against, comparison });
    const mbps = (ms: number): string => (bytes.length / 1e3 / ms).toFixed(0);
    console.log(
      `  vs C (cc -O2, ${threads} thread${threads === 1 ? '' : 's'}, verified equal): C ${comparison.cMedianMs.toFixed(1)} ms ${mbps(comparison.cMedianMs)} MB/s, ` +
        `${name} ${comparison.sluiceMedianMs.toFixed(1)} ms ${mbps(comparison.sluiceMedianMs)} MB/s → ${against} ${comparison.sluiceOverC.toFixed(2)}×`,
    );
  }

  print(): void {
    if (this.results.length === 0) return;
    console.log('\nsluice ÷ C (throughput ratio, median over rounds of C pass time / sluice call time; > 1 means sluice is faster):');
    for (const { corpus, against, comparison } of this.results) console.log(`  ${corpus.padEnd(8)} ${against.padEnd(38)} ${comparison.sluiceOverC.toFixed(2)}×`);
  }
}

function countWith(kernels: Kernels, program: CProgram, bytes: Uint8Array): { readonly result: KeyedResult; readonly malformed: number } {
  return program === 'wordcount' ? { result: kernels.wordCount(bytes), malformed: 0 } : kernels.aggregateDelimited(bytes, ORDERS_SPEC);
}

function generate(corpus: CorpusName, options: BenchOptions): Uint8Array {
  const started = performance.now();
  const bytes =
    corpus === 'distinct'
      ? distinctPassBytes(options.distinctKeys, options.seed)
      : corpusBytes(corpus, Math.round(options.sizeMb * 1e6), {
          seed: options.seed,
          ...(corpus === 'orders' ? { malformedRate: ORDERS_MALFORMED_RATE } : {}),
        });
  console.log(`\n${corpus}: generated ${(bytes.length / 1e6).toFixed(1)} MB in ${(performance.now() - started).toFixed(0)} ms; verifying...`);
  return bytes;
}

async function timeCases(facts: CorpusFacts, cases: readonly TimedCase[], options: BenchOptions): Promise<BenchRow[]> {
  const measurements = await measureInterleaved(cases, options);
  return cases.map((timed, i) => {
    const m = measurements[i];
    if (m === undefined) throw new Error(`no measurement for ${timed.name}`);
    const row = toRow(facts, timed.name, m);
    const rounds = m.rounds.map((r) => r.medianMs.toFixed(0)).join(' ');
    console.log(`  ${timed.name.padEnd(14)} median ${m.medianMs.toFixed(1).padStart(8)} ms  ${row.mbPerSec.toFixed(1).padStart(7)} MB/s  (rounds: ${rounds} ms)`);
    return row;
  });
}

function countLines(bytes: Uint8Array): number {
  let lines = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) lines++;
  return lines;
}

function printMachine(options: BenchOptions, kernelSets: readonly Kernels[]): void {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`sluice bench — node ${process.version}, ${availableParallelism()} cores (${cpu}), ${process.platform}/${process.arch}`);
  console.log(
    `corpora: ${options.sizeMb} MB english/mixed/orders, distinct = ${options.distinctKeys.toLocaleString('en-US')} keys, seed ${options.seed}; ` +
      `${options.rounds} interleaved rounds, per case and round ≥ ${options.minIterations} iteration(s) and ${options.timeMs} ms; ` +
      `kernels: ${kernelSets.map((k) => k.kind).join(', ') || 'none'}`,
  );
  console.log('One thread (but for the --workers pool against C on as many threads). Machines here are shared and noisy: compare medians and ratios from the same run, not absolute figures across runs.');
}

main().catch((error: unknown) => {
  if (error instanceof VerificationFailure) {
    console.error(`\nVERIFICATION FAILED — nothing was timed for this case, and the run stops here.\n${error.message}`);
  } else {
    console.error(error);
  }
  process.exitCode = 1;
});

/**
 * `npm run bench:spark`: sluice against Spark Streaming on this machine, in
 * one run, on the same recorded english corpus pushed over TCP at full speed
 * (bench/corpus-server.ts, a child process).
 *
 *   - Spark 3.5.7 (spark-streaming_2.12 and its jars, fetched from Maven
 *     Central by `mvn dependency:copy-dependencies` on a throwaway pom into
 *     node_modules/.cache/sluice-bench-spark, outside git) runs the seed's
 *     NetworkWordCount (bench/spark/NetworkWordCount.java, compiled here with
 *     javac): socketTextStream, local[2], 1 s batches, a StreamingListener
 *     printing every batch's records and delays;
 *   - sluice runs the same pipeline as `sluice wordcount --socket` with 1
 *     and 2 workers (bench/sluice-pipeline.ts).
 *
 * Reported per system, over the batches completed in the measured window:
 * records (lines) processed per second of processing (the batches' records
 * over their summed processing delay), records per second of wall time, and
 * p50/p99 of the total and scheduling delay. Without
 * java, javac and mvn the run is skipped with a note (exit 0).
 *
 * Options: --seconds N (measured, default 20), --warm-up N (seconds, default 5),
 * --batch MS (default 1000), --json FILE.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startCorpusServer } from './corpus-server.js';
import { REPOSITORY_ROOT, SPARK_JVM_OPTIONS, compiledAgainstSpark, missingJavaTools } from './spark-jars.js';
import { percentile, runSluiceWordCount } from './sluice-pipeline.js';

const CORPUS_MIB = 64;
interface Batch {
  readonly records: number;
  readonly processingMs: number;
  readonly schedulingMs: number;
  readonly totalMs: number;
}

interface Row {
  readonly system: string;
  readonly batches: number;
  readonly records: number;
  /** Records over the summed processing delay of the measured batches. */
  readonly recordsPerProcessingSecond: number;
  /** Records of the measured batches per second of wall time. */
  readonly recordsPerSecond: number;
  readonly totalP50: number;
  readonly totalP99: number;
  readonly schedulingP50: number;
  readonly schedulingP99: number;
  /** Scheduling delay of the last measured batch: a backlog grows it batch after batch. */
  readonly lastSchedulingMs: number;
}

function toRow(system: string, batches: readonly Batch[], seconds: number): Row {
  const records = batches.reduce((n, b) => n + b.records, 0);
  const processing = batches.reduce((n, b) => n + b.processingMs, 0);
  return {
    system,
    batches: batches.length,
    records,
    recordsPerProcessingSecond: processing > 0 ? records / (processing / 1000) : NaN,
    recordsPerSecond: records / seconds,
    totalP50: percentile(batches.map((b) => b.totalMs), 0.5),
    totalP99: percentile(batches.map((b) => b.totalMs), 0.99),
    schedulingP50: percentile(batches.map((b) => b.schedulingMs), 0.5),
    schedulingP99: percentile(batches.map((b) => b.schedulingMs), 0.99),
    lastSchedulingMs: batches.at(-1)?.schedulingMs ?? NaN,
  };
}

/** Runs NetworkWordCount against the corpus server; the batches whose time fell in the measured window. */
async function runSpark(classpath: string, port: number, batchMs: number, warmUpS: number, seconds: number): Promise<Batch[]> {
  const started = Date.now();
  const java = spawn('java', [...SPARK_JVM_OPTIONS, '-Xmx4g', '-cp', classpath, 'NetworkWordCount', '127.0.0.1', String(port), String(batchMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const batches: { completedAt: number; batch: Batch }[] = [];
  let firstBatchAt: number | undefined;
  let resolveFirst: () => void = () => {};
  const first = new Promise<void>((done) => (resolveFirst = done));
  createInterface({ input: java.stdout }).on('line', (line) => {
    const fields = line.split(' ');
    if (fields[0] !== 'SLUICE-BENCH-BATCH') return;
    const [, records, processingMs, schedulingMs, totalMs] = fields.slice(1).map(Number) as [number, number, number, number, number];
    batches.push({ completedAt: Date.now(), batch: { records, processingMs, schedulingMs, totalMs } });
    if (firstBatchAt === undefined && records > 0) {
      firstBatchAt = Date.now();
      resolveFirst();
    }
  });
  const exited = new Promise<void>((done) => java.once('exit', () => done()));
  // Spark takes a while to start (its receiver too): the warm-up counts from its first completed batch with records.
  await Promise.race([first, exited]);
  if (firstBatchAt === undefined) throw new Error('Spark exited before completing a batch with records (see its output above)');
  await new Promise((done) => setTimeout(done, warmUpS * 1000));
  const from = Date.now();
  await new Promise((done) => setTimeout(done, seconds * 1000));
  const to = Date.now();
  java.kill('SIGKILL');
  await exited;
  // The batches completed in the window: with a backlog they are older batches, and their delays show it.
  console.log(`Spark completed ${batches.length} batches in all, the first with records ${((firstBatchAt - started) / 1000).toFixed(1)} s after start`);
  return batches.filter((b) => b.completedAt > from && b.completedAt <= to).map((b) => b.batch);
}

function table(rows: readonly Row[]): string {
  const head = ['system', 'batches', 'records', 'records/s of processing', 'records/s (wall)', 'total delay p50 / p99 ms', 'scheduling delay p50 / p99 ms', 'last scheduling delay ms'];
  const body = rows.map((r) => [
    r.system, String(r.batches), r.records.toLocaleString('en-US'), Math.round(r.recordsPerProcessingSecond).toLocaleString('en-US'),
    Math.round(r.recordsPerSecond).toLocaleString('en-US'), `${r.totalP50} / ${r.totalP99}`, `${r.schedulingP50} / ${r.schedulingP99}`, String(r.lastSchedulingMs),
  ]);
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((cells) => `| ${cells.join(' | ')} |`)].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '20' },
      'warm-up': { type: 'string', default: '5' },
      batch: { type: 'string', default: '1000' },
      json: { type: 'string' },
    },
    strict: true,
  });
  const seconds = Number(values.seconds);
  const warmUpS = Number(values['warm-up']);
  const batchMs = Number(values.batch);
  if (!(seconds > 0) || !(warmUpS >= 0) || !(batchMs > 0)) throw new Error('--seconds, --warm-up and --batch need positive numbers');
  const missing = missingJavaTools();
  if (missing.length > 0) {
    console.log(`bench:spark skipped: ${missing.join(', ')} not found on PATH (it needs a JDK 17 and Maven to fetch and run Spark 3.5.7).`);
    return;
  }
  const classpath = compiledAgainstSpark(join(REPOSITORY_ROOT, 'bench', 'spark', 'NetworkWordCount.java'));
  const [one, five] = loadavg();
  console.log(
    `sluice vs Spark Streaming 3.5.7 — ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), node ${process.version}, ` +
      `load average ${one?.toFixed(2)} / ${five?.toFixed(2)}; english corpus (${CORPUS_MIB} MiB, sent in a loop at full speed); ` +
      `${batchMs} ms batches; ${warmUpS} s warm-up, ${seconds} s measured per system`,
  );
  const server = await startCorpusServer(CORPUS_MIB);
  const rows: Row[] = [];
  try {
    rows.push(toRow('Spark Streaming 3.5.7 NetworkWordCount, local[2]', await runSpark(classpath, server.port, batchMs, warmUpS, seconds), seconds));
    console.log(table(rows));
    for (const workers of [1, 2]) {
      const run = await runSluiceWordCount(server.port, { batchMs, workers, warmUpMs: warmUpS * 1000, seconds });
      // Completed in the window, as for Spark.
      const batches = run.batches.filter((info) => (info.processingEndTime ?? Infinity) <= run.to).map((info) => ({
        records: info.numRecords,
        processingMs: info.processingDelay ?? 0,
        schedulingMs: info.schedulingDelay ?? 0,
        totalMs: info.totalDelay ?? 0,
      }));
      rows.push(toRow(`sluice wordcount --socket, ${workers} worker${workers === 1 ? '' : 's'}`, batches, seconds));
    }
  } finally {
    server.child.kill();
  }
  console.log(`\n${table(rows)}\n`);
  const spark = rows[0] as Row;
  for (const row of rows.slice(1)) {
    console.log(`${row.system}: ${(row.recordsPerProcessingSecond / spark.recordsPerProcessingSecond).toFixed(1)}× Spark's records per second of processing, ` +
      `${(row.recordsPerSecond / spark.recordsPerSecond).toFixed(1)}× its records per wall second`);
  }
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(rows, null, 2)}\n`);
}

await main();

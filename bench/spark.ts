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
 * --batch MS (default 1000), --json FILE, --initial-rate N (lines/s of Spark's
 * first batch under backpressure, default 200000), --spark seed|backpressure|both
 * (default both: the seed's configuration, whose backlog at full speed grows
 * until the JVM runs out of memory, which the run then reports, and the same
 * with Spark's backpressure).
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

/** How Spark is set up: extra SparkConf settings passed to NetworkWordCount, and what they are. */
interface SparkSetup {
  readonly name: 'seed' | 'backpressure';
  readonly settings: readonly string[];
  readonly description: string;
}

/**
 * The seed's configuration, and the same with Spark's backpressure. At full
 * speed a socket receiver without backpressure stores lines faster than
 * local[2] counts them, so its backlog grows until the JVM runs out of heap
 * (on a quiet 2-core machine within 30 s, with -Xmx4g). Spark's own answer
 * is backpressure: the receiver's rate follows what the batches manage (a
 * PID estimator), starting at `initialRate`.
 */
function sparkSetups(which: string, initialRate: number): SparkSetup[] {
  const seed: SparkSetup = { name: 'seed', settings: [], description: "the seed's configuration (no backpressure)" };
  const backpressure: SparkSetup = {
    name: 'backpressure',
    settings: ['spark.streaming.backpressure.enabled=true', `spark.streaming.backpressure.initialRate=${initialRate}`],
    description: `backpressure (initialRate ${initialRate.toLocaleString('en-US')} lines/s)`,
  };
  if (which === 'seed') return [seed];
  if (which === 'backpressure') return [backpressure];
  if (which === 'both') return [seed, backpressure];
  throw new Error(`--spark must be seed, backpressure or both, got ${which}`);
}

interface SparkRun {
  readonly batches: Batch[];
  /** Why the numbers may be short: Spark exited or ran out of memory before the window ended. */
  readonly failure?: string;
  /** Set when Spark failed before the window: `batches` are then every batch with records it completed. */
  readonly beforeWindow?: boolean;
  /** How long the measured window lasted (shorter than asked when Spark failed in it). */
  readonly windowSeconds: number;
}

/** How long Spark may take to complete its first batch with records (JVM start, jars, JIT). */
const SPARK_START_LIMIT_MS = 180_000;

/** Runs NetworkWordCount against the corpus server; the batches whose time fell in the measured window. */
async function runSpark(classpath: string, port: number, batchMs: number, setup: SparkSetup, warmUpS: number, seconds: number): Promise<SparkRun> {
  const started = Date.now();
  const java = spawn('java', [...SPARK_JVM_OPTIONS, '-Xmx4g', '-cp', classpath, 'NetworkWordCount', '127.0.0.1', String(port), String(batchMs), ...setup.settings], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let outOfMemoryAt: number | undefined;
  // A JVM out of heap may never exit: an OutOfMemoryError ends the run as an exit does.
  let outOfMemory: () => void = () => {};
  const ranOutOfMemory = new Promise<void>((done) => (outOfMemory = done));
  java.stderr.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    if (outOfMemoryAt === undefined && chunk.includes('java.lang.OutOfMemoryError')) {
      outOfMemoryAt = Date.now();
      outOfMemory();
    }
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
  let exitedAt: number | undefined;
  let exitReason = '';
  const exited = new Promise<void>((done) => java.once('exit', (code, signal) => {
    exitedAt = Date.now();
    exitReason = signal === null ? `exit code ${code}` : `signal ${signal}`;
    done();
  }));
  const startLimit = new Promise<void>((done) => setTimeout(done, SPARK_START_LIMIT_MS).unref());
  // Spark takes a while to start (its receiver too): the warm-up counts from its first completed batch with records.
  await Promise.race([first, exited, startLimit]);
  if (firstBatchAt === undefined) {
    java.kill('SIGKILL');
    await exited;
    throw new Error(`Spark completed no batch with records within ${SPARK_START_LIMIT_MS / 1000} s (${exitReason}; see its output above)`);
  }
  const failed = Promise.race([exited, ranOutOfMemory]);
  const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms).unref());
  await Promise.race([sleep(warmUpS * 1000), failed]);
  const from = Date.now();
  await Promise.race([sleep(seconds * 1000), failed]);
  const to = Date.now();
  const stillRunning = exitedAt === undefined;
  java.kill('SIGKILL');
  await exited;
  // The batches completed in the window: with a backlog they are older batches, and their delays show it.
  console.log(`Spark completed ${batches.length} batches in all, the first with records ${((firstBatchAt - started) / 1000).toFixed(1)} s after start`);
  const failures: string[] = [];
  if (outOfMemoryAt !== undefined) failures.push(`ran out of Java heap (OutOfMemoryError) ${((outOfMemoryAt - firstBatchAt) / 1000).toFixed(1)} s after its first batch with records`);
  if (!stillRunning) failures.push(`exited (${exitReason}) ${(((exitedAt ?? to) - firstBatchAt) / 1000).toFixed(1)} s after its first batch with records`);
  const inWindow = batches.filter((b) => b.completedAt > from && b.completedAt <= to).map((b) => b.batch);
  const windowSeconds = (to - from) / 1000;
  if (failures.length === 0) return { batches: inWindow, windowSeconds };
  const failure = `Spark ${failures.join('; ')}`;
  if (inWindow.length > 0) return { batches: inWindow, failure, windowSeconds };
  return { batches: batches.map((b) => b.batch).filter((b) => b.records > 0), failure, beforeWindow: true, windowSeconds };
}

/** A figure for the table: a dash where there were no batches to measure. */
function figure(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—';
}

function table(rows: readonly Row[]): string {
  const head = ['system', 'batches', 'records', 'records/s of processing', 'records/s (wall)', 'total delay p50 / p99 ms', 'scheduling delay p50 / p99 ms', 'last scheduling delay ms'];
  const body = rows.map((r) => [
    r.system, String(r.batches), figure(r.records), figure(r.recordsPerProcessingSecond), figure(r.recordsPerSecond),
    `${figure(r.totalP50)} / ${figure(r.totalP99)}`, `${figure(r.schedulingP50)} / ${figure(r.schedulingP99)}`, figure(r.lastSchedulingMs),
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
      spark: { type: 'string', default: 'both' },
      'initial-rate': { type: 'string', default: '200000' },
    },
    strict: true,
  });
  const seconds = Number(values.seconds);
  const warmUpS = Number(values['warm-up']);
  const batchMs = Number(values.batch);
  const initialRate = Number(values['initial-rate']);
  if (!(seconds > 0) || !(warmUpS >= 0) || !(batchMs > 0) || !(initialRate > 0)) {
    throw new Error('--seconds, --warm-up, --batch and --initial-rate need positive numbers');
  }
  const setups = sparkSetups(values.spark, initialRate);
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
      `${batchMs} ms batches; ${warmUpS} s warm-up, ${seconds} s measured per system; Spark with ${setups.map((setup) => setup.description).join(', then ')}`,
  );
  const server = await startCorpusServer(CORPUS_MIB);
  const rows: Row[] = [];
  const sparkRows: { label: string; row: Row }[] = [];
  const notes: string[] = [];
  try {
    for (const setup of setups) {
      const spark = await runSpark(classpath, server.port, batchMs, setup, warmUpS, seconds);
      const system = `Spark Streaming 3.5.7 NetworkWordCount, local[2], ${setup.name === 'seed' ? 'no backpressure' : 'backpressure'}`;
      // Failed before the window: its rate over the batches it did complete, per second of processing only.
      const row = toRow(spark.beforeWindow === true ? `${system} (all its batches, before it failed)` : system, spark.batches, spark.windowSeconds);
      rows.push(spark.beforeWindow === true ? { ...row, recordsPerSecond: NaN } : row);
      sparkRows.push({ label: `Spark with ${setup.name === 'seed' ? 'no backpressure' : 'backpressure'}`, row: rows.at(-1) as Row });
      if (spark.failure !== undefined) notes.push(`${system}: ${spark.failure}.`);
      console.log(table(rows));
    }
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
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ spark: setups, notes, rows }, null, 2)}\n`);
  for (const note of notes) console.log(note);
  for (const { label, row: spark } of sparkRows) {
    if (!(spark.recordsPerProcessingSecond > 0)) {
      console.log(`${label}: no batch with records to compare against.`);
      continue;
    }
    for (const row of rows.slice(sparkRows.length)) {
      const wall = row.recordsPerSecond / spark.recordsPerSecond;
      console.log(`${row.system}: ${(row.recordsPerProcessingSecond / spark.recordsPerProcessingSecond).toFixed(1)}× the records per second of processing of ${label}` +
        (Number.isFinite(wall) ? `, ${wall.toFixed(1)}× its records per wall second` : ''));
    }
  }
}

await main();

/**
 * `npm run bench:kafka`: Kafka → word count → Kafka, as `sluice wordcount
 * --kafka B --topic IN --to-topic OUT` runs it, against a plain kafkajs loop
 * (consume with eachBatch → split(/\s+/) → Map → produce the counts) in the
 * same run, on the same broker and the same input.
 *
 * Throughput, through tinybench (measure.ts): N english lines are written to
 * a 3-partition topic first; one run of a configuration reads all of them
 * from the start with a new consumer group and writes its counts to its own
 * topic, start-up (connect, group join, fencing) and stop included, so the
 * figures are end to end, not the kernel's. The configurations are timed in
 * interleaved rounds (each round times every configuration, in a rotating
 * order, under the same load); records/s come from the median run time and
 * each ratio is the median over rounds of that round's plain time ÷ sluice
 * time. The kernel worker pools are opened once, outside the timed runs.
 *
 * Latency: a producer writes unique one-word lines at a steady rate; each
 * word comes out once, so for every record latency = the moment its count
 * is read from the output topic − the moment it was handed to the producer.
 *
 * A broker is started (scripts/kafka-broker.mjs) unless KAFKA_BROKERS names
 * one. Options: --lines N (lines per run, default 50000), --rounds R (default
 * 5), --latency-seconds S (default 8), --rate N (latency input lines/s,
 * default 2000), --json FILE.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { Message } from 'kafkajs';
import { Kafka, Partitioners, logLevel } from '../src/node/kafka/kafkajs.js';
import { corpusLines } from '../src/corpus/index.js';
import { StreamingContext, pairWithOne, splitWhitespace, sum } from '../src/index.js';
import { kafkaDirectStream, kafkaValues, toKafka } from '../src/node/index.js';
import { openKernels } from '../src/node/cli/kernels-option.js';
import { type Measurement, measureInterleaved, median } from './measure.js';
import { jsonFileOption, numberOption } from './argv.js';
import { benchBroker } from './bench-broker.js';


const LINES = numberOption('lines', 50_000);
const ROUNDS = numberOption('rounds', 5);
const LATENCY_SECONDS = numberOption('latency-seconds', 8);
const RATE = numberOption('rate', 2000);
const JSON_FILE = jsonFileOption();

function kafkaOf(brokers: string): Kafka {
  return new Kafka({ clientId: 'sluice-bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
}

async function createTopic(kafka: Kafka, prefix: string, partitions: number): Promise<string> {
  const topic = `${prefix}-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  // Leaders are waited for below: kafkajs's own wait gives up when the broker's metadata lags the creation.
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] });
  for (let tries = 0; tries < 300; tries++) {
    const found = (await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined))?.topics[0]?.partitions ?? [];
    if (found.length === partitions && found.every((p) => p.leader >= 0)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await admin.disconnect();
  return topic;
}

async function produce(kafka: Kafka, topic: string, lines: readonly string[]): Promise<void> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let i = 0; i < lines.length; i += 5000) {
    await producer.send({ topic, acks: -1, messages: lines.slice(i, i + 5000).map((value, j) => ({ value, partition: (i + j) % 3 })) });
  }
  await producer.disconnect();
}

/** sluice: direct stream → kafkaValues → fused word count → toKafka; resolves when `expected` records went through. */
interface Running {
  /** Seconds from start until `expected` records went through. */
  readonly finished: Promise<number>;
  stop(): Promise<void>;
}

type Kernels = Awaited<ReturnType<typeof openKernels>>;

async function runSluice(brokers: string, input: string, output: string, kernels: Kernels, expected: number, batchIntervalMs: number, ownsKernels = false): Promise<Running> {
  const ssc = new StreamingContext({ batchIntervalMs, kernels: kernels.kernels });
  const records = kafkaDirectStream(ssc, { brokers, topics: input, groupId: `bench-${randomUUID()}`, startingOffsets: 'earliest' });
  toKafka(kafkaValues(records).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum), output);
  let seen = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  ssc.addStreamingListener({
    onBatchCompleted: ({ batchInfo }) => {
      if (batchInfo.failure !== undefined) console.error(batchInfo.failure);
      seen += batchInfo.numRecords;
      if (seen >= expected) finish();
    },
  });
  const started = performance.now();
  ssc.start();
  return {
    finished: done.then(() => (performance.now() - started) / 1000),
    stop: async () => {
      await ssc.stop();
      if (ownsKernels) await kernels.close();
    },
  };
}

/** The baseline: what one would write with kafkajs alone. */
async function runPlain(kafka: Kafka, input: string, output: string, expected: number): Promise<Running> {
  const consumer = kafka.consumer({ groupId: `bench-plain-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const started = performance.now();
  await Promise.all([consumer.connect(), producer.connect()]);
  await consumer.subscribe({ topic: input, fromBeginning: true });
  let seen = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      const counts = new Map<string, number>();
      for (const m of batch.messages) for (const w of (m.value?.toString() ?? '').split(/\s+/)) if (w !== '') counts.set(w, (counts.get(w) ?? 0) + 1);
      const messages: Message[] = [...counts].map(([k, v]) => ({ key: k, value: String(v) }));
      for (let i = 0; i < messages.length; i += 5000) await producer.send({ topic: output, acks: -1, messages: messages.slice(i, i + 5000) });
      seen += batch.messages.length;
      if (seen >= expected) finish();
    },
  });
  return {
    finished: done.then(() => (performance.now() - started) / 1000),
    stop: async () => {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Writes unique words at RATE/s and times each one until its count is read back from `output`. */
async function measureLatency(kafka: Kafka, input: string, output: string, start: (expected: number) => Promise<Running>): Promise<{ p50: number; p99: number; n: number }> {
  const total = Math.round(RATE * LATENCY_SECONDS);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const reader = kafka.consumer({ groupId: `bench-latency-${randomUUID()}`, maxWaitTimeInMs: 20 });
  await reader.connect();
  await reader.subscribe({ topic: output, fromBeginning: true });
  let finish!: () => void;
  const allBack = new Promise<void>((resolve) => (finish = resolve));
  await reader.run({
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      for (const m of batch.messages) {
        const at = sentAt.get(m.key?.toString() ?? '');
        if (at !== undefined) latencies.push(now - at);
      }
      if (latencies.length >= total) finish();
    },
  });
  const pipeline = await start(total);
  // Let the pipeline connect before the clock starts.
  await new Promise((r) => setTimeout(r, 3000));
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const run = randomUUID().slice(0, 6);
  const perSend = Math.max(1, Math.round(RATE / 100));
  const t0 = performance.now();
  for (let seq = 0; seq < total; seq += perSend) {
    const messages: Message[] = [];
    for (let i = seq; i < Math.min(total, seq + perSend); i++) messages.push({ value: `lat${run}x${i}`, partition: i % 3 });
    const now = performance.now();
    for (const m of messages) sentAt.set(m.value as string, now);
    await producer.send({ topic: input, acks: -1, messages });
    const due = t0 + ((seq + perSend) / RATE) * 1000;
    if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
  }
  await Promise.race([allBack, new Promise((r) => setTimeout(r, 30_000))]);
  await producer.disconnect();
  await reader.disconnect();
  await pipeline.stop();
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
}

async function main(): Promise<void> {
  const started = await benchBroker();
  const kafka = kafkaOf(started.brokers);
  try {
    const lines: string[] = [];
    for (const line of corpusLines('english', { seed: 42 })) {
      if (lines.length === LINES) break;
      lines.push(line);
    }
    const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    const input = await createTopic(kafka, 'bench-in', 3);
    await produce(kafka, input, lines);
    console.error(`bench:kafka: ${LINES} lines (${(bytes / 1e6).toFixed(1)} MB) in ${input} at ${started.brokers}`);
    const rows: { config: string; recordsPerSecond: number; mbPerSecond: number; ratio: number; medianSeconds: number; p50Ms?: number; p99Ms?: number }[] = [];
    const kernels1 = await openKernels(1);
    const kernels2 = await openKernels(2);
    /** One timed run: `run` reads every line of the input into `output` (a topic per configuration), then stops. */
    const timedRun = async (output: string, run: (output: string) => Promise<Running>): Promise<void> => {
      const running = await run(output);
      await running.finished;
      await running.stop();
    };
    const plainOut = await createTopic(kafka, 'bench-out', 3);
    const sluice1Out = await createTopic(kafka, 'bench-out', 3);
    const sluice2Out = await createTopic(kafka, 'bench-out', 3);
    const loadBefore = loadavg()[0] ?? Number.NaN;
    const [plainRuns, sluice1Runs, sluice2Runs] = (await measureInterleaved(
      [
        { name: 'plain', async: true, fn: () => timedRun(plainOut, (out) => runPlain(kafka, input, out, LINES)) },
        { name: 'sluice-1', async: true, fn: () => timedRun(sluice1Out, (out) => runSluice(started.brokers, input, out, kernels1, LINES, 500)) },
        { name: 'sluice-2', async: true, fn: () => timedRun(sluice2Out, (out) => runSluice(started.brokers, input, out, kernels2, LINES, 500)) },
      ],
      { rounds: ROUNDS, timeMs: 0, minIterations: 1 },
    )) as [Measurement, Measurement, Measurement];
    const loadAfter = loadavg()[0] ?? Number.NaN;
    await kernels1.close();
    await kernels2.close();
    const ratio = (sluice: Measurement): number => median(sluice.rounds.map((r, i) => (plainRuns.rounds[i]?.medianMs ?? Number.NaN) / r.medianMs));
    for (const [name, m] of [['plain kafkajs loop', plainRuns], ['sluice, 1 worker', sluice1Runs], ['sluice, 2 workers', sluice2Runs]] as const) {
      console.error(`  ${name}: runs of ${m.rounds.map((r) => (r.medianMs / 1000).toFixed(2)).join(', ')} s`);
    }
    console.error(`  load average (1 min) ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after the throughput rounds`);
    const latency = async (run: (input: string, output: string) => (expected: number) => Promise<Running>): Promise<{ p50: number; p99: number }> => {
      const latencyIn = await createTopic(kafka, 'bench-lat-in', 3);
      const latencyOut = await createTopic(kafka, 'bench-lat-out', 3);
      const result = await measureLatency(kafka, latencyIn, latencyOut, run(latencyIn, latencyOut));
      console.error(`  latency: ${result.n} records, p50 ${result.p50.toFixed(0)} ms, p99 ${result.p99.toFixed(0)} ms`);
      return result;
    };
    const plainLatency = await latency((i, o) => (n) => runPlain(kafka, i, o, n));
    const sluiceLatency1 = await latency((i, o) => async (n) => runSluice(started.brokers, i, o, await openKernels(1), n, 200, true));
    const sluiceLatency2 = await latency((i, o) => async (n) => runSluice(started.brokers, i, o, await openKernels(2), n, 200, true));
    const row = (config: string, runs: Measurement, times: number, lat: { p50: number; p99: number }): void => {
      const seconds = runs.medianMs / 1000;
      rows.push({ config, medianSeconds: seconds, recordsPerSecond: LINES / seconds, mbPerSecond: bytes / 1e6 / seconds, ratio: times, p50Ms: lat.p50, p99Ms: lat.p99 });
    };
    row('plain kafkajs: eachBatch → split(/\\s+/) → Map → produce', plainRuns, 1, plainLatency);
    row('sluice: direct stream → fused word count → toKafka, 1 worker', sluice1Runs, ratio(sluice1Runs), sluiceLatency1);
    row('sluice: direct stream → fused word count → toKafka, 2 workers', sluice2Runs, ratio(sluice2Runs), sluiceLatency2);
    console.log(`${LINES} lines a run, ${ROUNDS} rounds; load average (1 min) ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}`);
    console.log('| configuration | median run | records/s | MB/s | × plain (median of rounds) | latency p50 | latency p99 |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(`| ${r.config} | ${r.medianSeconds.toFixed(2)} s | ${Math.round(r.recordsPerSecond).toLocaleString('en')} | ${r.mbPerSecond.toFixed(1)} | ${r.ratio.toFixed(2)}x | ${r.p50Ms?.toFixed(0)} ms | ${r.p99Ms?.toFixed(0)} ms |`);
    }
    if (JSON_FILE !== undefined) writeFileSync(JSON_FILE, JSON.stringify(rows, null, 2));
  } finally {
    await started.stop();
  }
}

await main();

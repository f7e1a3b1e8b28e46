/**
 * `npm run bench:scale-out`: how fast 1, 2 and 3 `sluice wordcount --kafka
 * B --topic T --group G --state` processes (issue 11's scale-out: one
 * consumer group, repartition by word, running counts in changelog topics,
 * one transaction per batch and process) drain a pre-produced topic.
 *
 * N english lines are written to a 6-partition topic first. For each process
 * count a new group starts that many processes at once and is timed until
 * the group committed the end of the input and of its repartition topic
 * (every word counted, its count in the changelog). Two figures per run:
 * total (from spawning the processes: start-up, group join, claims
 * included) and draining (from the moment every process owned its
 * partitions). Records/s = input lines / seconds.
 *
 * A broker is started (scripts/kafka-broker.mjs) unless KAFKA_BROKERS names
 * one. Options: --lines N (default 200000), --processes 1,2,3,
 * --max-rate-per-partition N (default 10000 lines/s, i.e. 5,000 per partition
 * per 500 ms batch), --repeat R (runs per process count; the median draining
 * rate is compared), --json FILE.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Kafka, Partitioners, logLevel } from '../src/node/kafka/kafkajs.js';
import { corpusLines } from '../src/corpus/index.js';
import { benchBroker } from './bench-broker.js';

const BIN = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));
const PARTITIONS = 6;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const LINES = Number(option('lines') ?? 200_000);
const PROCESS_COUNTS = (option('processes') ?? '1,2,3').split(',').map(Number);
/** Lines per second per partition: bounds each batch, so a process that joins late takes over partitions between batches rather than after one huge batch. */
const RATE = option('max-rate-per-partition') ?? '10000';
const JSON_FILE = option('json');
/** Runs per process count; the table reports the median draining rate (rebalances make single runs vary a lot on a loaded machine). */
const REPEAT = Number(option('repeat') ?? 1);


async function prepare(kafka: Kafka): Promise<{ topic: string; bytes: number }> {
  const topic = `scale-bench-${randomUUID().slice(0, 8)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  let bytes = 0;
  let batch: { value: string; partition: number }[] = [];
  let n = 0;
  for (const line of corpusLines('english', { seed: 7 })) {
    if (n === LINES) break;
    batch.push({ value: line, partition: n % PARTITIONS });
    bytes += line.length + 1;
    n++;
    if (batch.length === 5000 || n === LINES) {
      await producer.send({ topic, acks: -1, messages: batch });
      batch = [];
    }
  }
  await producer.disconnect();
  return { topic, bytes };
}

/** True once `groupId` committed the end of every partition of `topic` (partitions never written count as done). */
async function committedAtEnd(kafka: Kafka, groupId: string, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic).catch(() => undefined);
    if (ends === undefined) return false;
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    return ends.every((p) => Number(p.high) === 0 || at.get(p.partition) === Number(p.high));
  } finally {
    await admin.disconnect();
  }
}

interface Run {
  readonly processes: number;
  /** Each process's last scale-out note: partitions, rebalances, resets, restores. */
  readonly notes: string[];
  readonly totalSeconds: number;
  readonly drainSeconds: number;
  readonly recordsPerSecond: number;
  readonly drainRecordsPerSecond: number;
}

async function run(kafka: Kafka, brokers: string, topic: string, count: number): Promise<Run> {
  const groupId = `scale-bench-${count}-${randomUUID().slice(0, 8)}`;
  const started = Date.now();
  const children: ChildProcess[] = [];
  const stderr: string[] = [];
  const owning = new Set<number>();
  let allOwnedAt: number | undefined;
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, [BIN, 'wordcount', '--kafka', brokers, '--topic', topic, '--group', groupId, '--state', '--batch', '500ms', '--max-rate-per-partition', RATE, '--session-timeout', '6s'], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr[i] = (stderr[i] ?? '') + text;
      if (/: partitions [\d,]+ \(/.test(text)) owning.add(i);
      if (owning.size === count && allOwnedAt === undefined) allOwnedAt = Date.now();
    });
    children.push(child);
  }
  try {
    const deadline = Date.now() + 600_000;
    while (!((await committedAtEnd(kafka, groupId, topic)) && (await committedAtEnd(kafka, groupId, `${groupId}-wordcount-repartition`)))) {
      if (Date.now() > deadline) throw new Error(`${count} processes did not drain the topic in 10 minutes:\n${stderr.join('\n---\n').slice(-4000)}`);
      if (children.some((c) => c.exitCode !== null)) throw new Error(`a process exited:\n${stderr.join('\n---\n').slice(-4000)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
  const ended = Date.now();
  const totalSeconds = (ended - started) / 1000;
  const drainSeconds = (ended - (allOwnedAt ?? started)) / 1000;
  const notes = stderr.map((text) => text.split('\n').filter((line) => line.includes(`group ${groupId}: `)).at(-1)?.replace(/^sluice: group \S+: /, '') ?? 'no note');
  return { processes: count, notes, totalSeconds, drainSeconds, recordsPerSecond: LINES / totalSeconds, drainRecordsPerSecond: LINES / drainSeconds };
}

async function main(): Promise<void> {
  const server = await benchBroker();
  try {
    const kafka = new Kafka({ clientId: 'sluice-scale-bench', brokers: server.brokers.split(','), logLevel: logLevel.NOTHING });
    const { topic, bytes } = await prepare(kafka);
    const [loadBefore] = loadavg();
    const runs: Run[] = [];
    const medians = new Map<number, number>();
    for (const count of PROCESS_COUNTS) {
      const rates: number[] = [];
      for (let r = 0; r < REPEAT; r++) {
        const result = await run(kafka, server.brokers, topic, count);
        runs.push(result);
        rates.push(result.drainRecordsPerSecond);
        console.log(
          `${count} process${count === 1 ? '' : 'es'}: ${result.totalSeconds.toFixed(1)} s total (${Math.round(result.recordsPerSecond).toLocaleString('en')} lines/s), ` +
            `${result.drainSeconds.toFixed(1)} s once all owned partitions (${Math.round(result.drainRecordsPerSecond).toLocaleString('en')} lines/s); load ${loadavg()[0]?.toFixed(1)}`,
        );
        for (const note of result.notes) console.log(`    ${note}`);
      }
      medians.set(count, [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)] as number);
    }
    const [loadAfter] = loadavg();
    const base = medians.get(PROCESS_COUNTS[0] as number);
    if (base !== undefined) {
      for (const [count, rate] of medians) console.log(`  ${count}: median draining rate ${Math.round(rate).toLocaleString('en')} lines/s, ${(rate / base).toFixed(2)}x that of ${PROCESS_COUNTS[0]}`);
    }
    console.log(`${LINES.toLocaleString('en')} lines (${(bytes / 1e6).toFixed(1)} MB) in ${PARTITIONS} partitions; ${cpus().length} cores; load average ${loadBefore?.toFixed(2)} before, ${loadAfter?.toFixed(2)} after`);
    if (JSON_FILE !== undefined) writeFileSync(JSON_FILE, JSON.stringify({ lines: LINES, bytes, partitions: PARTITIONS, cores: cpus().length, loadBefore, loadAfter, medians: Object.fromEntries(medians), runs }, null, 2));
  } finally {
    await server.stop();
  }
}

await main();

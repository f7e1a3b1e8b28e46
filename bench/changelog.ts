/**
 * `npm run bench:changelog`: the size and restore time of a scale-out
 * changelog holding 1 million keys (issue 11).
 *
 * The state is a running word count's: keys `w0` … `w999999`, each a count.
 * It is written the way scale-out writes it — changelogRecords of each
 * batch's changes, in transactions of a transactional producer — to a
 * compacted topic of 6 partitions: first every key once, then a tenth of
 * the keys again (later batches), so the log holds more records than keys.
 * Then, in interleaved rounds (measure.ts: every round times each case once,
 * rotating the order; medians reported):
 *  - restoreChangelog of all partitions (read to the last stable offset,
 *    last record per key, decode) and of one partition (what a process
 *    gaining one partition of six reads);
 *  - restoreEntries of the million entries into updateStateByKey(runningSum)'s
 *    kernel table;
 *  - baseline, in the same run on the same topic: a plain kafkajs consumer
 *    reading every record (read_committed) without decoding anything.
 * Sizes: records and key+value bytes read; bytes of the topic's log
 * segments on disk (when the broker is the one this script starts;
 * compaction only cleans closed segments, so it is the uncompacted size).
 *
 * A broker is started (scripts/kafka-broker.mjs) unless KAFKA_BROKERS names
 * one. Options: --keys N (default 1000000), --partitions N (default 6),
 * --rounds N (default 3), --json FILE.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from '../src/node/kafka/kafkajs.js';
import { ManualClock, runningSum, StreamingContext, type Pair } from '../src/index.js';
import { kafkajsClient } from '../src/node/kafka/kafkajs-client.js';
import type { KafkaClient } from '../src/node/kafka/client.js';
import { changelogRecords } from '../src/node/kafka/changelog/changelog-topic.js';
import { ensureInternalTopics } from '../src/node/kafka/changelog/internal-topics.js';
import { type RestoredState, restoreChangelog } from '../src/node/kafka/changelog/restore-changelog.js';
import type { StateChange } from '../src/stream/partitioned-state.js';
import { type Measurement, measureInterleaved, median } from './measure.js';
import { jsonFileOption, numberOption } from './argv.js';
import { benchBroker } from './bench-broker.js';


const KEYS = numberOption('keys', 1_000_000);
const PARTITIONS = numberOption('partitions', 6);
const ROUNDS = numberOption('rounds', 3);
const UPDATED_FRACTION = 0.1;
const CHANGES_PER_TRANSACTION = 100_000;
const RECORDS_PER_SEND = 10_000;
const JSON_FILE = jsonFileOption();

/** Writes `changes` as changelog records, CHANGES_PER_TRANSACTION per transaction; returns the ms taken. */
async function writeChanges(client: KafkaClient, topic: string, changes: readonly StateChange[]): Promise<number> {
  const started = performance.now();
  const id = `bench-changelog-${randomUUID()}`;
  const producer = await client.transactionalProducer(id);
  await producer.fence();
  for (let t = 0; t < changes.length; t += CHANGES_PER_TRANSACTION) {
    const tx = await producer.begin();
    for (let s = t; s < Math.min(t + CHANGES_PER_TRANSACTION, changes.length); s += RECORDS_PER_SEND) {
      await tx.send(topic, changelogRecords(changes.slice(s, Math.min(s + RECORDS_PER_SEND, t + CHANGES_PER_TRANSACTION, changes.length)), PARTITIONS));
    }
    await tx.commit();
  }
  await producer.close();
  // Fencing waits for the last commit's markers, as a process claiming the partitions does before restoring.
  const successor = await client.transactionalProducer(id);
  await successor.fence();
  await successor.close();
  return performance.now() - started;
}

/** Baseline: every record of `topic` read by a plain kafkajs consumer (read_committed), nothing decoded. */
async function plainConsume(brokers: string, topic: string, ends: ReadonlyMap<number, number>): Promise<{ ms: number; records: number; bytes: number }> {
  const kafka = new Kafka({ clientId: 'bench-changelog', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const started = performance.now();
  const consumer = kafka.consumer({ groupId: `bench-changelog-${randomUUID()}`, maxWaitTimeInMs: 100, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let records = 0;
  let bytes = 0;
  const remaining = new Set([...ends].filter(([, end]) => end > 0).map(([p]) => p));
  await new Promise<void>((resolve, reject) => {
    const done = (partition: number, last: number): void => {
      if (last + 1 >= (ends.get(partition) ?? 0)) remaining.delete(partition);
      if (remaining.size === 0) resolve();
    };
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => done(payload.partition, Number(payload.lastOffset)));
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            records++;
            bytes += (m.key?.length ?? 0) + (m.value?.length ?? 0);
          }
        },
      })
      .catch(reject);
  });
  const ms = performance.now() - started;
  await consumer.disconnect();
  return { ms, records, bytes };
}

/**
 * Bytes of the topic's log segments (.log files) in the broker's data dir (undefined when the broker is not ours).
 * The offset and time indexes are left out: the broker preallocates them (10 MB each per partition) whatever the data.
 */
function bytesOnDisk(home: string | undefined, topic: string): number | undefined {
  if (home === undefined) return undefined;
  const data = join(home, 'data');
  let total = 0;
  for (const dir of readdirSync(data).filter((d) => d.startsWith(`${topic}-`))) {
    for (const file of readdirSync(join(data, dir)).filter((f) => f.endsWith('.log'))) total += statSync(join(data, dir, file)).size;
  }
  return total;
}

/** restoreEntries of `entries` into a fresh updateStateByKey(runningSum) (a kernel table); returns ms. */
function restoreIntoKernelTable(entries: readonly [unknown, unknown][]): { ms: number; onKernelTable: boolean } {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  const state = ssc.queueStream<Pair<string, number>>([]).updateStateByKey(runningSum);
  state.enablePartitionedState();
  const started = performance.now();
  state.restoreEntries(entries);
  const ms = performance.now() - started;
  const onKernelTable = state.onKernelTable;
  let keys = 0;
  for (const _ of state.stateKeys()) keys++;
  if (keys !== entries.length) throw new Error(`restoreEntries kept ${keys} keys of ${entries.length}`);
  state.release();
  return { ms, onKernelTable };
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

async function main(): Promise<void> {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  const started = await benchBroker();
  const client = kafkajsClient({ brokers: started.brokers.split(',') });
  try {
    const topic = `bench-${randomUUID().slice(0, 8)}-counts-changelog`;
    await ensureInternalTopics(client, [{ topic, partitions: PARTITIONS, compacted: true, replicationFactor: 1 }]);
    const all: StateChange[] = Array.from({ length: KEYS }, (_, i) => [`w${i}`, 1 + (i % 1000)]);
    const step = Math.round(1 / UPDATED_FRACTION);
    const updates: StateChange[] = [];
    for (let i = 0; i < KEYS; i += step) updates.push([`w${i}`, 5000 + (i % 1000)]);
    const writeMs = (await writeChanges(client, topic, all)) + (await writeChanges(client, topic, updates));
    const ends = new Map((await client.latestOffsets([topic])).map((p) => [p.partition, p.offset]));
    const partitions = Array.from({ length: PARTITIONS }, (_, p) => p);

    // Interleaved rounds (measure.ts): each round times every case once, so a ratio compares two runs under the same load.
    let whole: RestoredState | undefined;
    let one: RestoredState | undefined;
    let table: { ms: number; onKernelTable: boolean } | undefined;
    const [baseline, restoreAll, restoreOne, intoTable] = await measureInterleaved(
      [
        { name: 'plain kafkajs consumer', async: true, fn: () => plainConsume(started.brokers, topic, ends) },
        { name: 'restoreChangelog, all partitions', async: true, fn: async () => (whole = await restoreChangelog(client, topic, partitions)) },
        { name: 'restoreChangelog, one partition', async: true, fn: async () => (one = await restoreChangelog(client, topic, [0])) },
        { name: 'restoreEntries into the kernel table', fn: () => (table = restoreIntoKernelTable((whole as RestoredState).entries)) },
      ],
      { rounds: ROUNDS, timeMs: 0, minIterations: 1 },
    ) as [Measurement, Measurement, Measurement, Measurement];
    if (whole === undefined || one === undefined || table === undefined) throw new Error('a case did not run');
    if (whole.entries.length !== KEYS) throw new Error(`restored ${whole.entries.length} keys, expected ${KEYS}`);
    const restoredUpdate = whole.entries.find(([k]) => k === 'w0');
    if (restoredUpdate?.[1] !== 5000) throw new Error(`w0 restored as ${String(restoredUpdate?.[1])}, expected its last state 5000`);
    const ratio = median(restoreAll.rounds.map((r, i) => r.medianMs / ((baseline.rounds[i] as { medianMs: number }).medianMs)));
    const disk = bytesOnDisk(started.home, topic);

    const result = {
      keys: KEYS,
      partitions: PARTITIONS,
      records: whole.records,
      recordBytes: whole.bytes,
      diskBytes: disk ?? null,
      writeMs: Math.round(writeMs),
      rounds: ROUNDS,
      restoreAllMs: Math.round(restoreAll.medianMs),
      restoreOnePartitionMs: Math.round(restoreOne.medianMs),
      restoreOnePartitionKeys: one.entries.length,
      restoreEntriesIntoTableMs: Math.round(intoTable.medianMs),
      onKernelTable: table.onKernelTable,
      baselineConsumeMs: Math.round(baseline.medianMs),
      restoreVsBaseline: Number(ratio.toFixed(2)),
      roundsMs: { baseline: baseline.rounds.map((r) => Math.round(r.medianMs)), restoreAll: restoreAll.rounds.map((r) => Math.round(r.medianMs)) },
      loadAverageAtStart: load,
      loadAverageAtEnd: loadavg().map((l) => l.toFixed(2)).join(' '),
    };
    const seconds = (ms: number): string => (ms / 1000).toFixed(2);
    console.log(`Changelog of ${KEYS.toLocaleString('en')} keys in ${PARTITIONS} partitions (${whole.records.toLocaleString('en')} records: every key once, then ${updates.length.toLocaleString('en')} updated)`);
    console.log(`  size:    ${mb(whole.bytes)} MB of keys and values${disk === undefined ? '' : `, ${mb(disk)} MB of log segments on disk (uncompacted)`}`);
    console.log(`  write:   ${(writeMs / 1000).toFixed(1)} s in transactions of ${CHANGES_PER_TRANSACTION.toLocaleString('en')} (${Math.round(whole.records / (writeMs / 1000)).toLocaleString('en')} records/s)`);
    console.log(`  medians of ${ROUNDS} interleaved rounds:`);
    console.log(`  baseline: plain kafkajs consumer reading every record ${seconds(baseline.medianMs)} s`);
    console.log(`  restore:  all partitions ${seconds(restoreAll.medianMs)} s (${Math.round(whole.records / (restoreAll.medianMs / 1000)).toLocaleString('en')} records/s) = ${result.restoreVsBaseline}× the baseline (median of per-round ratios); ` +
      `one partition ${seconds(restoreOne.medianMs)} s (${one.entries.length.toLocaleString('en')} keys)`);
    console.log(`  restoreEntries into the runningSum ${table.onKernelTable ? 'kernel table' : 'JS map'}: ${seconds(intoTable.medianMs)} s`);
    console.log(`  load average at start ${load}, at end ${result.loadAverageAtEnd}`);
    if (JSON_FILE !== undefined) writeFileSync(JSON_FILE, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await client.close();
    await started.stop();
  }
}

await main();

import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { ManualClock, StreamingContext, pairWithOne, splitWhitespace, sum, type BatchInfo } from '../../../src/index.js';
import { type KafkaRecord, kafkaDirectStream, kafkaValues, toKafka } from '../../../src/node/index.js';
import { createTopic, kafkaBrokers, produceLines, referenceWordCounts } from './broker.js';

/** Debian's kcat (librdkafka), installed by scripts/ensure-system-deps.sh: a second client, independent of kafkajs. */
function kcat(args: string[], input?: string): string {
  const result = spawnSync('kcat', ['-b', kafkaBrokers(), ...args], { input, encoding: 'utf8', timeout: 60_000 });
  if (result.error !== undefined) throw new Error(`kcat could not run (scripts/ensure-system-deps.sh installs it): ${result.error.message}`);
  assert.equal(result.status, 0, `kcat ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

const INTERVAL = 1000;

describe('Kafka with kcat as the other client', () => {
  const stops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const stop of stops) await stop().catch(() => undefined);
  });

  it('reads what kcat produced: keys, values and partitions as kcat wrote them, word counts exact', async () => {
    const topic = await createTopic('kcat-in');
    const lines = Array.from({ length: 600 }, (_, i) => `alpha beta${i % 7}  gamma\tdelta${i % 3}`);
    // murmur2_random partitions keys as Kafka's Java client and kafkajs do (librdkafka's default does not).
    kcat(['-P', '-t', topic, '-K', '|', '-X', 'partitioner=murmur2_random'], lines.map((l, i) => `key${i}|${l}`).join('\n') + '\n');
    const clock = new ManualClock(0);
    const ssc = new StreamingContext({ batchIntervalMs: INTERVAL, clock });
    stops.push(() => ssc.stop());
    const infos: BatchInfo[] = [];
    ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => infos.push(batchInfo) });
    const records = kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: topic, groupId: `g-${topic}`, startingOffsets: 'earliest' });
    const seen: KafkaRecord[] = [];
    records.foreachRDD((batch) => void seen.push(...batch.collect()));
    const counts = new Map<string, number>();
    kafkaValues(records).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum).foreachRDD((batch) => {
      for (const [w, n] of batch.collect()) counts.set(w, (counts.get(w) ?? 0) + n);
    });
    ssc.start();
    await clock.advance(INTERVAL);
    assert.equal(infos[0]?.failure, undefined);
    assert.equal(seen.length, 600);
    const byKey = new Map(seen.map((r) => [Buffer.from(r.key ?? []).toString(), r]));
    for (let i = 0; i < lines.length; i++) assert.equal(Buffer.from(byKey.get(`key${i}`)?.value ?? []).toString(), lines[i]);
    const partitions = kcat(['-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%k %p\n']).trim().split('\n');
    for (const row of partitions) {
      const [key, partition] = row.split(' ');
      assert.equal(byKey.get(key as string)?.partition, Number(partition), `${key} is on the partition kcat reports`);
    }
    assert.ok(new Set(seen.map((r) => r.partition)).size === 3, 'kcat spread the keys over all partitions');
    assert.deepEqual(new Map([...counts].sort()), new Map([...referenceWordCounts(lines)].sort()));
  });

  it('writes output that kcat reads: read_committed sees each committed batch once and never an aborted one', async () => {
    const input = await createTopic('kcat-src');
    const output = await createTopic('kcat-out', 1);
    const groupId = `g-${input}`;
    const run = async (lines: string[], fail: boolean): Promise<void> => {
      await produceLines(input, lines);
      const clock = new ManualClock(0);
      const ssc = new StreamingContext({ batchIntervalMs: INTERVAL, clock });
      stops.push(() => ssc.stop());
      const records = kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: input, groupId, resetOffsets: 'earliest', exactlyOnce: true });
      const counts = kafkaValues(records).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum);
      toKafka(counts, output);
      counts.foreachRDD(() => {
        if (fail) throw new Error('downstream failed');
      });
      ssc.start();
      await clock.advance(INTERVAL);
      if (fail) await assert.rejects(ssc.awaitTermination(), /downstream failed/);
      else await ssc.stop();
    };
    await run(['a b a', 'c'], false);
    await run(['zombie zombie'], true);
    const read = (isolation: string): string[] => kcat(['-C', '-t', output, '-o', 'beginning', '-e', '-q', '-X', `isolation.level=${isolation}`, '-f', '%k=%s\n']).trim().split('\n').sort();
    assert.deepEqual(read('read_committed'), ['a=2', 'b=1', 'c=1']);
    assert.deepEqual(read('read_uncommitted'), ['a=2', 'b=1', 'c=1', 'zombie=2'], 'the aborted batch was written, and only read_committed hides it');
    await run([], false);
    assert.deepEqual(read('read_committed'), ['a=2', 'b=1', 'c=1', 'zombie=2'], 'a restart outputs the aborted batch again, once');
  });

  it('an lz4-compressed batch (which kafkajs cannot read) fails the batch with advice, never the process', async () => {
    const topic = await createTopic('kcat-lz4', 1);
    kcat(['-P', '-t', topic, '-z', 'lz4'], Array.from({ length: 2000 }, (_, i) => `compressible line ${i}`).join('\n') + '\n');
    const clock = new ManualClock(0);
    const ssc = new StreamingContext({ batchIntervalMs: INTERVAL, clock, logger: null });
    stops.push(() => ssc.stop());
    const infos: BatchInfo[] = [];
    ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => infos.push(batchInfo) });
    kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: topic, groupId: `g-${topic}`, startingOffsets: 'earliest' }).foreachRDD(() => {});
    ssc.start();
    await clock.advance(INTERVAL);
    const cause = infos[0]?.failure?.cause as (Error & { code?: string }) | undefined;
    assert.equal(cause?.code, 'ERR_SLUICE_KAFKA', String(infos[0]?.failure?.message));
    assert.match(cause?.message ?? '', /LZ4 compression not implemented.*only uncompressed and gzip-compressed records.*CompressionCodecs/);
  });
});

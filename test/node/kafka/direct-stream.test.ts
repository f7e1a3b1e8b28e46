import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { CompressionTypes, Partitioners } from '../../../src/node/kafka/kafkajs.js';
import { BAD_PRICES, corpusLines } from '../../../src/corpus/index.js';
import { InMemoryCheckpointStore, ManualClock, StreamingContext, keyValueFields, pairWithOne, splitWhitespace, sum, type BatchInfo, type Pair } from '../../../src/index.js';
import { kafkaDirectStream, kafkaValues, offsetRangesOf, toKafka, type KafkaBatchMetadata, type KafkaRecord, type OffsetRange } from '../../../src/node/index.js';
import { FusedWordCountDStream } from '../../../src/stream/fused-word-count-dstream.js';
import { FusedDelimitedDStream } from '../../../src/stream/fused-delimited-dstream.js';
import { INTERVAL, manualContext } from './manual-context.js';
import { createTopic, kafkaBrokers, produceLines, referenceWordCounts, testKafka } from './broker.js';

const text = (bytes: Uint8Array | null): string | null => (bytes === null ? null : new TextDecoder().decode(bytes));

async function send(topic: string, messages: { value: string | null; key?: string | null; partition?: number; headers?: Record<string, string> }[], compression = CompressionTypes.None): Promise<void> {
  const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, messages, acks: -1, compression });
  } finally {
    await producer.disconnect();
  }
}


function firstLines(name: 'english' | 'orders', n: number, options: { seed: number; malformedRate?: number }): string[] {
  const lines: string[] = [];
  for (const line of corpusLines(name, options)) {
    if (lines.length === n) break;
    lines.push(line);
  }
  return lines;
}

/** Runs batches on a manual clock until one reads nothing; returns every batch's info. */
async function runUntilDrained(ssc: StreamingContext, clock: ManualClock, infos: BatchInfo[], maxBatches = 50): Promise<void> {
  for (let i = 0; i < maxBatches; i++) {
    const before = infos.length;
    await clock.advance(INTERVAL);
    const info = infos[before];
    assert.ok(info !== undefined, 'a batch completed');
    assert.equal(info.failure, undefined, String(info.failure?.message));
    if (info.numRecords === 0) return;
  }
  assert.fail(`still reading after ${maxBatches} batches`);
}


describe('kafkaDirectStream against a real broker', () => {
  const stops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const stop of stops) await stop();
  });

  it('counts every word of records spread over 3 partitions exactly, in several batches bounded by maxRatePerPartition, on one fused kernel call', async () => {
    const topic = await createTopic('words');
    const lines = firstLines('english', 3000, { seed: 7 });
    await produceLines(topic, lines);
    const { ssc, clock, infos } = manualContext();
    stops.push(() => ssc.stop());
    const records = kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: topic, groupId: `g-${topic}`, startingOffsets: 'earliest', maxRatePerPartition: 400 });
    const counts = kafkaValues(records).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum);
    assert.ok(counts instanceof FusedWordCountDStream, 'the chain over Kafka values fuses into one kernel call');
    const total = new Map<string, number>();
    const ranges: OffsetRange[][] = [];
    records.foreachRDD((batch) => {
      ranges.push([...(offsetRangesOf(batch) ?? [])]);
      assert.deepEqual(batch.partitions.map((p) => p.length), (offsetRangesOf(batch) ?? []).map((r) => r.untilOffset - r.fromOffset), 'one batch partition per Kafka range, holding exactly its records');
    });
    counts.foreachRDD((batch) => {
      for (const [word, n] of batch.collect()) total.set(word, (total.get(word) ?? 0) + n);
    });
    ssc.start();
    await runUntilDrained(ssc, clock, infos);
    assert.deepEqual(new Map([...total].sort()), new Map([...referenceWordCounts(lines)].sort()));
    const nonEmpty = ranges.filter((rs) => rs.some((r) => r.untilOffset > r.fromOffset));
    assert.equal(nonEmpty.length, 3, '1000 records per partition at 400 per batch: 3 batches');
    for (const rs of ranges) for (const r of rs) assert.ok(r.untilOffset - r.fromOffset <= 400, `range ${JSON.stringify(r)} within maxRatePerPartition × interval`);
    const meta = infos[0]?.inputMetadata?.[records.id] as KafkaBatchMetadata | undefined;
    assert.equal(meta?.records, 1200);
    assert.equal(meta?.lag, 1800, 'the first batch leaves 600 records per partition behind');
    assert.equal(infos[0]?.numRecords, 1200);
  });

  it('reads a range that takes many fetches (2 MB a partition in one batch) completely and exactly once', async () => {
    const topic = await createTopic('big');
    const lines = Array.from({ length: 1500 }, (_, i) => `record-${i} ${'x'.repeat(4000)}`);
    await produceLines(topic, lines);
    const { ssc, clock, infos } = manualContext();
    stops.push(() => ssc.stop());
    const records = kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: topic, groupId: `g-${topic}`, startingOffsets: 'earliest' });
    const seen: string[] = [];
    records.foreachRDD((batch) => {
      for (const r of batch.collect()) seen.push(Buffer.from(r.value ?? []).toString().split(' ')[0] as string);
    });
    ssc.start();
    await clock.advance(INTERVAL);
    assert.equal(infos[0]?.failure, undefined);
    assert.equal(infos[0]?.numRecords, 1500);
    assert.deepEqual(seen.sort(), lines.map((l) => l.split(' ')[0] as string).sort());
  });

  it('sums order prices per province exactly (keyValueFields over Kafka values, one delimited kernel call), skipping malformed lines', async () => {
    const topic = await createTopic('orders', 2);
    const lines = firstLines('orders', 2000, { seed: 3, malformedRate: 0.05 });
    await produceLines(topic, lines, 2);
    const { ssc, clock, infos } = manualContext();
    stops.push(() => ssc.stop());
    const records = kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: [topic], groupId: `g-${topic}`, startingOffsets: 'earliest', maxRatePerPartition: 600 });
    const perProvince = kafkaValues(records).flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 })).reduceByKey(sum);
    assert.ok(perProvince instanceof FusedDelimitedDStream);
    const totals = new Map<string, number>();
    perProvince.foreachRDD((batch) => {
      for (const [province, price] of batch.collect() as Pair<string, number>[]) totals.set(province, (totals.get(province) ?? 0) + price);
    });
    ssc.start();
    await runUntilDrained(ssc, clock, infos);
    const expected = new Map<string, number>();
    let malformed = 0;
    for (const line of lines) {
      const fields = line.split(',');
      const price = Number(fields[2]);
      if (fields.length !== 3 || BAD_PRICES.includes(fields[2] as string)) {
        malformed++;
        continue;
      }
      expected.set(fields[1] as string, (expected.get(fields[1] as string) ?? 0) + price);
    }
    assert.deepEqual([...totals.keys()].sort(), [...expected.keys()].sort());
    for (const [province, total] of expected) assert.ok(Math.abs((totals.get(province) ?? 0) - total) < 1e-6, `province ${province}: ${totals.get(province)} vs ${total}`);
    assert.ok(malformed > 0, 'the corpus holds malformed lines');
    assert.equal(infos.reduce((n, i) => n + (i.counters.malformedRecords ?? 0), 0), malformed);
    assert.ok(infos.filter((i) => i.numRecords > 0).length >= 2, 'several batches');
  });

  it('leaves no connection open once the context stopped, even with reads still queued (10 ms batches): a process that stops its stream exits by itself', async () => {
    const topic = await createTopic('exit');
    await produceLines(topic, ['a b', 'c']);
    const src = (path: string): string => new URL(`../../../src/${path}`, import.meta.url).href;
    const script = `
      import { StreamingContext, pairWithOne, splitWhitespace, sum } from '${src('index.js')}';
      import { kafkaDirectStream, kafkaValues, toKafka } from '${src('node/index.js')}';
      const ssc = new StreamingContext({ batchIntervalMs: 10 });
      const records = kafkaDirectStream(ssc, { brokers: '${kafkaBrokers()}', topics: '${topic}', groupId: 'g-${topic}', startingOffsets: 'earliest' });
      toKafka(kafkaValues(records).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum), '${topic}');
      ssc.start();
      await new Promise((r) => setTimeout(r, 1500));
      await ssc.stop();
      console.log('stopped');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    clearTimeout(timer);
    assert.equal(out.trim(), 'stopped');
    assert.deepEqual([code, signal], [0, null], 'the process exited on its own after stop()');
  });
  /**
   * Backpressure against the broker, on the system clock: an output that
   * sleeps 2 ms per record can never process more than 500 records/s, while
   * maxRatePerPartition lets 150 records (3 × 50) into each 200 ms batch
   * (750/s). Only the shapes of the planned ranges are asserted, never a speed.
   */
  async function backpressureRun(backpressure: boolean, scaleOut = false): Promise<{ ranges: KafkaBatchMetadata['offsetRanges'][]; cap: number }> {
    const topic = await createTopic('backpressure');
    await produceLines(topic, Array.from({ length: 6000 }, (_, i) => `line ${i}`));
    const ssc = new StreamingContext({ batchIntervalMs: 200 });
    stops.push(() => ssc.stop());
    const start = scaleOut ? ({ scaleOut: { sessionTimeoutMs: 3000 }, resetOffsets: 'earliest' } as const) : ({ startingOffsets: 'earliest' } as const);
    const stream = kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: topic, groupId: `g-${topic}`, maxRatePerPartition: 250, backpressure, ...start });
    const ranges: KafkaBatchMetadata['offsetRanges'][] = [];
    let failure: unknown;
    ssc.addStreamingListener({
      onBatchCompleted: ({ batchInfo }) => {
        failure ??= batchInfo.failure;
        const metadata = batchInfo.inputMetadata?.[stream.id] as KafkaBatchMetadata | undefined;
        if (metadata !== undefined && metadata.records > 0) ranges.push(metadata.offsetRanges);
      },
    });
    stream.foreachRDD(async (batch) => {
      await new Promise((r) => setTimeout(r, 2 * batch.count()));
    });
    ssc.start();
    // 12 batches with records: with backpressure the estimate (from the second completed batch on) plans the later ones.
    const deadline = Date.now() + 60_000;
    while (ranges.length < 12 && failure === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await ssc.stop();
    assert.equal(failure, undefined, String(failure));
    assert.ok(ranges.length >= 12, `only ${ranges.length} batches with records in 60 s`);
    return { ranges, cap: 250 * 0.2 };
  }

  /** What a batch would read without backpressure: per partition, everything there was up to the cap. */
  const unlimited = (r: KafkaBatchMetadata['offsetRanges'][number], cap: number): number => Math.min(r.untilOffset - r.fromOffset + r.lag, cap);

  /** Every batch within maxRatePerPartition × interval, and some planned below it while records waited. */
  function assertSlowedDown({ ranges, cap }: { ranges: KafkaBatchMetadata['offsetRanges'][]; cap: number }): void {
    for (const batch of ranges) for (const r of batch) assert.ok(r.untilOffset - r.fromOffset <= cap, `${r.untilOffset - r.fromOffset} records of partition ${r.partition} in one batch, above maxRatePerPartition × interval = ${cap}`);
    const shrunk = ranges.filter((batch) => batch.some((r) => r.untilOffset - r.fromOffset < unlimited(r, cap)));
    assert.ok(shrunk.length >= 1, `some batch was planned below the unlimited plan: ${JSON.stringify(ranges.map((b) => b.map((r) => [r.untilOffset - r.fromOffset, r.lag])))}`);
  }

  it('backpressure: with a slow output, batches read less than maxRatePerPartition allows while records wait, and never more than it', async () => {
    assertSlowedDown(await backpressureRun(true));
  });

  it('backpressure in a scale-out process: the same, on the partitions it owns', async () => {
    assertSlowedDown(await backpressureRun(true, true));
  });

  it('without backpressure the same slow output gets every batch planned at the cap (the control for the test above)', async () => {
    const { ranges, cap } = await backpressureRun(false);
    for (const batch of ranges) for (const r of batch) assert.equal(r.untilOffset - r.fromOffset, unlimited(r, cap));
  });

  it('reads a partition added to the topic mid-stream from its first record, at the next batch', async () => {
    const topic = await createTopic('grow', 1);
    await send(topic, [{ value: 'a b', partition: 0 }]);
    const { ssc, clock, infos } = manualContext();
    stops.push(() => ssc.stop());
    const records = kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: topic, groupId: `g-${topic}`, startingOffsets: 'earliest' });
    const seen: string[][] = [];
    records.foreachRDD((batch) => void seen.push(batch.collect().map((r) => `${r.partition}:${text(r.value)}`).sort()));
    ssc.start();
    await clock.advance(INTERVAL);
    assert.deepEqual(seen, [['0:a b']]);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await admin.createPartitions({ topicPartitions: [{ topic, count: 2 }] });
      // The new partition answers offset requests once its leader is up.
      for (let i = 0; (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.length !== 2; i++) {
        assert.ok(i < 300, 'the partition was added');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await admin.disconnect();
    }
    await send(topic, [{ value: 'c', partition: 1 }, { value: 'd', partition: 0 }, { value: 'e', partition: 1 }]);
    await clock.advance(INTERVAL);
    assert.equal(infos[1]?.failure, undefined, String(infos[1]?.failure?.message));
    assert.deepEqual(seen[1], ['0:d', '1:c', '1:e'], 'the batch after the partition was added reads it from its first record');
  });

  it('takes records of any shape other clients write: null keys, tombstones (skipped and counted as skippedNullValues), empty and non-UTF-8 values, headers, gzip batches', async () => {
    const topic = await createTopic('foreign', 1);
    await send(topic, [
      { key: null, value: 'plain words' },
      { key: 'k', value: null },
      { value: '' },
      { value: 'with header', headers: { trace: 'id-1' } },
    ]);
    await send(topic, [{ value: 'zipped words' }, { key: 'gone', value: null }], CompressionTypes.GZIP);
    const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: [{ value: Buffer.from([0x62, 0xff, 0x61, 0x64, 0x20, 0x77, 0x6f, 0x72, 0x64, 0x73]) }] });
    await producer.disconnect();
    const { ssc, clock, infos } = manualContext();
    stops.push(() => ssc.stop());
    const records = kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: topic, groupId: `g-${topic}`, startingOffsets: 'earliest' });
    const all: KafkaRecord[] = [];
    records.foreachRDD((batch) => void all.push(...batch.collect()));
    const counts = new Map<string, number>();
    kafkaValues(records).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum).foreachRDD((batch) => {
      for (const [w, n] of batch.collect() as Pair<string, number>[]) counts.set(w, n);
    });
    ssc.start();
    await clock.advance(INTERVAL);
    assert.equal(infos[0]?.failure, undefined, String(infos[0]?.failure?.message));
    assert.equal(infos[0]?.numRecords, 7, 'every record is an input record, tombstones included');
    assert.equal(infos[0]?.counters.skippedNullValues, 2, 'the two tombstones are skipped and counted');
    assert.deepEqual(all.map((r) => [text(r.key), text(r.value)]), [[null, 'plain words'], ['k', null], [null, ''], [null, 'with header'], [null, 'zipped words'], ['gone', null], [null, 'b\ufffdad words']]);
    assert.equal(text(all[3]?.headers.trace as Uint8Array), 'id-1');
    assert.deepEqual(new Map([...counts].sort()), new Map([['b\ufffdad', 1], ['header', 1], ['plain', 1], ['with', 1], ['words', 3], ['zipped', 1]]));
  });

  /** A manual-clock context whose WARN lines are kept. */
  function warningContext(store?: InMemoryCheckpointStore, startMs = 0): { ssc: StreamingContext; clock: ManualClock; infos: BatchInfo[]; warnings: string[] } {
    const clock = new ManualClock(startMs);
    const warnings: string[] = [];
    const ssc = new StreamingContext({ batchIntervalMs: INTERVAL, clock, logger: { warn: (m) => void warnings.push(m), info: () => {} } });
    if (store !== undefined) ssc.checkpoint(store, { checkpointInterval: 1 });
    const infos: BatchInfo[] = [];
    ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => infos.push(batchInfo) });
    return { ssc, clock, infos, warnings };
  }

  /** Batch 1 reads 5 of 20 records, then retention deletes offsets up to 12: batch 2 must read 12.. and count 7 lost. */
  async function retentionRun(scaleOut: boolean): Promise<void> {
    const topic = await createTopic('retention', 1);
    await produceLines(topic, Array.from({ length: 20 }, (_, i) => `r${i}`), 1);
    const { ssc, clock, infos, warnings } = warningContext();
    stops.push(() => ssc.stop());
    const start = scaleOut ? ({ scaleOut: { sessionTimeoutMs: 6000 }, resetOffsets: 'earliest' } as const) : ({ startingOffsets: 'earliest' } as const);
    const records = kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: topic, groupId: `g-${topic}`, maxRatePerPartition: 5, ...start });
    const seen: string[][] = [];
    records.foreachRDD((batch) => void seen.push(batch.collect().map((r) => text(r.value) ?? '')));
    ssc.start();
    await clock.advance(INTERVAL);
    const admin = testKafka().admin();
    await admin.connect();
    await admin.fetchTopicOffsets(topic); // loads the topic's metadata, which deleteTopicRecords needs
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '12' }] });
    await admin.disconnect();
    await clock.advance(INTERVAL);
    assert.equal(infos[1]?.failure, undefined, String(infos[1]?.failure?.message));
    assert.deepEqual(seen, [['r0', 'r1', 'r2', 'r3', 'r4'], ['r12', 'r13', 'r14', 'r15', 'r16']]);
    assert.equal(infos[1]?.counters.kafkaOffsetsLost, 7);
    assert.match(warnings.join('\n'), new RegExp(`${topic}\\[0\\]: offsets 5 to 11 were deleted from the log \\(retention\\) before they were read; reading from the log start, 12`));
  }

  it('goes on from the log start when retention deleted records it had not read yet, counting them in kafkaOffsetsLost, with a warning', async () => {
    await retentionRun(false);
  });

  it('the same in a scale-out process', async () => {
    await retentionRun(true);
  });

  it('refuses explicit startingOffsets outside the log with ERR_SLUICE_KAFKA_OFFSET_OUT_OF_RANGE, naming the log bounds', async () => {
    const topic = await createTopic('explicit', 1);
    await produceLines(topic, ['a', 'b', 'c'], 1);
    const { ssc, clock, infos } = manualContext();
    stops.push(() => ssc.stop());
    kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: topic, groupId: `g-${topic}`, startingOffsets: { [topic]: { 0: 99 } } }).foreachRDD(() => {});
    ssc.start();
    await clock.advance(INTERVAL);
    const cause = infos[0]?.failure?.cause as (Error & { code?: string }) | undefined;
    assert.equal(cause?.code, 'ERR_SLUICE_KAFKA_OFFSET_OUT_OF_RANGE', String(infos[0]?.failure?.message));
    assert.match(cause?.message ?? '', /offset 99 of .*\[0\], whose log runs from offset 0 to its end at 3/);
  });

  it('recovering a position past the end of the log (the topic was deleted and recreated) reads the new log from its start, with a warning', async () => {
    const topic = await createTopic('recreated', 1);
    await produceLines(topic, Array.from({ length: 10 }, (_, i) => `old${i}`), 1);
    const store = new InMemoryCheckpointStore();
    const run = async (startMs: number): Promise<{ seen: string[]; warnings: string[]; infos: BatchInfo[] }> => {
      let context!: ReturnType<typeof warningContext>;
      const seen: string[] = [];
      const ssc = await StreamingContext.getOrCreate(store, () => {
        context = warningContext(store, startMs);
        kafkaDirectStream(context.ssc, { brokers: kafkaBrokers(), topics: topic, groupId: `g-${topic}`, startingOffsets: 'earliest' }).foreachRDD((batch) => {
          for (const r of batch.collect()) seen.push(text(r.value) ?? '');
        });
        return context.ssc;
      });
      ssc.start();
      await context.clock.advance(INTERVAL);
      await ssc.stop();
      return { seen, warnings: context.warnings, infos: context.infos };
    };
    assert.equal((await run(0)).seen.length, 10);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [topic] });
      for (let i = 0; ; i++) {
        const created = await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] }).catch(() => false);
        if (created && (await admin.fetchTopicOffsets(topic).then((o) => o.length === 1, () => false))) break;
        assert.ok(i < 300, 'the topic was recreated');
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await admin.disconnect();
    }
    await produceLines(topic, ['new0', 'new1', 'new2'], 1);
    const second = await run(10 * INTERVAL);
    assert.equal(second.infos[0]?.failure, undefined, String(second.infos[0]?.failure?.message));
    assert.deepEqual(second.seen, ['new0', 'new1', 'new2']);
    assert.match(second.warnings.join('\n'), /offset 10 is past the end of the log \(3\).*reading the log from its start, 0/);
  });
});

describe('kafkaDirectStream arguments (no broker needed)', () => {
  it('refused options fail at the call and leave no half-built input behind, so the rest of the graph runs', async () => {
    const clock = new ManualClock();
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, logger: null });
    const invalid = (pattern: RegExp) => (e: unknown): boolean => (e as { code?: string }).code === 'ERR_SLUICE_INVALID_ARGUMENT' && pattern.test((e as Error).message);
    assert.throws(() => kafkaDirectStream(ssc, { brokers: '127.0.0.1:1', topics: 't', groupId: 'g', maxRatePerPartition: -1 }), invalid(/maxRatePerPartition/));
    assert.throws(() => kafkaDirectStream(ssc, undefined as unknown as Parameters<typeof kafkaDirectStream>[1]), invalid(/needs options, e\.g\. \{ brokers/));
    assert.throws(() => kafkaDirectStream(ssc, { brokers: '127.0.0.1:1', topics: 5 as unknown as string, groupId: 'g' }), invalid(/topics must name at least one topic, got 5/));
    assert.throws(() => kafkaDirectStream(undefined as unknown as StreamingContext, { brokers: '127.0.0.1:1', topics: 't', groupId: 'g' }), invalid(/takes the StreamingContext first/));
    assert.deepEqual(ssc.graph.inputStreams(), []);
    assert.throws(() => kafkaValues(undefined as unknown as Parameters<typeof kafkaValues>[0]), invalid(/kafkaValues\(stream\) takes a DStream first.*got undefined/));
    assert.throws(() => toKafka(undefined as unknown as Parameters<typeof toKafka>[0], 'out'), invalid(/toKafka\(stream, topic\) takes a DStream first.*got undefined/));
    const seen: number[] = [];
    ssc.queueStream([[1], [2]]).foreachRDD((batch) => void seen.push(...batch.collect()));
    ssc.start();
    await clock.advance(2000);
    await ssc.stop();
    assert.deepEqual(seen, [1, 2]);
  });
});

import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { InMemoryCheckpointStore, ManualClock, StreamingContext, type BatchInfo } from '../../../src/index.js';
import { type KafkaDirectDStream, type OffsetRange, kafkaDirectStream, offsetRangesOf, toKafka } from '../../../src/node/index.js';
import { INTERVAL, manualContext } from './manual-context.js';
import { committedOffsets, createTopic, kafkaBrokers, produceLines, readTopic } from './broker.js';



function lines(n: number, tag = 'line'): string[] {
  return Array.from({ length: n }, (_, i) => `${tag}-${i}`);
}

async function eventually(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Kafka direct stream commits', () => {
  const stops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const stop of stops) await stop().catch(() => undefined);
  });

  it('commits a batch\'s offsets only after its outputs succeeded; a throwing output leaves them uncommitted and a restart reads them again', async () => {
    const topic = await createTopic('commit');
    const groupId = `g-${topic}`;
    await produceLines(topic, lines(300));
    const first = manualContext();
    stops.push(() => first.ssc.stop());
    const stream1 = kafkaDirectStream(first.ssc, { brokers: kafkaBrokers(), topics: topic, groupId, resetOffsets: 'earliest' });
    stream1.foreachRDD((batch) => {
      if (batch.count() > 0) throw new Error('output down');
    });
    first.ssc.start();
    await first.clock.advance(INTERVAL);
    assert.match(String(first.infos[0]?.failure?.message), /output down/);
    await assert.rejects(first.ssc.awaitTermination(), /output down/);
    const afterFailure = await committedOffsets(groupId, topic);
    assert.deepEqual([...afterFailure.values()], [-1, -1, -1], 'nothing committed for the failed batch');

    const second = manualContext();
    stops.push(() => second.ssc.stop());
    const stream2 = kafkaDirectStream(second.ssc, { brokers: kafkaBrokers(), topics: topic, groupId, resetOffsets: 'earliest' });
    const seen: string[] = [];
    let committedDuringOutput: Map<number, number> | undefined;
    stream2.foreachRDD(async (batch) => {
      if (batch.count() === 0) return;
      committedDuringOutput = await committedOffsets(groupId, topic);
      for (const r of batch.collect()) seen.push(Buffer.from(r.value ?? new Uint8Array()).toString());
    });
    second.ssc.start();
    await second.clock.advance(INTERVAL);
    assert.equal(second.infos[0]?.failure, undefined);
    assert.deepEqual(seen.sort(), lines(300).sort(), 'the restart read every record again');
    assert.deepEqual([...(committedDuringOutput?.values() ?? [])], [-1, -1, -1], 'not committed while the output ran');
    await eventually(async () => [...(await committedOffsets(groupId, topic)).values()].every((o) => o === 100), 'the commit of offsets 100 per partition');
  });

  it('recovers from a checkpoint by reading the pending batches\' ranges exactly, even with another rate limit and new records', async () => {
    const topic = await createTopic('recover');
    const groupId = `g-${topic}`;
    await produceLines(topic, lines(300));
    const store = new InMemoryCheckpointStore();
    const first = manualContext();
    stops.push(() => first.ssc.stop());
    const stream1: KafkaDirectDStream = kafkaDirectStream(first.ssc, { brokers: kafkaBrokers(), topics: topic, groupId, startingOffsets: 'earliest', maxRatePerPartition: 20 });
    first.ssc.checkpoint(store, { checkpointInterval: 1 });
    const ranges1 = new Map<number, readonly OffsetRange[]>();
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    stream1.foreachRDD(async (batch, time) => {
      ranges1.set(time, offsetRangesOf(batch) ?? []);
      if (time === 1000) await gate;
      if (time === 2000) throw new Error('crash in batch 2000');
    });
    first.ssc.start();
    const step = first.clock.advance(2 * INTERVAL);
    // Batch 1000 is held in its output until batch 2000's ranges are fixed, so the checkpoint after 1000 lists 2000 as pending.
    await eventually(() => (stream1.positionAfter(1000)?.pending.length ?? 0) === 1, 'batch 2000 to be read');
    openGate();
    await step;
    await assert.rejects(first.ssc.awaitTermination(), /crash in batch 2000/);
    assert.deepEqual(ranges1.get(2000)?.map((r) => [r.fromOffset, r.untilOffset]), [[20, 40], [20, 40], [20, 40]]);

    await produceLines(topic, lines(30, 'late'));
    const second = manualContext();
    stops.push(() => second.ssc.stop());
    const ranges2 = new Map<number, readonly OffsetRange[]>();
    const recovered = await StreamingContext.getOrCreate(store, () => {
      const stream2 = kafkaDirectStream(second.ssc, { brokers: kafkaBrokers(), topics: topic, groupId, startingOffsets: 'earliest', maxRatePerPartition: 1000 });
      stream2.foreachRDD((batch, time) => void ranges2.set(time, offsetRangesOf(batch) ?? []));
      return second.ssc;
    });
    assert.equal(recovered, second.ssc);
    second.ssc.start();
    await second.clock.advance(3 * INTERVAL);
    assert.deepEqual(ranges2.get(2000), ranges1.get(2000), 'the pending batch reads exactly the ranges it had');
    assert.deepEqual(ranges2.get(3000)?.map((r) => [r.fromOffset, r.untilOffset]), [[40, 110], [40, 110], [40, 110]], 'the next batch continues after them, with the new rate');
  });

  it('in exactly-once mode, an output that fails after toKafka wrote aborts the batch\'s transaction: a read_committed reader never sees it, and a restart outputs it once', async () => {
    const input = await createTopic('eos-in');
    const output = await createTopic('eos-out', 1);
    const groupId = `g-${input}`;
    await produceLines(input, lines(90));
    const run = async (failOutput: boolean): Promise<BatchInfo[]> => {
      const { ssc, clock, infos } = manualContext();
      stops.push(() => ssc.stop());
      const stream = kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: input, groupId, resetOffsets: 'earliest', exactlyOnce: true });
      const values = stream.map((r) => `seen ${Buffer.from(r.value ?? new Uint8Array()).toString()}`);
      toKafka(values, output);
      values.foreachRDD((batch) => {
        if (failOutput && batch.count() > 0) throw new Error('second output down');
      });
      ssc.start();
      await clock.advance(INTERVAL);
      if (failOutput) await assert.rejects(ssc.awaitTermination(), /second output down/);
      else await ssc.stop();
      return infos;
    };
    const failed = await run(true);
    assert.ok(failed[0]?.failure !== undefined);
    assert.deepEqual(await readTopic(output), [], 'the aborted transaction is invisible to read_committed');
    assert.equal((await readTopic(output, { uncommitted: true })).length, 90, 'the records were written, then aborted');
    assert.deepEqual([...(await committedOffsets(groupId, input)).values()], [-1, -1, -1]);
    const ok = await run(false);
    assert.equal(ok[0]?.failure, undefined);
    const committed = await readTopic(output);
    assert.deepEqual(committed.map((r) => r.value).sort(), lines(90).map((l) => `seen ${l}`).sort());
    await eventually(async () => [...(await committedOffsets(groupId, input)).values()].every((o) => o === 30), 'the offsets committed in the transaction');
  });

  it('commits back-to-back exactly-once batches (the coordinator refuses a transaction begun right after a commit until its markers are written; that is retried)', async () => {
    const input = await createTopic('eos-b2b', 1);
    const output = await createTopic('eos-b2b-out', 1);
    await produceLines(input, lines(100), 1);
    const { ssc, clock, infos } = manualContext();
    stops.push(() => ssc.stop());
    const stream = kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: input, groupId: `g-${input}`, startingOffsets: 'earliest', maxRatePerPartition: 10, exactlyOnce: true });
    toKafka(stream.map((r) => Buffer.from(r.value ?? new Uint8Array()).toString()), output);
    // The first batch waits while the next ones are generated and read, so they then run (and commit) with no pause between them.
    stream.foreachRDD(async (_batch, time) => {
      if (time === INTERVAL) await new Promise((r) => setTimeout(r, 2000));
    });
    ssc.start();
    await clock.advance(12 * INTERVAL);
    assert.deepEqual(infos.map((i) => i.failure?.message).filter((m) => m !== undefined), []);
    assert.equal(infos.filter((i) => i.numRecords === 10).length, 10, 'ten batches of ten, one transaction each, with no pause between them');
    await ssc.stop();
    assert.deepEqual((await readTopic(output)).map((r) => r.value), lines(100));
  });
});

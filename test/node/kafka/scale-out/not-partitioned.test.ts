import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StreamingContext, pairWithOne, runningSum, splitWhitespace, type BatchInfo } from '../../../../src/index.js';
import { kafkaDirectStream, kafkaValues, type KafkaBatchMetadata } from '../../../../src/node/index.js';
import { ScaleOutError } from '../../../../src/errors.js';
import { createTopic, kafkaBrokers } from '../broker.js';
import { PARTITIONS, englishLines, produce, waitUntil } from './scale-out-runs.js';

/** A context counting words of lines straight into state (no repartition), in group `groupId`; `owned` follows its partitions. */
function wordsWithoutRepartition(topic: string, groupId: string, owned: { partitions: readonly number[] }): StreamingContext {
  const ssc = new StreamingContext({ batchIntervalMs: 200, logger: null });
  const records = kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: topic, groupId, resetOffsets: 'earliest', scaleOut: { sessionTimeoutMs: 3000 } });
  kafkaValues(records).flatMap(splitWhitespace).map(pairWithOne).updateStateByKey(runningSum).name('words').foreachRDD(() => undefined);
  ssc.addStreamingListener({
    onBatchCompleted: ({ batchInfo }: { batchInfo: BatchInfo }) => {
      const metrics = (batchInfo.inputMetadata?.[records.id] as KafkaBatchMetadata | undefined)?.scaleOut;
      if (metrics !== undefined) owned.partitions = metrics.ownedPartitions;
    },
  });
  return ssc;
}

describe('scale-out: state keyed otherwise than the input', () => {
  it('stops with ERR_SLUICE_SCALE_OUT_NOT_PARTITIONED naming the key, its partition and repartitionThroughKafka', async () => {
    const topic = await createTopic('scale-keyed', PARTITIONS);
    const groupId = `g-${topic}`;
    const owned = [{ partitions: [] as readonly number[] }, { partitions: [] as readonly number[] }];
    const contexts = owned.map((o) => wordsWithoutRepartition(topic, groupId, o));
    const outcomes = contexts.map((ssc) => {
      ssc.start();
      return ssc.awaitTermination().then(() => undefined, (error: unknown) => error);
    });
    try {
      await waitUntil(() => owned.every((o) => o.partitions.length === PARTITIONS / 2), 'two contexts with three partitions each', []);
      // Lines go round-robin, so words land in partitions whatever their key: some state key belongs to the other context.
      await produce({ input: topic, output: '', output2: '', groupId, repartition: '' }, englishLines(200, 23));
      const error = await Promise.race(outcomes.map((o) => o.then((e) => (e === undefined ? new Promise<never>(() => undefined) : e))));
      const cause = (error as { cause?: unknown }).cause;
      assert.ok(cause instanceof ScaleOutError, `failed with a ScaleOutError, got ${String(error)}`);
      assert.equal(cause.code, 'ERR_SLUICE_SCALE_OUT_NOT_PARTITIONED');
      assert.match(cause.message, /The state of 'words' got key \S+, which belongs to partition \d, but this process owns partitions \[\d, \d, \d\]/);
      assert.match(cause.message, /repartitionThroughKafka/);
    } finally {
      await Promise.allSettled(contexts.map((ssc) => ssc.stop()));
    }
  });
});

import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StreamingContext, pairWithOne, runningSum, splitWhitespace, sum } from '../../../../src/index.js';
import { kafkaDirectStream, kafkaValues, repartitionThroughKafka, toKafka } from '../../../../src/node/index.js';
import { INITIAL_STATE_LOADED_KEY } from '../../../../src/node/kafka/changelog/changelog-topic.js';
import { createTopic, kafkaBrokers, readTopic, referenceWordCounts } from '../broker.js';
import { PARTITIONS, type GroupTopics, countDifferences, englishLines, latestCounts, produce, waitDrained } from './scale-out-runs.js';

const INITIAL: [string, number][] = [['the', 1000], ['never-in-the-input', 7]];

/** A scale-out running word count with an initial state, its changed counts to `topics.output`. */
function wordCounts(topics: GroupTopics): StreamingContext {
  const ssc = new StreamingContext({ batchIntervalMs: 200, logger: null });
  const records = kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: topics.input, groupId: topics.groupId, resetOffsets: 'earliest', scaleOut: { sessionTimeoutMs: 3000 } });
  const perBatch = kafkaValues(records).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum);
  const counts = repartitionThroughKafka(perBatch, { topic: topics.repartition }).updateStateByKey(runningSum, { initialState: INITIAL }).name('counts');
  toKafka(counts.changes(), topics.output);
  return ssc;
}

async function runUntilDrained(topics: GroupTopics): Promise<void> {
  const ssc = wordCounts(topics);
  const failed = ssc.awaitTermination().then(() => undefined, (error: unknown) => error);
  ssc.start();
  try {
    await Promise.race([waitDrained(topics, []), failed.then((error) => Promise.reject(error ?? new Error('the context stopped')))]);
  } finally {
    await ssc.stop();
  }
}

describe('scale-out: an operator with an initial state', () => {
  it('loads it once per partition, by the first process to take the partition; a later process restores the counts instead of loading it again', async () => {
    const input = await createTopic('scaleinit-in', PARTITIONS);
    const groupId = `g-${input}`;
    const topics: GroupTopics = { input, output: await createTopic('scaleinit-out', 3), output2: '', groupId, repartition: `${groupId}-wordcount-repartition` };
    const lines = englishLines(3000, 41);
    await produce(topics, lines.slice(0, 1500));
    await runUntilDrained(topics);
    await produce(topics, lines.slice(1500));
    await runUntilDrained(topics);
    const expected = referenceWordCounts(lines);
    expected.set('the', (expected.get('the') ?? 0) + 1000);
    const counts = await latestCounts(topics.output);
    assert.deepEqual(countDifferences(counts, expected), [], 'every count, the initial state counted once');
    const changelog = await readTopic(`${groupId}-counts-changelog`);
    assert.equal(changelog.filter((r) => r.key === INITIAL_STATE_LOADED_KEY).length, PARTITIONS, 'one marker per partition: the second process loaded nothing');
    assert.deepEqual(changelog.filter((r) => r.key === JSON.stringify('never-in-the-input')).map((r) => r.value), ['[7]'], 'a key of the initial state the input never has is in the changelog');
  });
});

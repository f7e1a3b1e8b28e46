import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { InMemoryCheckpointStore, StreamingContext, pairWithOne, runningSum, splitWhitespace, sum } from '../../../../src/index.js';
import { kafkaDirectStream, kafkaValues, repartitionThroughKafka, toKafka } from '../../../../src/node/index.js';

// Nothing here connects: the graph is refused before start() reaches the broker (port 9 is never listened on).
const BROKERS = '127.0.0.1:9';

function wordPairs(ssc: StreamingContext, scaleOut = true) {
  const records = kafkaDirectStream(ssc, { brokers: BROKERS, topics: 'lines', groupId: 'g', scaleOut });
  return kafkaValues(records).flatMap(splitWhitespace).map(pairWithOne);
}

describe('scale-out graphs refused before anything starts', () => {
  it('a checkpoint store (state lives in the changelogs)', () => {
    const ssc = new StreamingContext({ batchIntervalMs: 100, logger: null });
    repartitionThroughKafka(wordPairs(ssc).reduceByKey(sum)).updateStateByKey(runningSum).foreachRDD(() => undefined);
    ssc.checkpoint(new InMemoryCheckpointStore());
    assert.throws(() => ssc.start(), { code: 'ERR_SLUICE_INVALID_ARGUMENT', message: /scale-out \(group g\) keeps state in changelog topics.*leave out ssc.checkpoint/ });
    assert.equal(ssc.state, 'initialized');
  });

  it('a window of the whole stream (it cannot be split among processes)', () => {
    for (const build of [(ssc: StreamingContext) => wordPairs(ssc).countByWindow(1000), (ssc: StreamingContext) => wordPairs(ssc).map(([, n]) => n).reduceByWindow(sum, 1000)]) {
      const ssc = new StreamingContext({ batchIntervalMs: 100, logger: null });
      build(ssc).foreachRDD(() => undefined);
      assert.throws(() => ssc.start(), { code: 'ERR_SLUICE_SCALE_OUT_UNSUPPORTED' });
    }
  });

  it('options that scale-out decides itself', () => {
    const ssc = new StreamingContext({ batchIntervalMs: 100, logger: null });
    const base = { brokers: BROKERS, topics: 'lines', groupId: 'g', scaleOut: true } as const;
    assert.throws(() => kafkaDirectStream(ssc, { ...base, startingOffsets: 'earliest' }), /starts every partition at the group's committed offset/);
    assert.throws(() => kafkaDirectStream(ssc, { ...base, transactionalId: 'mine' }), /own transactional id/);
  });

  it('repartitionThroughKafka on a stream that does not come from a scale-out Kafka stream', () => {
    const ssc = new StreamingContext({ batchIntervalMs: 100, logger: null });
    assert.throws(() => repartitionThroughKafka(wordPairs(ssc, false)), /needs a stream read with kafkaDirectStream\(ssc, \{ \.\.\., scaleOut: true \}\)/);
  });
});

describe('toKafka in a scale-out group', () => {
  it('writes a stream made of the source and the repartitioned pairs into the one transaction of the group', () => {
    const ssc = new StreamingContext({ batchIntervalMs: 100, logger: null });
    const pairs = wordPairs(ssc).reduceByKey(sum);
    const both = pairs.union(repartitionThroughKafka(pairs));
    assert.doesNotThrow(() => toKafka(both, 'out'));
  });
});

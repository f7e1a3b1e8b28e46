import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { KafkaError } from '../../../src/errors.js';
import { checkExplicitOffsets, checkStartingOffsets, startingPositions } from '../../../src/node/kafka/starting-offsets.js';

const bounds = {
  earliest: [{ topic: 't', partition: 0, offset: 10 }, { topic: 't', partition: 1, offset: 0 }],
  latest: [{ topic: 't', partition: 0, offset: 100 }, { topic: 't', partition: 1, offset: 50 }],
  committed: [{ topic: 't', partition: 0, offset: 40 }],
};

describe('startingPositions', () => {
  it('starts at the committed offsets, and where none is committed as resetOffsets says', () => {
    assert.deepEqual([...startingPositions('committed', 'latest', bounds)], [['t:0', 40], ['t:1', 50]]);
    assert.deepEqual([...startingPositions('committed', 'earliest', bounds)], [['t:0', 40], ['t:1', 0]]);
  });

  it('starts at the log start or end, or at explicit offsets (an offset outside the log is left for the stream to move into it, with a warning)', () => {
    assert.deepEqual([...startingPositions('earliest', 'latest', bounds)], [['t:0', 10], ['t:1', 0]]);
    assert.deepEqual([...startingPositions('latest', 'latest', bounds)], [['t:0', 100], ['t:1', 50]]);
    assert.deepEqual([...startingPositions({ t: { 0: 30, 1: 50 } }, 'latest', bounds)], [['t:0', 30], ['t:1', 50]]);
    assert.deepEqual([...startingPositions({ t: { 0: 30 } }, 'earliest', bounds)], [['t:0', 30], ['t:1', 0]]);
  });

  it('refuses explicit offsets outside the log or of partitions the stream does not read, with the log bounds in the message', () => {
    const refused = (starting: Record<string, Record<number, number>>, code: string, text: RegExp) =>
      assert.throws(() => checkExplicitOffsets(starting, bounds), (e: Error & { code?: string }) => e instanceof KafkaError && e.code === code && text.test(e.message));
    refused({ t: { 0: 3 } }, 'ERR_SLUICE_KAFKA_OFFSET_OUT_OF_RANGE', /offset 3 of t\[0\].*from offset 10 to its end at 100.*retention/);
    refused({ t: { 1: 51 } }, 'ERR_SLUICE_KAFKA_OFFSET_OUT_OF_RANGE', /offset 51 of t\[1\].*Give an offset from 0 to 50/);
    refused({ t: { 2: 0 } }, 'ERR_SLUICE_KAFKA_UNKNOWN_TOPIC', /partition 2 of topic t/);
    refused({ other: { 0: 0 } }, 'ERR_SLUICE_KAFKA_UNKNOWN_TOPIC', /topic other/);
    checkExplicitOffsets({ t: { 0: 10, 1: 50 } }, bounds);
    checkExplicitOffsets({ t: { 0: 3 } }, bounds, new Map([['t:0', 40]]));
    checkExplicitOffsets('earliest', bounds);
  });

  it('prefers a recovered position (or, exactly-once, the committed offsets) where it has the partition', () => {
    assert.deepEqual([...startingPositions('earliest', 'latest', bounds, new Map([['t:1', 20]]))], [['t:0', 10], ['t:1', 20]]);
  });

  it('refuses startingOffsets it cannot use, saying what it accepts', () => {
    for (const bad of ['newest', { t: { x: 1 } }, { t: { 0: -1 } }, { t: { 0: 1.5 } }, [1]]) {
      assert.throws(() => checkStartingOffsets(bad), (e: Error & { code?: string }) => e.code === 'ERR_SLUICE_INVALID_ARGUMENT' && /'committed', 'earliest', 'latest'/.test(e.message));
    }
    for (const good of [undefined, 'committed', 'earliest', 'latest', { t: { 0: 5 } }]) checkStartingOffsets(good);
  });
});

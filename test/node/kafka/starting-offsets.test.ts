import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { checkStartingOffsets, startingPositions } from '../../../src/node/kafka/starting-offsets.js';

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

  it('starts at the log start or end, or at explicit offsets clamped into the log', () => {
    assert.deepEqual([...startingPositions('earliest', 'latest', bounds)], [['t:0', 10], ['t:1', 0]]);
    assert.deepEqual([...startingPositions('latest', 'latest', bounds)], [['t:0', 100], ['t:1', 50]]);
    assert.deepEqual([...startingPositions({ t: { 0: 3, 1: 70 } }, 'latest', bounds)], [['t:0', 10], ['t:1', 50]]);
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

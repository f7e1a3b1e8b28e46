import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { planRanges, recordsPerPartition } from '../../../src/node/index.js';
import { intoLog } from '../../../src/node/kafka/offset-ranges.js';

const latest = [
  { topic: 't', partition: 0, offset: 1000 },
  { topic: 't', partition: 1, offset: 100 },
  { topic: 't', partition: 2, offset: 50 },
];
const from = new Map([['t:0', 0], ['t:1', 0], ['t:2', 50]]);

describe('planRanges', () => {
  it('reads each partition from where the last batch stopped up to the latest offset when nothing limits it', () => {
    assert.deepEqual(
      planRanges(from, latest, { batchIntervalMs: 1000 }).map((r) => [r.partition, r.fromOffset, r.untilOffset]),
      [[0, 0, 1000], [1, 0, 100], [2, 50, 50]],
    );
  });

  it('caps each partition at maxRatePerPartition × interval', () => {
    assert.deepEqual(
      planRanges(from, latest, { batchIntervalMs: 500, maxRatePerPartition: 120 }).map((r) => [r.partition, r.fromOffset, r.untilOffset]),
      [[0, 0, 60], [1, 0, 60], [2, 50, 50]],
    );
  });

  it('shares a backpressure rate out by lag, still within maxRatePerPartition, never below one record for a partition with lag', () => {
    const lags = new Map([['t:0', 900], ['t:1', 100], ['t:2', 0]]);
    assert.deepEqual([...(recordsPerPartition(lags, { batchIntervalMs: 1000, backpressureRate: 100 }) ?? [])], [['t:0', 90], ['t:1', 10], ['t:2', 1]]);
    assert.deepEqual([...(recordsPerPartition(lags, { batchIntervalMs: 1000, backpressureRate: 100, maxRatePerPartition: 50 }) ?? [])], [['t:0', 50], ['t:1', 10], ['t:2', 1]]);
    assert.deepEqual([...(recordsPerPartition(lags, { batchIntervalMs: 1000, backpressureRate: 0.5 }) ?? [])], [['t:0', 1], ['t:1', 1], ['t:2', 1]]);
    assert.equal(recordsPerPartition(lags, { batchIntervalMs: 1000 }), undefined);
  });

  it('gives an empty range where the log end is behind the position (nothing is read twice)', () => {
    assert.deepEqual(planRanges(new Map([['t:0', 2000]]), [latest[0] as (typeof latest)[0]], { batchIntervalMs: 1000 }), [{ topic: 't', partition: 0, fromOffset: 2000, untilOffset: 2000 }]);
  });
});

describe('intoLog', () => {
  const range = (fromOffset: number, untilOffset: number) => ({ topic: 't', partition: 0, fromOffset, untilOffset });
  it('leaves a range inside the log [low, high] as it is', () => {
    assert.deepEqual(intoLog(range(10, 20), 10, 20), range(10, 20));
    assert.deepEqual(intoLog(range(20, 20), 10, 20), range(20, 20), 'a position at the end');
  });
  it('starts a range whose first offsets were deleted at the log start', () => {
    assert.deepEqual(intoLog(range(5, 15), 8, 20), range(8, 15));
    assert.deepEqual(intoLog(range(5, 7), 8, 20), range(8, 8));
    assert.deepEqual(intoLog(range(3, 3), 8, 20), range(8, 8), 'a position');
  });
  it('turns a range reaching past the end into the empty range at the log start (a recreated topic is read from its start)', () => {
    assert.deepEqual(intoLog(range(15, 30), 0, 20), range(0, 0));
    assert.deepEqual(intoLog(range(40, 40), 0, 3), range(0, 0));
    assert.deepEqual(intoLog(range(2, 40), 8, 20), range(8, 8));
  });
});

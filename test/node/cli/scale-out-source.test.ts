import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { scaleOutNote } from '../../../src/node/cli/scale-out-source.js';
import { runSluice } from './sluice-process.js';

describe('the CLI scale-out mode (running state over Kafka)', () => {
  it('refuses options that do not apply to a scaled-out run, before connecting, saying why', async () => {
    const cases: [string[], RegExp][] = [
      [['wordcount', '--kafka', '127.0.0.1:9', '--topic', 't', '--state', '--checkpoint', 'ckpt-never-made'], /state scales out .*--checkpoint does not apply/],
      [['orders', '--kafka', '127.0.0.1:9', '--topic', 't', '--starting-offsets', 'latest'], /--starting-offsets does not apply: each partition starts at the group's committed offset/],
      [['wordcount', '--kafka', '127.0.0.1:9', '--topic', 't', '--window', '10s', '--checkpoint', 'ckpt-never-made'], /state scales out .*--checkpoint does not apply/],
      [['wordcount', '--kafka', '127.0.0.1:9', '--topic', 't', '--session-timeout', '6s'], /--session-timeout only applies to state over Kafka/],
      [['wordcount', '--socket', '127.0.0.1:9', '--session-timeout', '6s'], /--session-timeout only applies to --kafka/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await runSluice(args);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.match(stderr, message, args.join(' '));
    }
  });

  it('notes a process\'s partitions, rebalances, resets and restores in one line', () => {
    const note = scaleOutNote('wc', { ownedPartitions: [1, 4], rebalances: 3, resets: 1, restores: 2, restoredRecords: 1234, restoredBytes: 57_344, restoreMs: 120, transactionalId: 'sluice-wc-0a1b2c3d-1' });
    assert.equal(note, 'group wc: partitions 1,4 (rebalances 3, resets 1; restored 1234 state records, 56.0 KiB in 120 ms)');
    assert.equal(scaleOutNote('wc', { ownedPartitions: [], rebalances: 0, resets: 0, restores: 0, restoredRecords: 0, restoredBytes: 0, restoreMs: 0, transactionalId: 'x' }), 'group wc: no partitions yet (rebalances 0, resets 0; restored 0 state records, 0.0 KiB in 0 ms)');
  });
});

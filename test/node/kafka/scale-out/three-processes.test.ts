import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { SluiceProcess } from '../../cli/sluice-process.js';
import { referenceWordCounts } from '../broker.js';
import {
  countDifferences, lastNotes, englishLines, groupTopics, latestCounts, ownedPartitions, produce, recordsRead, stopAll, waitDrained, waitUntil, wordcountProcess,
} from './scale-out-runs.js';

describe('scale-out: three wordcount processes in one group', () => {
  it('share the six partitions, and the latest counts they wrote equal one process\'s and the exact counts', async (t) => {
    const topics = await groupTopics('scale3');
    const lines = englishLines(6000, 21);
    const processes: SluiceProcess[] = [];
    let exitCodes: (number | null)[] = [];
    try {
      await produce(topics, lines.slice(0, 2000));
      for (let i = 0; i < 3; i++) processes.push(wordcountProcess(topics));
      await waitUntil(() => processes.every((p) => (ownedPartitions(p, topics.groupId)?.length ?? 0) === 2), 'each process to own two partitions', processes);
      await produce(topics, lines.slice(2000, 4000));
      await waitUntil(() => processes.every((p) => recordsRead(p) > 0), 'each process to read records', processes);
      await produce(topics, lines.slice(4000));
      await waitDrained(topics, processes);
      const owned = processes.map((p) => ownedPartitions(p, topics.groupId) ?? []);
      assert.deepEqual(owned.flat().sort(), [0, 1, 2, 3, 4, 5], `every partition owned by exactly one process: ${JSON.stringify(owned)}`);
    } finally {
      for (const note of lastNotes(processes, topics.groupId)) t.diagnostic(note);
      exitCodes = await stopAll(processes);
    }
    assert.deepEqual(exitCodes, [0, 0, 0], 'each process stopped gracefully on SIGTERM (finished, committed, left the group)');
    const expected = referenceWordCounts(lines);
    const union = await latestCounts(topics.output);
    assert.deepEqual(countDifferences(union, expected), []);

    // One process alone, in a group of its own, over the same input.
    const alone = wordcountProcess(topics, `${topics.groupId}-alone`, topics.output2);
    try {
      await waitDrained(topics, [alone], `${topics.groupId}-alone`);
    } finally {
      await stopAll([alone]);
    }
    assert.deepEqual(countDifferences(union, await latestCounts(topics.output2)), []);
  });
});

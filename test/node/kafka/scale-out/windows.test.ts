import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { SluiceProcess } from '../../cli/sluice-process.js';
import { referenceWordCounts } from '../broker.js';
import {
  countDifferences, countedWords, englishLines, groupTopics, lastNote, lastNotes, latestCounts, ownedPartitions, produce, recordsRead, stopAll, waitDrained, waitUntil, wordcountProcess,
} from './scale-out-runs.js';

// A window longer than the test: each window's counts are the counts of everything read so far, so the latest window
// count of every word must be its exact count, whichever processes held its window state on the way.
const WINDOW = ['--window', '3600s', '--slide', '1s'];

describe('scale-out: keyed windows move with their partitions', () => {
  it('a SIGKILLed process\'s window state (values in the window and running aggregate) is restored by the others, and a joiner takes its share: window counts stay exact', async (t) => {
    const topics = await groupTopics('scalewin');
    const lines = englishLines(6000, 31);
    const waves = [lines.slice(0, 2000), lines.slice(2000, 4000), lines.slice(4000)];
    const processes: SluiceProcess[] = [];
    let expectedLines: string[] = [];
    const start = (): SluiceProcess => {
      const process = wordcountProcess(topics, topics.groupId, topics.output, WINDOW);
      processes.push(process);
      return process;
    };
    try {
      await produce(topics, waves[0] ?? []);
      const [survivor, victim] = [start(), start()];
      await waitUntil(() => processes.every((p) => (ownedPartitions(p, topics.groupId)?.length ?? 0) === 3 && countedWords(p)), 'two processes with three partitions each, counting', processes);
      await produce(topics, waves[1] ?? []);
      victim.kill('SIGKILL');
      await victim.exited;
      await waitUntil(() => (ownedPartitions(survivor, topics.groupId)?.length ?? 0) === 6, 'the survivor to take the killed process\'s partitions', processes);
      assert.ok((lastNote(survivor, topics.groupId)?.restored ?? 0) > 0, 'the survivor restored the moved partitions\' window state from the changelog');
      const joiner = start();
      await produce(topics, waves[2] ?? []);
      await waitUntil(() => (ownedPartitions(joiner, topics.groupId)?.length ?? 0) > 0 && recordsRead(joiner) > 0, 'the joiner to own partitions and read', processes);
      await waitDrained(topics, processes);
      assert.ok((lastNote(joiner, topics.groupId)?.restored ?? 0) > 0, 'the joiner restored the window state of the partitions it took');
      // Windows are written every slide (1 s): let each live process write one after the last records it read.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expectedLines = lines;
    } finally {
      for (const note of lastNotes(processes, topics.groupId)) t.diagnostic(note);
      await stopAll(processes);
    }
    const counts = await latestCounts(topics.output);
    assert.deepEqual(countDifferences(counts, referenceWordCounts(expectedLines)), [], 'no word lost or counted twice in the windows');
  });
});

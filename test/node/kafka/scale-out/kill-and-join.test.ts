import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { SluiceProcess } from '../../cli/sluice-process.js';
import { referenceWordCounts } from '../broker.js';
import {
  countDifferences, lastNotes, countedWords, englishLines, groupTopics, lastNote, latestCounts, ownedPartitions, produce, recordsRead, stopAll, waitDrained, waitUntil, wordcountProcess,
} from './scale-out-runs.js';

describe('scale-out: processes die and join mid-stream', () => {
  it('a SIGKILLed process\'s partitions move with their state, a fourth process takes its share, and the counts stay exact', async (t) => {
    const topics = await groupTopics('scalekill');
    const lines = englishLines(9000, 22);
    const processes: SluiceProcess[] = [];
    let expectedLines: string[] = [];
    const waves = [lines.slice(0, 3000), lines.slice(3000, 6000), lines.slice(6000)];
    try {
      await produce(topics, waves[0] ?? []);
      for (let i = 0; i < 3; i++) processes.push(wordcountProcess(topics));
      await waitUntil(() => processes.every((p) => (ownedPartitions(p, topics.groupId)?.length ?? 0) === 2 && countedWords(p)), 'three processes with two partitions each, counting', processes);
      const [survivorA, victim, survivorB] = processes as [SluiceProcess, SluiceProcess, SluiceProcess];
      // Killed with state of its own in the changelogs, while the second wave is being counted.
      await produce(topics, waves[1] ?? []);
      victim.kill('SIGKILL');
      await victim.exited;
      await waitUntil(
        () => [survivorA, survivorB].every((p) => (ownedPartitions(p, topics.groupId)?.length ?? 0) === 3),
        'the survivors to take the killed process\'s partitions',
        processes,
      );
      const restoredAfterKill = [survivorA, survivorB].map((p) => lastNote(p, topics.groupId)?.restored ?? 0);
      assert.ok(restoredAfterKill.every((n) => n > 0), `the survivors restored the moved partitions' state from the changelog: ${restoredAfterKill}`);
      const fourth = wordcountProcess(topics);
      processes.push(fourth);
      await produce(topics, waves[2] ?? []);
      await waitUntil(() => (ownedPartitions(fourth, topics.groupId)?.length ?? 0) > 0 && recordsRead(fourth) > 0, 'the fourth process to own partitions and read', processes);
      await waitDrained(topics, processes);
      const owned = [survivorA, survivorB, fourth].map((p) => ownedPartitions(p, topics.groupId) ?? []);
      assert.deepEqual(owned.flat().sort(), [0, 1, 2, 3, 4, 5], `every partition owned by exactly one live process: ${JSON.stringify(owned)}`);
      assert.ok((lastNote(fourth, topics.groupId)?.restored ?? 0) > 0, 'the fourth process restored the state of the partitions it took');
      expectedLines = lines;
    } finally {
      for (const note of lastNotes(processes, topics.groupId)) t.diagnostic(note);
      await stopAll(processes);
    }
    const counts = await latestCounts(topics.output);
    assert.deepEqual(countDifferences(counts, referenceWordCounts(expectedLines)), [], 'no word lost or counted twice');
  });
});

import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { readTopic, referenceWordCounts } from './broker.js';
import { KILLS, crashSeed, runWithKills, totals } from './crash-runs.js';

it('Kafka → word count → Kafka exactly-once, SIGKILLed at 10 random points and restarted: a read_committed reader sees every count exactly once', async () => {
  const { lines, output, kills } = await runWithKills('exactly-once', crashSeed());
  assert.equal(kills, KILLS);
  const got = totals(await readTopic(output));
  assert.deepEqual(new Map([...got].sort()), new Map([...referenceWordCounts(lines)].sort()));
});

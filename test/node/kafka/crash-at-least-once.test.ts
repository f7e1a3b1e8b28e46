import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { readTopic, referenceWordCounts } from './broker.js';
import { KILLS, crashSeed, runWithKills, totals } from './crash-runs.js';

it('Kafka → word count → Kafka at-least-once, SIGKILLed at 10 random points and restarted: no word count is lost (duplicates allowed)', async () => {
  const { lines, output, kills } = await runWithKills('at-least-once', crashSeed());
  assert.equal(kills, KILLS);
  const got = totals(await readTopic(output, { uncommitted: true }));
  const expected = referenceWordCounts(lines);
  for (const [word, n] of expected) assert.ok((got.get(word) ?? 0) >= n, `${word}: ${got.get(word) ?? 0} < ${n}`);
  assert.deepEqual([...got.keys()].filter((w) => !expected.has(w)), [], 'no word that was not in the input');
});

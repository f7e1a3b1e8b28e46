import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/corpus/prng.js';
import { ZipfSampler } from '../../src/corpus/zipf.js';

test('probabilities follow 1/rank and sum to 1', () => {
  const zipf = new ZipfSampler(1000, 1);
  assert.ok(Math.abs(zipf.probability(0) / zipf.probability(1) - 2) < 1e-9);
  assert.ok(Math.abs(zipf.probability(0) / zipf.probability(9) - 10) < 1e-9);
  let total = 0;
  for (let r = 0; r < 1000; r++) total += zipf.probability(r);
  assert.ok(Math.abs(total - 1) < 1e-9);
});

test('samples are in range and their frequencies match the probabilities', () => {
  const zipf = new ZipfSampler(50_000, 1);
  const rng = new Rng(11);
  const counts = new Map<number, number>();
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const r = zipf.sample(rng);
    assert.ok(r >= 0 && r < 50_000);
    counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  for (const rank of [0, 1, 2, 9]) {
    const expected = zipf.probability(rank) * n;
    const seen = counts.get(rank) ?? 0;
    assert.ok(Math.abs(seen - expected) < 0.05 * expected, `rank ${rank}: ${seen} vs ${expected.toFixed(0)}`);
  }
});

test('rejects an empty support', () => {
  assert.throws(() => new ZipfSampler(0), RangeError);
});

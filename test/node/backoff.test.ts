import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../src/node/backoff.js';
import { InvalidArgumentError } from '../../src/index.js';

test('delays grow from initialDelayMs to maxDelayMs with equal jitter, and reset', () => {
  const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, random: () => 1 });
  assert.deepEqual([1, 2, 3, 4, 5].map(() => backoff.nextDelayMs()), [100, 200, 400, 800, 1000]);
  backoff.reset();
  assert.equal(new Backoff({ initialDelayMs: 100, random: () => 0 }).nextDelayMs(), 50);
  assert.equal(backoff.nextDelayMs(), 100);
});

test('a delay that is not a number of ms (NaN: a reconnect loop without pause) fails at construction', () => {
  for (const options of [{ initialDelayMs: Number.NaN }, { maxDelayMs: '5s' as unknown as number }, { initialDelayMs: -1 }, { maxDelayMs: Infinity }]) {
    assert.throws(() => new Backoff(options), (e: unknown) => e instanceof InvalidArgumentError && /must be a number of milliseconds from 0 to 2\^31 - 1/.test(e.message), JSON.stringify(options));
  }
});

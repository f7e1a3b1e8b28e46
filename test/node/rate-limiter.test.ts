import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from '../../src/node/rate-limiter.js';

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

test('tokens accrue at the rate, with a burst of a tenth of a second', () => {
  const clock = fakeClock();
  const limiter = new RateLimiter(1000, clock.now);
  let taken = 0;
  while (limiter.tryTake()) taken++;
  assert.equal(taken, 100, 'the initial burst');
  assert.equal(limiter.msUntilNext(), 1);
  clock.advance(50);
  taken = 0;
  while (limiter.tryTake()) taken++;
  assert.equal(taken, 50);
  clock.advance(10_000);
  taken = 0;
  while (limiter.tryTake()) taken++;
  assert.equal(taken, 100, 'idle time does not build an unbounded burst');
});

test('over a long run the average never exceeds the rate', () => {
  const clock = fakeClock();
  const limiter = new RateLimiter(250, clock.now);
  let taken = 0;
  for (let ms = 0; ms < 10_000; ms++) {
    while (limiter.tryTake()) taken++;
    clock.advance(1);
  }
  assert.ok(taken <= 250 * 10 + 25, `${taken} tokens in 10 s at 250/s`);
  assert.ok(taken >= 250 * 10 - 1);
});

test('the rate can change while running; slow rates still allow one record', () => {
  const clock = fakeClock();
  const limiter = new RateLimiter(1000, clock.now);
  while (limiter.tryTake());
  limiter.setRate(2);
  assert.equal(limiter.msUntilNext(), 500);
  clock.advance(500);
  assert.equal(limiter.tryTake(), true);
  assert.equal(limiter.tryTake(), false);
  assert.throws(() => limiter.setRate(0), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  assert.throws(() => new RateLimiter(Number.NaN), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SystemClock } from '../../src/index.js';

test('SystemClock runs a task no earlier than its time, and not at all when cancelled', async () => {
  const clock = new SystemClock();
  const at = clock.now() + 20;
  const ranAt = await new Promise<number>((resolve) => {
    clock.schedule(at, () => resolve(Date.now()));
  });
  assert.ok(ranAt >= at);
  let ran = false;
  const cancel = clock.schedule(clock.now() + 5, () => {
    ran = true;
  });
  cancel();
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(ran, false);
});

test('SystemClock waits past the 2^31 ms timer limit instead of firing at once (no TimeoutOverflowWarning)', async () => {
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning.name);
  process.on('warning', onWarning);
  const clock = new SystemClock();
  let ran = false;
  const cancel = clock.schedule(clock.now() + 2 ** 31 + 10_000, () => {
    ran = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  cancel();
  process.off('warning', onWarning);
  assert.equal(ran, false);
  assert.deepEqual(warnings, []);
});

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

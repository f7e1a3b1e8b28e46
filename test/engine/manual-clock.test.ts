import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError, ManualClock } from '../../src/index.js';

test('advance runs due tasks in time order, ties in scheduling order, with now() at each task time', async () => {
  const clock = new ManualClock(100);
  const seen: string[] = [];
  clock.schedule(300, () => void seen.push(`c@${clock.now()}`));
  clock.schedule(200, () => void seen.push(`a@${clock.now()}`));
  clock.schedule(200, () => void seen.push(`b@${clock.now()}`));
  clock.schedule(301, () => void seen.push('late'));
  await clock.advance(200);
  assert.deepStrictEqual(seen, ['a@200', 'b@200', 'c@300']);
  assert.equal(clock.now(), 300);
  assert.equal(clock.pendingTasks, 1);
});

test('advance awaits the promise a task returns and runs tasks scheduled during the step', async () => {
  const clock = new ManualClock();
  const seen: number[] = [];
  const tick = (at: number): void => {
    clock.schedule(at, async () => {
      await Promise.resolve();
      seen.push(clock.now());
      tick(at + 10);
    });
  };
  tick(10);
  await clock.advance(35);
  assert.deepStrictEqual(seen, [10, 20, 30]);
});

test('cancelled tasks never run; setTime refuses to go back', async () => {
  const clock = new ManualClock(50);
  let ran = false;
  const cancel = clock.schedule(60, () => {
    ran = true;
  });
  cancel();
  await clock.setTime(100);
  assert.equal(ran, false);
  await assert.rejects(clock.setTime(10), InvalidArgumentError);
  assert.throws(() => clock.advance(-1), InvalidArgumentError);
});

test('overlapping advance calls run one after the other', async () => {
  const clock = new ManualClock();
  const seen: number[] = [];
  clock.schedule(5, () => void seen.push(clock.now()));
  clock.schedule(15, () => void seen.push(clock.now()));
  await Promise.all([clock.advance(10), clock.advance(10)]);
  assert.deepStrictEqual(seen, [5, 15]);
  assert.equal(clock.now(), 20);
});

test('work that waits on the clock inside the step lets time move on, and advance waits for it', async () => {
  const clock = new ManualClock();
  const seen: string[] = [];
  clock.schedule(10, async () => {
    seen.push(`start@${clock.now()}`);
    await new Promise<void>((resolve) => clock.schedule(25, resolve));
    seen.push(`end@${clock.now()}`);
  });
  clock.schedule(20, () => void seen.push(`other@${clock.now()}`));
  await clock.advance(30);
  assert.deepStrictEqual(seen, ['start@10', 'other@20', 'end@25']);
  assert.equal(clock.now(), 30);
});

test('a task that throws makes advance reject after the step', async () => {
  const clock = new ManualClock();
  let later = false;
  clock.schedule(1, () => {
    throw new Error('task failed');
  });
  clock.schedule(2, () => {
    later = true;
  });
  await assert.rejects(clock.advance(5), /task failed/);
  assert.equal(later, true);
  assert.equal(clock.now(), 5);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testOperation } from './operation.js';

test('testOperation fails on a wrong element, a wrong order, or a missing batch', async () => {
  await assert.rejects(testOperation([[1, 2]], (s) => s.map((x) => x + 1), [[2, 4]]), assert.AssertionError);
  await assert.rejects(testOperation([[1, 2]], (s) => s, [[2, 1]]), assert.AssertionError);
  await testOperation([[1, 2]], (s) => s, [[2, 1]], { orderMatters: false });
  await assert.rejects(testOperation([[1]], (s) => s, [[1], []], { numBatches: 1 }), assert.AssertionError);
});

test('testOperation surfaces a failing operation as the JobError it caused', async () => {
  await assert.rejects(
    testOperation([[1]], (s) => s.map(() => {
      throw new Error('user bug');
    }), [[1]]),
    (e: unknown) => e instanceof Error && (e as Error & { code?: string }).code === 'ERR_SLUICE_JOB_FAILED',
  );
});

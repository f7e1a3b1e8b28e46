// The worker pool on Web Workers in headless Chromium (cross-origin isolated):
// a Worker owns the pool (pool calls block, which only workers may do); the
// page's main thread falls back to the inline executor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPageInChromium } from './run-page.js';

const page = `<!doctype html><meta charset="utf-8"><script type="module">
import { browserExecutor, canRunWorkerPool } from '/dist/src/index.js';
try {
  const mainThread = await browserExecutor({ workers: 2 });
  const owner = new Worker('/dist/test/browser/pool-owner.js', { type: 'module' });
  const inWorker = await new Promise((done) => {
    owner.onmessage = (event) => done(event.data);
    owner.onerror = (event) => done({ error: event.message });
  });
  window.result = { isolated: crossOriginIsolated, mainThread: { canRun: canRunWorkerPool(), parallelism: mainThread.parallelism }, inWorker };
} catch (error) {
  window.result = { error: String(error && error.stack || error) };
}
</script>`;

test('browsers: the pool runs on Web Workers inside a Worker (1 and 2 workers, a killed worker replaced); the main thread gets the inline executor', async () => {
  const result = await runPageInChromium('/pool.html', page, 60_000);
  assert.equal(result['isolated'], true);
  assert.deepEqual(result['mainThread'], { canRun: false, parallelism: 1 });
  const inWorker = result['inWorker'] as Record<string, unknown>;
  assert.equal(inWorker['error'], undefined, String(inWorker['error']));
  assert.deepEqual(inWorker, {
    canRun: true,
    runs: [1, 2].map((workers) => ({ workers, parallelism: workers, wordCount: true, orders: true, printed: true, retries: 1, parallelBatches: 3 })),
  });
});

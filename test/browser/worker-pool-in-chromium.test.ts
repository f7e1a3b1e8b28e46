// The worker pool on Web Workers in headless Chromium (cross-origin isolated):
// a Worker owns the pool (pool calls block, which only workers may do); the
// page's main thread falls back to the inline executor.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveRepository } from './serve-repo.js';
import { launchChromium } from './launch-chromium.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

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
  const server = await serveRepository(root, { '/pool.html': page });
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage();
    await tab.goto(`${server.url}/pool.html`);
    await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, { timeout: 60_000 });
    const result = (await tab.evaluate(() => (window as unknown as { result: unknown }).result)) as Record<string, unknown>;
    assert.equal(result['error'], undefined, String(result['error']));
    assert.equal(result['isolated'], true);
    assert.deepEqual(result['mainThread'], { canRun: false, parallelism: 1 });
    const inWorker = result['inWorker'] as Record<string, unknown>;
    assert.equal(inWorker['error'], undefined, String(inWorker['error']));
    assert.deepEqual(inWorker, {
      canRun: true,
      runs: [1, 2].map((workers) => ({ workers, parallelism: workers, wordCount: true, orders: true, printed: true, retries: 1, parallelBatches: 3 })),
    });
  } finally {
    await browser.close();
    await server.close();
  }
});

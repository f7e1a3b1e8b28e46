// Node, a browser's main thread, and cross-origin-isolated Web Workers
// sharing one WebAssembly memory give identical results for the same input
// (test/browser/same-input-pipelines.ts). Each side first says where it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createKernels } from '../../src/index.js';
import { runPageInChromium } from './run-page.js';
import { runPipelines } from './same-input-pipelines.js';

const page = `<!doctype html><meta charset="utf-8"><script type="module">
import { createKernels } from '/dist/src/index.js';
import { runPipelines } from '/dist/test/browser/same-input-pipelines.js';
try {
  const runtime = { userAgent: navigator.userAgent, hasProcess: typeof process !== 'undefined', isolated: crossOriginIsolated, hasDocument: typeof document === 'object' };
  const mainThread = await runPipelines(createKernels({ fallback: false }));
  const worker = new Worker('/dist/test/browser/same-as-node-worker.js', { type: 'module' });
  const inWorkers = await new Promise((done) => {
    worker.onmessage = (event) => done(event.data);
    worker.onerror = (event) => done({ error: event.message });
  });
  window.result = { runtime, mainThread, inWorkers };
} catch (error) {
  window.result = { error: String(error && error.stack || error) };
}
</script>`;

test('browser main thread and a pool of Web Workers on one shared memory give the same results as Node', async () => {
  assert.equal(typeof process.versions.node, 'string', 'the reference side runs on Node');
  const onNode = JSON.parse(JSON.stringify(await runPipelines(createKernels({ fallback: false })))) as Record<string, unknown>;
  assert.equal(onNode['kernels'], 'wasm');
  assert.equal(onNode['kernelCalls'], 2);
  assert.ok((onNode['words'] as unknown[]).length > 1000 && (onNode['malformed'] as number) > 0, 'a real input: many words, some malformed orders');

  const result = await runPageInChromium('/same-as-node.html', page, 60_000);
  assert.deepEqual(result['runtime'], { userAgent: (result['runtime'] as { userAgent: string }).userAgent, hasProcess: false, isolated: true, hasDocument: true });
  assert.match((result['runtime'] as { userAgent: string }).userAgent, /HeadlessChrome\//, 'the page runs in headless Chromium');
  assert.deepEqual(result['mainThread'], onNode, 'main thread (WASM kernels) = Node');

  const inWorkers = result['inWorkers'] as Record<string, unknown>;
  assert.equal(inWorkers['error'], undefined, String(inWorkers['error']));
  assert.deepEqual(inWorkers['runtime'], { inWorker: true, isolated: true, canRunPool: true });
  assert.equal(inWorkers['parallelism'], 2);
  assert.equal(inWorkers['sharedMemory'], true);
  assert.ok((inWorkers['parallelBatches'] as number) >= 1, 'the pool split a batch across both workers');
  assert.deepEqual(inWorkers['results'], onNode, '2 Web Workers on one shared memory = Node');
});

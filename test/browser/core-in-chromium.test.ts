// The edge-safe core, compiled as shipped, runs unmodified in a real browser:
// the seed word count on the WASM kernels, the orders totals on the fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runPageInChromium } from './run-page.js';

const page = `<!doctype html><meta charset="utf-8"><script type="module">
import { StreamingContext, ManualClock, Receiver, splitWhitespace, pairWithOne, keyValueFields, sum, jsKernels } from '/dist/src/index.js';
class PushReceiver extends Receiver { onStart() {} onStop() {} }
async function wordCount() {
  const clock = new ManualClock();
  const lines = [];
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, output: (line) => lines.push(line) });
  const receiver = new PushReceiver();
  ssc.receiverStream(receiver).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum).print();
  ssc.start();
  receiver.store(new TextEncoder().encode('长江 长江 这是 黄河'));
  receiver.store('老鹰 呼叫 猎狗 长江');
  await clock.advance(1000);
  await ssc.stop();
  return { kernels: ssc.kernels?.kind, lines };
}
async function orders() {
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, kernels: jsKernels() });
  const totals = [];
  ssc.queueStream([['1,12,45.00', '2,12,20.00', 'broken', '3,14,10.00']])
    .flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 })).reduceByKey(sum)
    .foreachRDD((batch) => { totals.push(...batch.collect().map(([k, v]) => k + '=' + v).sort()); });
  ssc.start();
  await clock.advance(1000);
  await ssc.stop();
  return totals;
}
try {
  window.result = {
    runtime: { hasProcess: typeof process !== 'undefined', hasBuffer: typeof Buffer !== 'undefined', isolated: crossOriginIsolated },
    wordCount: await wordCount(),
    orders: await orders(),
  };
} catch (error) {
  window.result = { error: String(error && error.stack || error) };
}
</script>`;

test('the core runs in headless Chromium: seed word count on WASM kernels, orders on the TS fallback', async () => {
  const result = await runPageInChromium('/core.html', page, 20_000);
  assert.deepEqual(result['runtime'], { hasProcess: false, hasBuffer: false, isolated: true });
  const dashes = '-'.repeat(43);
  assert.deepEqual(result['wordCount'], {
    kernels: 'wasm',
    lines: [dashes, 'Time: 1000 ms', dashes, '(长江,3)', '(这是,1)', '(黄河,1)', '(老鹰,1)', '(呼叫,1)', '(猎狗,1)', ''],
  });
  assert.deepEqual(result['orders'], ['12=65', '14=10']);
});

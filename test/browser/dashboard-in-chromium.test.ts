// The live dashboard (GET / of `sluice serve`) in Debian's headless chromium:
// it loads without console errors, connects with the token from its URL
// fragment (as a WebSocket subprotocol), and its charts, counters and top
// keys follow the data sent to the server. A screenshot is kept in
// test-artifacts/dashboard.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StreamingContext, pairWithOne, splitWhitespace, sum } from '../../src/index.js';
import { createIngestionServer } from '../../src/node/serve/ingestion-server.js';
import { IngestClient } from '../node/serve/clients.js';
import { launchChromium } from './launch-chromium.js';

const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../test-artifacts');

test('the dashboard draws the batches, the receivers and the top keys as data flows', async () => {
  const token = 'dash-t0ken';
  const server = await createIngestionServer({
    context: new StreamingContext({ batchIntervalMs: 200 }),
    pipeline: (lines) => lines.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum),
    port: 0,
    token,
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${server.url}/#token=${token}`);
    await page.waitForFunction(() => document.getElementById('connection')?.textContent === 'live', undefined, { timeout: 15_000 });

    const client = await new IngestClient(server.url, [], { headers: { Authorization: `Bearer ${token}` } }).open();
    const frame = [...Array(30).fill('alpha'), ...Array(20).fill('beta'), ...Array(10).fill('gamma 长江')].join('\n');
    client.send(frame);
    await client.waitForAck(60);
    const topKeys = (): Promise<string[][]> => page.$$eval('#top-keys tr', (rows) => rows.map((row) => Array.from(row.querySelectorAll('td'), (td) => td.textContent ?? '')));
    await page.waitForFunction(() => document.querySelector('#top-keys tr td')?.textContent === 'alpha', undefined, { timeout: 15_000 });
    assert.deepEqual(await topKeys(), [
      ['alpha', '30'],
      ['beta', '20'],
      ['gamma', '10'],
      ['长江', '10'],
    ]);
    assert.equal(await page.textContent('#total-records'), '60');
    // 60 records in a 200 ms batch: 300 records/s, the chart's maximum so far.
    await page.waitForFunction(() => /max 300 /.test(document.querySelector('#chart-inputRate .stats')?.textContent ?? ''), undefined, { timeout: 15_000 });
    // Read together: a batch may arrive between two separate reads.
    const [batchesBefore, pointsBefore] = await page.evaluate(() => [
      Number(document.getElementById('batch-count')?.textContent),
      document.querySelector('#chart-processingDelay polyline')?.getAttribute('points') ?? '',
    ] as const);
    assert.ok(batchesBefore >= 1);
    assert.equal(pointsBefore.split(' ').length, Math.min(batchesBefore, 120));
    assert.match((await page.textContent('#receivers')) ?? '', /WebSocketIngest\s*active/);
    assert.match((await page.textContent('#status')) ?? '', /ingestConnections\s*1/);

    client.send('delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta delta\n');
    await page.waitForFunction(() => document.querySelector('#top-keys tr td')?.textContent === 'delta', undefined, { timeout: 15_000 });
    assert.deepEqual(await topKeys(), [['delta', '35']]);
    assert.equal(await page.textContent('#total-records'), '61');
    await page.waitForFunction((before) => Number(document.getElementById('batch-count')?.textContent) > before, batchesBefore);
    assert.notEqual(await page.getAttribute('#chart-processingDelay polyline', 'points'), pointsBefore, 'the charts move with new batches');

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: resolve(ARTIFACTS, 'dashboard.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});

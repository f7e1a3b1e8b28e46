import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BatchInfo } from '../../../src/index.js';
import { jsonLine } from '../../../src/node/cli/wordcount.js';
import { SluiceProcess, jsonBatches, serveText } from './sluice-process.js';

test('--json lines write a non-finite number as a string, never as null', () => {
  const info = { batchTime: 1000, numRecords: 2, counters: {} } as BatchInfo;
  const line = jsonLine(info, [['a', Infinity], ['b', NaN], ['c', 2]]);
  assert.equal(line, '{"time":1000,"records":2,"malformed":0,"result":[["a","Infinity"],["b","NaN"],["c",2]]}\n');
  const done = { ...info, schedulingDelay: 1, processingDelay: 2, totalDelay: 3, counters: { malformedRecords: 4 } } as BatchInfo;
  assert.equal(jsonLine(done, []), '{"time":1000,"records":2,"schedulingDelay":1,"processingDelay":2,"totalDelay":3,"malformed":4,"result":[]}\n');
});

test('orders: prices that could overflow a running total (1e307, ±1e308) are malformed lines; totals stay finite', async () => {
  const server = await serveText('1,1,1e307\n2,1,5\n3,2,1e308\n4,2,1e308\n5,3,-1e308\n6,3,1e308\n7,3,2.5\n');
  const orders = new SluiceProcess(['orders', '--socket', `127.0.0.1:${server.port}`, '--batch', '100ms', '--json']);
  try {
    await orders.waitFor(() => jsonBatches(orders.stdoutLines).some((b) => b.records > 0), 'the batch with the orders');
    const batch = jsonBatches(orders.stdoutLines).find((b) => b.records > 0);
    assert.equal(batch?.records, 7);
    assert.equal(batch?.malformed, 5);
    assert.deepEqual(batch?.result, [['1', 5], ['3', 2.5]]);
    assert.ok(!orders.stdoutLines.some((line) => line.includes('null') || line.includes('Infinity')), orders.stdoutLines.join('\n'));
  } finally {
    orders.kill('SIGINT');
    await orders.exited;
    server.close();
  }
});

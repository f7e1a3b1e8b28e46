import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { once } from 'node:events';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { SluiceProcess, runSluice } from '../cli/sluice-process.js';
import { waitFor } from '../fake-receiver-host.js';
import { ResultsSubscriber } from './clients.js';

test('sluice wordcount --ui 0: the dashboard, /results and /metrics of a CLI pipeline', async () => {
  const source = createServer();
  let client: import('node:net').Socket | undefined;
  source.on('connection', (socket) => {
    socket.on('error', () => {});
    client = socket;
  });
  source.listen(0, '127.0.0.1');
  await once(source, 'listening');
  const port = (source.address() as { port: number }).port;
  const sluice = new SluiceProcess(['wordcount', '--socket', `127.0.0.1:${port}`, '--batch', '200ms', '--json', '--ui', '0'], 60_000);
  try {
    let url = '';
    await sluice.waitFor(() => (url = /dashboard on (http:\S+)\//.exec(sluice.stderr)?.[1] ?? '') !== '', 'the dashboard address');
    const page = await (await fetch(`${url}/`)).text();
    assert.match(page, /<script type="module" src="\/dashboard.js">/);
    assert.match(await (await fetch(`${url}/dashboard.js`)).text(), /\/results/);
    const subscriber = await new ResultsSubscriber(url).open();
    await waitFor(() => client !== undefined, 'the receiver to connect', 15_000);
    client?.write('to be or not to be\n');
    await waitFor(() => subscriber.totals.get('be') === 2, 'the counts on /results', 15_000);
    assert.equal(subscriber.totals.get('to'), 2);
    const families = parsePrometheusTextFormat(await (await fetch(`${url}/metrics`)).text());
    const records = Number(families.find((f) => f.name === 'sluice_batch_records_total')?.metrics[0]?.value);
    assert.equal(records, 1);
    sluice.kill('SIGTERM');
    assert.equal((await sluice.exited).code, 0);
  } finally {
    sluice.kill();
    source.close();
  }
});

test('--ui with a port that is taken exits 3', async () => {
  const taken = createServer().listen(0, '127.0.0.1');
  await once(taken, 'listening');
  const port = (taken.address() as { port: number }).port;
  try {
    const result = await runSluice(['wordcount', '--socket', '127.0.0.1:9', '--ui', String(port)]);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /already in use/);
  } finally {
    taken.close();
  }
});

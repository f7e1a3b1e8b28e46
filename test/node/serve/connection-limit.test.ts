import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamingContext, pairWithOne, splitWhitespace, sum, type DStream } from '../../../src/index.js';
import { createIngestionServer, type IngestionServer } from '../../../src/node/serve/ingestion-server.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { IngestClient, ResultsSubscriber, upgradeStatus } from './clients.js';
import { waitFor } from '../fake-receiver-host.js';

function wordCount(lines: DStream<string>) {
  return lines.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum);
}

async function start(options: Partial<Parameters<typeof createIngestionServer>[0]>): Promise<IngestionServer> {
  return createIngestionServer({ context: new StreamingContext({ batchIntervalMs: 100 }), pipeline: wordCount, port: 0, ...options });
}

async function metric(server: IngestionServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`metric ${name} missing:\n${text}`);
  return Number(line.split(' ')[1]);
}

/** The server has seen `count` ingest connections close (its gauge drops after their slots are freed). */
async function openConnections(server: IngestionServer, count: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while ((await metric(server, 'sluice_ingest_connections')) !== count) {
    if (Date.now() > deadline) throw new Error(`sluice_ingest_connections never reached ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('beyond maxConnections an ingest upgrade gets 503, counted; the open clients results stay exact; a closed connection frees its slot', async () => {
  const server = await start({ maxConnections: 3 });
  try {
    const subscriber = await new ResultsSubscriber(server.url).open();
    const clients = await Promise.all([0, 1, 2].map(() => new IngestClient(server.url).open()));
    assert.equal(await upgradeStatus(server.url, '/ingest'), 503, 'a fourth connection');
    assert.equal(await upgradeStatus(server.url, '/results'), 101, '/results subscribers are not ingest connections');
    clients.forEach((client, c) => client.send(`word c${c}\nword\n`));
    await Promise.all(clients.map((client) => client.waitForAck(1)));
    await waitFor(() => subscriber.recordsSeen() >= 6, 'the six records in a batch');
    assert.deepEqual(Object.fromEntries(subscriber.totals), { word: 6, c0: 1, c1: 1, c2: 1 });
    assert.equal(await metric(server, 'sluice_ingest_connections_refused_total'), 1);
    assert.equal(await metric(server, 'sluice_refused_upgrades_total'), 1);

    (clients[0] as IngestClient).socket.close();
    await (clients[0] as IngestClient).closed;
    await openConnections(server, 2);
    const next = await new IngestClient(server.url).open();
    assert.equal(await upgradeStatus(server.url, '/ingest'), 503, 'full again');
    next.send('later\n');
    await next.waitForAck(1);
    await waitFor(() => subscriber.totals.get('later') === 1, 'the record of the client in the freed slot');
    assert.equal(await metric(server, 'sluice_ingest_connections_refused_total'), 2);
  } finally {
    await server.close();
  }
});

test('beyond maxConnectionsPerAddress an upgrade from that address gets 429 while other addresses still connect', async () => {
  const server = await start({ maxConnectionsPerAddress: 2 });
  try {
    const first = await Promise.all([0, 1].map(() => new IngestClient(server.url).open()));
    assert.equal(await upgradeStatus(server.url, '/ingest'), 429, 'a third from 127.0.0.1');
    assert.equal(await upgradeStatus(server.url, '/ingest', [], { localAddress: '127.0.0.2' }), 101, 'another address');
    assert.equal(await metric(server, 'sluice_ingest_connections_refused_total'), 1);
    (first[1] as IngestClient).socket.terminate();
    await openConnections(server, 1);
    assert.equal(await upgradeStatus(server.url, '/ingest'), 101, 'a terminated connection frees its slot');
  } finally {
    await server.close();
  }
});

test('connection bounds must be positive whole numbers', async () => {
  await assert.rejects(start({ maxConnections: 0 }), InvalidArgumentError);
  await assert.rejects(start({ maxConnectionsPerAddress: 1.5 }), InvalidArgumentError);
});

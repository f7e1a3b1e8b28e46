import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { StreamingContext, pairWithOne, splitWhitespace, sum } from '../../../src/index.js';
import { createIngestionServer, type IngestionServer } from '../../../src/node/serve/ingestion-server.js';
import { BUILT_IN_PIPELINES } from '../../../src/node/serve/pipelines.js';
import { CLOSE_GOING_AWAY, CLOSE_INVALID_UTF8, CLOSE_POLICY_VIOLATION, CLOSE_SLOW_SUBSCRIBER, CLOSE_TOO_BIG } from '../../../src/node/serve/close-codes.js';
import { waitFor } from '../fake-receiver-host.js';
import { IngestClient, ResultsSubscriber, upgradeStatus } from './clients.js';

function wordCount(lines: import('../../../src/index.js').DStream<string>) {
  return lines.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum);
}

async function start(options: Partial<Parameters<typeof createIngestionServer>[0]> = {}): Promise<IngestionServer> {
  return createIngestionServer({ context: new StreamingContext({ batchIntervalMs: 100 }), pipeline: wordCount, port: 0, ...options });
}

async function metric(server: IngestionServer, name: string, headers: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`metric ${name} missing:\n${text}`);
  return Number(line.split(' ')[1]);
}

test('50 concurrent clients: every acknowledged record is counted exactly once, and a graceful close runs the final batch then closes with 1001', async () => {
  const server = await start();
  const subscriber = await new ResultsSubscriber(server.url).open();
  const clients = await Promise.all(Array.from({ length: 50 }, () => new IngestClient(server.url).open()));
  const expected = new Map<string, number>();
  const add = (word: string, n: number): void => void expected.set(word, (expected.get(word) ?? 0) + n);
  const FRAMES = 20;
  const LINES = 10;
  for (let frame = 0; frame < FRAMES; frame++) {
    clients.forEach((client, c) => {
      const text = Array.from({ length: LINES }, () => `c${c} shared w${frame} 长江`).join('\n') + (frame % 3 === 0 ? '' : '\n');
      // Every other frame binary: both kinds reach the kernels as bytes.
      client.send(frame % 2 === 0 ? text : Buffer.from(text), frame % 2 === 1);
      for (const word of [`c${c}`, 'shared', `w${frame}`, '长江']) add(word, LINES);
    });
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(clients.map((client) => client.waitForAck(FRAMES * LINES)));
  for (const client of clients) assert.equal(client.droppedAcked, 0);
  assert.equal(await metric(server, 'sluice_records_in_total'), 50 * FRAMES * LINES);
  await server.close();
  await Promise.all([subscriber.closed, ...clients.map((c) => c.closed)]);
  assert.deepEqual(new Map([...subscriber.totals].sort()), new Map([...expected].sort()));
  assert.equal(subscriber.recordsSeen(), 50 * FRAMES * LINES);
  assert.equal(subscriber.closeCode, CLOSE_GOING_AWAY);
  for (const client of clients) assert.equal(client.closeCode, CLOSE_GOING_AWAY);
});

test('records of a frame: lines, \\r\\n, empty lines, and invalid UTF-8 lines of binary frames kept (read with U+FFFD, as over TCP) and counted', async () => {
  const server = await start();
  const subscriber = await new ResultsSubscriber(server.url).open();
  const client = await new IngestClient(server.url).open();
  client.send('a b\r\nc\n\nd');
  client.send(Buffer.concat([Buffer.from('good\n'), Buffer.from([0xc3, 0x28, 0x0a]), Buffer.from('fine')]));
  client.send('');
  await client.waitForAck(7);
  assert.deepEqual(
    client.messages.filter((m) => m.type === 'ack').map(({ seq, records, dropped }) => [seq, records, dropped]),
    [
      [4, 4, 0],
      [7, 3, 0],
      [7, 0, 0],
    ],
  );
  assert.equal(await metric(server, 'sluice_invalid_utf8_records_total'), 1);
  await server.close();
  await subscriber.closed;
  assert.deepEqual(Object.fromEntries(subscriber.totals), { a: 1, b: 1, c: 1, d: 1, good: 1, '\ufffd(': 1, fine: 1 });
  assert.equal(subscriber.recordsSeen(), 7);
});

test('hostile clients get their documented close code or refusal, and the well-behaved clients results stay exact', async () => {
  const token = 'T0k-3n';
  const auth = { headers: { Authorization: `Bearer ${token}` } };
  const server = await start({ token, maxPayload: 4096, maxRatePerConnection: 2000, allowOrigins: ['http://good.example'] });
  const subscriber = await new ResultsSubscriber(server.url, 'all=1', [], auth).open();
  const good = await new IngestClient(server.url, [], auth).open();
  let goodSent = 0;
  const sendGood = (): void => {
    good.send('good one\ngood two\n');
    goodSent += 2;
  };
  sendGood();

  assert.equal(await upgradeStatus(server.url, '/ingest'), 401, 'no token');
  assert.equal(await upgradeStatus(server.url, '/ingest', [], { headers: { Authorization: 'Bearer wrong' } }), 401, 'wrong token');
  assert.equal(await upgradeStatus(server.url, '/results', ['sluice', 'bearer.wrong']), 401, 'wrong token as subprotocol');
  assert.equal(await upgradeStatus(server.url, '/ingest', ['sluice', `bearer.${token}`]), 101, 'token as subprotocol');
  assert.equal(await upgradeStatus(server.url, '/ingest', [], { ...auth, origin: 'http://evil.example' }), 403, 'origin not allowed');
  assert.equal(await upgradeStatus(server.url, '/ingest', [], { ...auth, origin: 'http://good.example' }), 101, 'allowed origin');
  assert.equal(await upgradeStatus(server.url, '/nowhere', [], auth), 404);
  assert.equal((await fetch(`${server.url}/metrics`)).status, 401, '/metrics needs the token too');
  sendGood();

  const oversize = await new IngestClient(server.url, [], auth).open();
  oversize.send('x'.repeat(5000));
  await oversize.closed;
  assert.equal(oversize.closeCode, CLOSE_TOO_BIG);

  const invalid = await new IngestClient(server.url, [], auth).open();
  invalid.send(Buffer.from([0x61, 0xff, 0x62]), false);
  await invalid.closed;
  assert.equal(invalid.closeCode, CLOSE_INVALID_UTF8);
  assert.equal(invalid.acked, 0);
  sendGood();

  const talker = await new ResultsSubscriber(server.url, 'top=3', [], auth).open();
  talker.socket.send('hello?');
  await talker.closed;
  assert.equal(talker.closeCode, CLOSE_POLICY_VIOLATION);

  // Disconnects in the middle of a frame: a masked text frame announcing 1000 bytes, 10 sent.
  const raw = connect(server.port, '127.0.0.1');
  raw.on('error', () => {});
  await once(raw, 'connect');
  raw.write(`GET /ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`);
  const [response] = (await once(raw, 'data')) as [Buffer];
  assert.match(String(response), /^HTTP\/1.1 101/);
  raw.write(Buffer.concat([Buffer.from([0x81, 0x80 | 126, 0x03, 0xe8, 1, 2, 3, 4]), Buffer.from('half a fra')]));
  raw.destroy();
  sendGood();

  // A flood past the rate limit (2000 records/s): paused, told so, and every record still counted once.
  const flood = await new IngestClient(server.url, [], auth).open();
  const FLOOD_FRAMES = 30;
  for (let i = 0; i < FLOOD_FRAMES; i++) flood.send(Array.from({ length: 100 }, (_, j) => `flood f${i}x${j}`).join('\n'));
  await flood.waitForAck(FLOOD_FRAMES * 100);
  assert.ok(flood.messages.some((m) => m.type === 'pause' && m.reason === 'rate-limit'), 'the flooding client was told it is paused');
  await waitFor(() => flood.messages.some((m) => m.type === 'resume'), 'the flood to be resumed once its debt is paid');
  assert.ok((await metric(server, 'sluice_ingest_rate_limited_total', auth.headers)) >= 1);
  sendGood();
  await good.waitForAck(goodSent);

  await server.close();
  await subscriber.closed;
  assert.equal(subscriber.totals.get('good'), goodSent);
  assert.equal(subscriber.totals.get('one'), goodSent / 2);
  assert.equal(subscriber.totals.get('flood'), FLOOD_FRAMES * 100);
  for (let i = 0; i < FLOOD_FRAMES; i++) assert.equal(subscriber.totals.get(`f${i}x7`), 1);
  assert.equal(subscriber.totals.get('half'), undefined, 'nothing of the cut-off frame');
  assert.equal(subscriber.recordsSeen(), goodSent + FLOOD_FRAMES * 100);
});

test('a subscriber that stops reading is dropped with 4000, and the pipeline and the other subscribers go on', async () => {
  // Each record becomes a 64 KiB key, so unread results pile up fast.
  const server = await createIngestionServer({
    context: new StreamingContext({ batchIntervalMs: 50 }),
    pipeline: (lines) => lines.map((line) => [line.padEnd(64 * 1024, '.'), 1] as const),
    port: 0,
    subscriberMaxBufferedBytes: 1024 * 1024,
  });
  const reader = await new ResultsSubscriber(server.url).open();
  const stalled = await new ResultsSubscriber(server.url).open();
  const stalledSocket = (stalled.socket as unknown as { _socket: import('node:net').Socket })._socket;
  stalledSocket.pause();
  const client = await new IngestClient(server.url).open();
  let sent = 0;
  while ((await metric(server, 'sluice_slow_subscribers_dropped_total')) === 0) {
    assert.ok(sent < 2000, 'the stalled subscriber was never dropped');
    client.send('key a\nkey b\n');
    sent += 2;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(await metric(server, 'sluice_subscribers'), 1);
  // It reads again (within the server's grace): the close frame behind the piled-up results says why.
  stalledSocket.resume();
  await stalled.closed;
  assert.equal(stalled.closeCode, CLOSE_SLOW_SUBSCRIBER);
  client.send('last\n');
  sent += 1;
  await client.waitForAck(sent);
  await server.close();
  await reader.closed;
  assert.equal(reader.recordsSeen(), sent);
});

test('backpressure under a flood from 50 clients: with the receiver buffer full, busy connections are paused and told, then resumed; memory stays near the bound', async () => {
  const bufferBytes = 256 * 1024;
  const maxPayload = 16 * 1024;
  const context = new StreamingContext({ batchIntervalMs: 200, receiverBufferBytes: bufferBytes });
  const server = await createIngestionServer({ context, pipeline: wordCount, port: 0, maxPayload });
  const subscriber = await new ResultsSubscriber(server.url).open();
  const clients = await Promise.all(Array.from({ length: 50 }, () => new IngestClient(server.url).open()));
  const line = 'lorem ipsum dolor sit amet consectetur\n';
  const perFrame = Math.floor(15_000 / line.length);
  const frame = line.repeat(perFrame);
  let peak = 0;
  const FRAMES = 20;
  // Written without waiting for acks: ws queues on the client side what TCP does not take.
  try {
    for (let i = 0; i < FRAMES; i++) for (const client of clients) client.send(frame);
    while (clients.some((c) => c.acked < FRAMES * perFrame)) {
      peak = Math.max(peak, await metric(server, 'sluice_receiver_buffer_bytes'));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(clients.some((c) => c.messages.some((m) => m.type === 'pause' && m.reason === 'server-busy')), 'some connection was paused');
    assert.ok((await metric(server, 'sluice_ingest_backpressure_pauses_total')) >= 1);
    const balanced = (c: IngestClient): boolean => c.messages.filter((m) => m.type === 'pause').length === c.messages.filter((m) => m.type === 'resume').length;
    await waitFor(() => clients.every(balanced), 'every pause to be followed by a resume');
    // The bound plus, per connection, what ws had already read when it paused (ingest-flow.ts): the rest of a 64 KiB socket read and the frame it ends in.
    assert.ok(peak <= bufferBytes + clients.length * (64 * 1024 + maxPayload), `receiver buffer peaked at ${peak}`);
  } finally {
    // A failed assertion must not leave the server's sockets open: the file would then never end.
    await server.close();
  }
  await subscriber.closed;
  assert.equal(subscriber.totals.get('lorem'), clients.length * FRAMES * perFrame);
});

test('the built-in orders pipeline keeps running totals, in memory when no checkpoint directory is given', async () => {
  const server = await start({ pipeline: BUILT_IN_PIPELINES['orders'] as never });
  const subscriber = await new ResultsSubscriber(server.url).open();
  const client = await new IngestClient(server.url).open();
  client.send('1,10,2.5\n2,10,1.5\nbad line\n3,11,4');
  await client.waitForAck(4);
  await waitFor(() => subscriber.latest.get('10') === 4 && subscriber.latest.get('11') === 4, 'the running totals');
  assert.ok(subscriber.batches.some((b) => b.batch.counters['malformedRecords'] === 1));
  await server.close();
});

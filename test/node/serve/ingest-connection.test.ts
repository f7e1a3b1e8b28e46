import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { StreamingContext, pairWithOne, splitWhitespace, sum, type DStream } from '../../../src/index.js';
import { createIngestionServer, type IngestionServer } from '../../../src/node/serve/ingestion-server.js';
import { IngestClient } from './clients.js';

/** A metric's value; 0 when the server does not report it (yet). */
async function metric(server: IngestionServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

test('a client that sends but never reads its acks stops being read (memory stays bounded), the others go on, and once it reads every record is taken', async () => {
  const server = await createIngestionServer({
    context: new StreamingContext({ batchIntervalMs: 100, logger: null }),
    pipeline: (lines: DStream<string>) => lines.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum),
    port: 0,
  });
  try {
    const raw = connect(server.port, '127.0.0.1');
    await once(raw, 'connect');
    raw.write('GET /ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    const [response] = (await once(raw, 'data')) as [Buffer];
    assert.match(String(response), /^HTTP\/1.1 101/);
    raw.pause(); // from here on it reads nothing: every ack waits

    // Masked text frames "a\n" (mask 0), 8 bytes each; each is answered with a ~47-byte ack.
    const frame = Buffer.from([0x81, 0x80 | 2, 0, 0, 0, 0, 0x61, 0x0a]);
    const chunk = Buffer.concat(Array.from({ length: 10_000 }, () => frame));
    let sent = 0;
    while ((await metric(server, 'sluice_ingest_unread_acks_pauses_total')) === 0) {
      // Far more acks than the OS buffers and the 1 MiB limit hold, if the server kept reading.
      assert.ok(sent < 1_000_000, `still read after ${sent} frames with unread acks`);
      raw.write(chunk);
      sent += chunk.length / frame.length;
      if (raw.writableLength > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // Held: what it writes now stays on its side; the server takes no more of it.
    for (let i = 0; i < 20; i++) {
      raw.write(chunk);
      sent += chunk.length / frame.length;
    }
    const heldAt = await metric(server, 'sluice_records_in_total');
    const good = await new IngestClient(server.url).open();
    good.send('good one\ngood two\n');
    await good.waitForAck(2);
    assert.ok((await metric(server, 'sluice_records_in_total')) < sent, 'the silent client was held back');
    assert.ok(heldAt < sent);

    raw.on('data', () => {});
    raw.resume();
    const deadline = Date.now() + 20_000;
    while ((await metric(server, 'sluice_records_in_total')) !== sent + 2) {
      assert.ok(Date.now() < deadline, `all ${sent} records taken once the client reads`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    raw.destroy();
    good.socket.close();
  } finally {
    await server.close({ graceful: false });
  }
});

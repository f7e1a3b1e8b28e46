import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { EventEmitter, once } from 'node:events';
import { StreamingContext, pairWithOne, splitWhitespace, sum, type DStream } from '../../../src/index.js';
import { createIngestionServer, type IngestionServer } from '../../../src/node/serve/ingestion-server.js';
import { IngestClient } from './clients.js';
import type { WebSocket } from 'ws';
import { IngestConnection, type IngestCounters } from '../../../src/node/serve/ingest-connection.js';
import type { CommitQueue } from '../../../src/node/serve/commit-queue.js';
import type { IngestFlow } from '../../../src/node/serve/ingest-flow.js';
import { RateLimiter } from '../../../src/node/rate-limiter.js';

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

/** The parts of a `ws` socket an IngestConnection uses, with its reading state visible. */
class PausableSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  paused = false;
  readonly sent: string[] = [];
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  send(text: string): void {
    this.sent.push(text);
  }
}

test('a rate-limit pause longer than setTimeout can hold (2^31 − 1 ms) still lasts its whole length', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const socket = new PausableSocket();
  const counters: IngestCounters = { frames: 0, bytes: 0, records: 0, dropped: 0, throttled: 0, unreadPauses: 0, invalidUtf8: 0 };
  const queue = { add: () => undefined } as unknown as CommitQueue;
  const flow = { afterFrame: () => undefined, forget: () => undefined } as unknown as IngestFlow;
  let now = 0;
  new IngestConnection(socket as unknown as WebSocket, queue, flow, new RateLimiter(0.25, () => now), 1 << 20, counters);
  // A million empty records at 0.25 records/s: a debt of about 4 × 10^9 ms.
  socket.emit('message', Buffer.alloc(1_000_000, 0x0a), true);
  assert.equal(counters.throttled, 1);
  assert.ok(socket.paused);
  const pause = JSON.parse(socket.sent.find((m) => m.includes('"pause"')) ?? '{}') as { retryMs?: number };
  const waitMs = pause.retryMs ?? 0;
  assert.ok(waitMs > 2 ** 31, `${waitMs} ms`);
  // The clock runs a due task in a microtask: let it run before looking.
  const advance = async (to: number): Promise<void> => {
    const by = to - now;
    now = to;
    t.mock.timers.tick(by);
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  await advance(1000);
  assert.ok(socket.paused, 'still paused a second later');
  await advance(2 ** 31);
  assert.ok(socket.paused, 'still paused past the longest timer');
  await advance(waitMs - 1);
  assert.ok(socket.paused, 'still paused 1 ms before the debt is paid');
  await advance(waitMs);
  assert.equal(socket.paused, false);
  assert.ok(socket.sent.some((m) => m.includes('"resume"')));
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { SocketReceiver } from '../../src/node/socket-receiver.js';
import { ManualClock, StreamingContext } from '../../src/index.js';
import type { ReceiverInputDStream } from '../../src/stream/receiver-input-dstream.js';
import { FakeReceiverHost, waitFor } from './fake-receiver-host.js';

const fastRetry = { initialDelayMs: 5, maxDelayMs: 40 };

async function listen(server: Server, port = 0): Promise<number> {
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Serves only the first connection; reconnections are accepted and left silent, so counts stay exact. */
function firstConnectionOnly(handler: (socket: Socket) => void): (socket: Socket) => void {
  let served = false;
  return (socket) => {
    socket.on('error', () => {});
    if (served) return;
    served = true;
    handler(socket);
  };
}

/** Waits until the receiver has read nothing new for 20 polls; returns the bytes it read. */
async function untilReadingStops(receiver: SocketReceiver): Promise<number> {
  let last = -1;
  let stable = 0;
  await waitFor(() => {
    stable = receiver.stats.bytesReceived === last ? stable + 1 : 0;
    last = receiver.stats.bytesReceived;
    return stable >= 20;
  }, 'reading to stop', 10_000);
  return last;
}

async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

test('lines arrive whole although the server cuts them mid-character', async () => {
  const bytes = new TextEncoder().encode('长江 长江 这是 黄河\n老鹰 呼叫 猎狗\r\nlast line');
  const server = createServer(
    firstConnectionOnly((socket) => {
      // One byte per write, so every multi-byte character is split.
      for (let i = 0; i < bytes.length; i++) socket.write(bytes.subarray(i, i + 1));
      socket.end();
    }),
  );
  const port = await listen(server);
  const receiver = new SocketReceiver('127.0.0.1', port, fastRetry);
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => host.records.length === 3, 'three lines');
  host.stop();
  await close(server);
  assert.deepEqual(host.lines(), ['长江 长江 这是 黄河', '老鹰 呼叫 猎狗', 'last line']);
  assert.equal(receiver.stats.bytesReceived, bytes.length);
});

test("'\\r'-only line ends give lines (as Spark's readLine does), not one over-long line dropped", async () => {
  const server = createServer(
    firstConnectionOnly((socket) => {
      // Far more than maxLineBytes in all, in writes that cut "\r" and text anywhere; the connection stays open.
      socket.write('1,10,2.5\r2,11,'.repeat(200));
      socket.write('3.5\r');
    }),
  );
  const port = await listen(server);
  const receiver = new SocketReceiver('127.0.0.1', port, { ...fastRetry, maxLineBytes: 64 });
  const host = new FakeReceiverHost(receiver);
  host.start();
  try {
    await waitFor(() => host.records.length === 201, '201 lines');
  } finally {
    host.stop();
    await close(server);
  }
  const lines = host.lines();
  assert.deepEqual(lines.slice(0, 3), ['1,10,2.5', '2,11,1,10,2.5', '2,11,1,10,2.5']);
  assert.equal(lines.at(-1), '2,11,3.5');
  assert.equal(receiver.stats.oversizeLinesDropped, 0);
});

test('connects once the server comes up, and reconnects after the server goes away', async () => {
  const probe = createServer();
  const port = await listen(probe);
  await close(probe);

  const changes: boolean[] = [];
  const receiver = new SocketReceiver('127.0.0.1', port, { ...fastRetry, onConnectionChange: (c) => changes.push(c) });
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => host.errors.length >= 2, 'refused connections to be reported');
  assert.match(host.errors[0]?.message ?? '', /Nothing is listening on 127\.0\.0\.1:\d+ \(connection refused\)/);
  assert.equal((host.errors[0]?.error as { code?: string }).code, 'ERR_SLUICE_CONNECT');

  let connection = 0;
  const server = createServer((socket) => {
    socket.on('error', () => {});
    connection++;
    socket.end(`from connection ${connection}\n`);
  });
  await listen(server, port);
  await waitFor(() => host.records.length >= 2, 'lines from two connections');
  host.stop();
  await close(server);
  assert.deepEqual(host.lines().slice(0, 2), ['from connection 1', 'from connection 2']);
  assert.ok(receiver.stats.connections >= 2);
  assert.deepEqual(changes.slice(0, 3), [true, false, true]);
  assert.ok(host.errors.some((e) => /closed the connection; reconnecting/.test(e.message)));
});

test('a connection reset discards only the unfinished line', async () => {
  let first: Socket | undefined;
  const server = createServer((socket) => {
    socket.on('error', () => {});
    if (first === undefined) {
      first = socket;
      socket.write('complete\nhalf of a li');
    } else {
      socket.end('after reset\n');
    }
  });
  const port = await listen(server);
  const receiver = new SocketReceiver('127.0.0.1', port, fastRetry);
  const host = new FakeReceiverHost(receiver);
  host.start();
  // Reset only once every byte was read, so the kernel cannot drop unread data with the RST.
  await waitFor(() => receiver.stats.bytesReceived === 'complete\nhalf of a li'.length, 'the first write');
  first?.resetAndDestroy();
  await waitFor(() => host.records.length >= 2, 'lines around the reset');
  host.stop();
  await close(server);
  assert.deepEqual(host.lines().slice(0, 2), ['complete', 'after reset']);
  assert.ok(host.errors.some((e) => /was reset \(ECONNRESET\); the unfinished line is discarded/.test(e.message)));
});

test('an over-long line is dropped and reported, the stream goes on', async () => {
  const server = createServer(
    firstConnectionOnly((socket) => {
      socket.write('ok 1\n');
      socket.write('x'.repeat(5000));
      socket.end('\nok 2\n');
    }),
  );
  const port = await listen(server);
  const receiver = new SocketReceiver('127.0.0.1', port, { ...fastRetry, maxLineBytes: 100 });
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => host.records.length === 2, 'the two short lines');
  host.stop();
  await close(server);
  assert.deepEqual(host.lines(), ['ok 1', 'ok 2']);
  assert.equal(receiver.stats.oversizeLinesDropped, 1);
  assert.ok(host.errors.some((e) => /Dropped 1 line longer than 100 bytes from 127\.0\.0\.1:\d+/.test(e.message)));
});

test('stop closes the connection and stores nothing afterwards', async () => {
  let serverSide: Socket | undefined;
  const server = createServer((socket) => {
    socket.on('error', () => {});
    serverSide = socket;
    socket.write('before stop\n');
  });
  const port = await listen(server);
  const receiver = new SocketReceiver('127.0.0.1', port, fastRetry);
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => host.records.length === 1, 'the first line');
  host.stop();
  const socket = serverSide as Socket;
  if (!socket.destroyed) await once(socket, 'close');
  assert.equal(receiver.isConnected, false);
  await close(server);
  assert.deepEqual(host.lines(), ['before stop']);
});

test('bad host or port is rejected up front', () => {
  assert.throws(() => new SocketReceiver('127.0.0.1', 0), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  assert.throws(() => new SocketReceiver('127.0.0.1', 70000), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  assert.throws(() => new SocketReceiver('', 9999), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
});

test('by default lines of invalid UTF-8 are kept, read with U+FFFD as Spark does (its good words are not lost), and counted', async () => {
  const server = createServer(
    firstConnectionOnly((socket) => {
      socket.write('good 1\n');
      socket.write(Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b, 0x0a, 0xc3, 0x28, 0x0a]));
      socket.end('good 2 长江\n');
    }),
  );
  const port = await listen(server);
  const receiver = new SocketReceiver('127.0.0.1', port, fastRetry);
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => host.records.length === 4, 'all four lines');
  host.stop();
  await close(server);
  assert.deepEqual(host.lines(), ['good 1', 'caf\ufffd ok', '\ufffd(', 'good 2 长江']);
  assert.equal(receiver.stats.invalidUtf8LinesKept, 2);
  assert.equal(receiver.stats.invalidUtf8LinesDropped, 0);
  assert.ok(host.errors.some((e) => /Kept 1 line that is not valid UTF-8 .*read with U\+FFFD/.test(e.message)));
});

test("with invalidUtf8: 'drop' lines of invalid UTF-8 are dropped and counted, valid neighbours kept", async () => {
  const server = createServer(
    firstConnectionOnly((socket) => {
      socket.write('good 1\n');
      socket.write(Uint8Array.from([0x61, 0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x0a]));
      socket.end('good 2 长江\n');
    }),
  );
  const port = await listen(server);
  const receiver = new SocketReceiver('127.0.0.1', port, { ...fastRetry, invalidUtf8: 'drop' });
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => host.records.length === 2, 'the two valid lines');
  host.stop();
  await close(server);
  assert.deepEqual(host.lines(), ['good 1', 'good 2 长江']);
  assert.equal(receiver.stats.invalidUtf8LinesDropped, 2);
  assert.ok(host.errors.some((e) => /Dropped 1 line that is not valid UTF-8/.test(e.message)));
  assert.ok(host.errors.some((e) => /2 so far/.test(e.message)), 'the throttled second drop is reported at stop');
});

test('over its rate limit the receiver stops reading, so a fast sender is held back by TCP', async () => {
  let serverSide: Socket | undefined;
  let blocked = false;
  const server = createServer(
    firstConnectionOnly((socket) => {
      serverSide = socket;
      const chunk = 'word '.repeat(20) + '\n';
      const pump = () => {
        while (socket.write(chunk.repeat(100)));
        blocked = true;
        socket.once('drain', () => {
          blocked = false;
          pump();
        });
      };
      pump();
    }),
  );
  const port = await listen(server);
  const receiver = new SocketReceiver('127.0.0.1', port, { ...fastRetry, maxRatePerSecond: 100 });
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => receiver.stats.bytesReceived > 0 && blocked, 'the sender to block');
  // Let the OS buffers fill: what was read is bounded by a few reads, not by what the sender wanted to send.
  const last = await untilReadingStops(receiver);
  assert.ok(last < 4 * 1024 * 1024, `${last} bytes read at 100 lines/s`);
  assert.ok(host.records.length < last / 101, 'most of what was read is still queued, not stored');
  receiver.setMaxRate(undefined);
  const target = host.records.length + 5000;
  await waitFor(() => host.records.length >= target, 'lines to flow once the limit is lifted');
  host.stop();
  serverSide?.destroy();
  await close(server);
  assert.ok(host.lines().every((line) => line === 'word '.repeat(20)));
});

test('complete lines arriving together are stored in one call, and the lines are the same', async () => {
  const text = Array.from({ length: 500 }, (_, i) => `line ${i} 长江`).join('\n') + '\n';
  const server = createServer(firstConnectionOnly((socket) => socket.end(text)));
  const port = await listen(server);
  const receiver = new SocketReceiver('127.0.0.1', port, fastRetry);
  const host = new FakeReceiverHost(receiver);
  host.start();
  await waitFor(() => host.records.length === 500, 'all lines');
  host.stop();
  await close(server);
  assert.deepEqual(host.lines(), text.trimEnd().split('\n'));
  assert.ok(host.storeCalls < 50, `${host.storeCalls} store calls for 500 lines`);
  assert.equal(receiver.stats.linesStored, 500);
});

/** A context on a ManualClock whose batches collect every line, in order, into `got`. */
function collectingContext(receiver: SocketReceiver, receiverBufferBytes?: number) {
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, ...(receiverBufferBytes === undefined ? {} : { receiverBufferBytes }) });
  const stream = ssc.receiverStream(receiver) as ReceiverInputDStream;
  const got: string[] = [];
  stream.foreachRDD((batch) => {
    for (const line of batch.collect()) got.push(line);
  });
  return { clock, ssc, supervisor: stream.supervisor, got };
}

/**
 * A sender that writes numbered lines as fast as TCP takes them, until the
 * test calls finish(): it then sends 1 MiB more and ends. (Ending after a
 * fixed amount made the test flaky: the kernel's socket buffers can absorb
 * over a MiB, so the sender sometimes finished before it was held back.)
 */
function pumpingServer() {
  const state = { lines: 0, bytes: 0, blocked: false, ended: false, stopAt: Infinity, sockets: [] as Socket[] };
  const encoder = new TextEncoder();
  const server = createServer(
    firstConnectionOnly((socket) => {
      state.sockets.push(socket);
      const pump = () => {
        while (state.bytes < state.stopAt) {
          let text = '';
          for (let i = 0; i < 100; i++) text += numberedLine(state.lines++) + '\n';
          const chunk = encoder.encode(text);
          state.bytes += chunk.length;
          if (!socket.write(chunk)) {
            state.blocked = true;
            socket.once('drain', () => {
              state.blocked = false;
              pump();
            });
            return;
          }
        }
        state.ended = true;
        socket.end();
      };
      pump();
    }),
  );
  const finish = (): void => {
    state.stopAt = state.bytes + 1024 * 1024;
  };
  return { server, state, finish };
}

function numberedLine(i: number): string {
  return `${i} ${'word '.repeat(18)}`;
}

test('with batches not processed, a full engine buffer stops reading (TCP holds the sender back); once they run, every line arrives', async () => {
  const budget = 256 * 1024;
  // The most one store hands over: a socket read (64 KiB) plus the line begun in the read before it.
  const oneChunk = 64 * 1024 + 100;
  const { server, state, finish } = pumpingServer();
  const port = await listen(server);
  const receiver = new SocketReceiver('127.0.0.1', port, fastRetry);
  const { clock, ssc, supervisor, got } = collectingContext(receiver, budget);
  try {
    ssc.start();
    // The clock stands still, so no batch runs: reading must stop at the budget, and the sender is held back.
    await waitFor(() => receiver.isBufferFull() && state.blocked, 'the buffer to fill and the sender to block');
    const last = await untilReadingStops(receiver);
    assert.ok(last <= budget + oneChunk, `${last} bytes read with a ${budget}-byte budget (${state.bytes} sent)`);
    assert.ok(state.blocked && !state.ended, 'the sender is held back');
    finish();
    let rounds = 0;
    while (!(state.ended && got.length === state.lines)) {
      await clock.advance(1000);
      rounds++;
      await waitFor(() => receiver.isBufferFull() || (state.ended && receiver.stats.bytesReceived === state.bytes), 'reading to resume and fill the buffer again');
    }
    assert.ok(rounds >= state.bytes / (budget + oneChunk), `${rounds} batches for ${state.bytes} bytes`);
  } finally {
    await ssc.stop();
    for (const socket of state.sockets) socket.destroy();
    await close(server);
  }
  const stats = supervisor.bufferStats();
  assert.ok(stats.peakBufferedBytes <= budget + oneChunk, `peak ${stats.peakBufferedBytes} bytes buffered, budget ${budget}`);
  assert.equal(stats.overBudgetStores, 0);
  assert.equal(got.length, state.lines);
  assert.ok(got.every((line, i) => line === numberedLine(i)), 'every line, once, in order');
});

test('a graceful stop processes the lines the rate limit was still holding back', async () => {
  const lines = Array.from({ length: 200 }, (_, i) => `held ${i}`);
  const text = new TextEncoder().encode(lines.join('\n') + '\n');
  let serverSide: Socket | undefined;
  const server = createServer(
    firstConnectionOnly((socket) => {
      serverSide = socket;
      socket.write(text);
    }),
  );
  const port = await listen(server);
  const receiver = new SocketReceiver('127.0.0.1', port, { ...fastRetry, maxRatePerSecond: 5 });
  const { ssc, got } = collectingContext(receiver);
  ssc.start();
  await waitFor(() => receiver.stats.bytesReceived === text.length, 'every byte to be read');
  assert.ok(receiver.stats.linesStored < lines.length, 'most lines wait for the rate limit');
  await ssc.stop({ graceful: true });
  serverSide?.destroy();
  await close(server);
  assert.deepEqual(got, lines);
  assert.equal(receiver.stats.linesStored, lines.length);
});

test('socketTextStream on a closed port logs WARN lines while it retries, and INFO once the server is up', async () => {
  const probe = createServer();
  const port = await listen(probe);
  await close(probe);
  const lines: string[] = [];
  const logger = { warn: (m: string) => void lines.push(`WARN ${m}`), info: (m: string) => void lines.push(`INFO ${m}`) };
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock(), logger });
  const receiver = new SocketReceiver('127.0.0.1', port, fastRetry);
  ssc.receiverStream(receiver).foreachRDD(() => {});
  ssc.start();
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.write('hello\n');
  });
  try {
    await waitFor(() => lines.length >= 2, 'two refused attempts to be logged');
    assert.match(lines[0] as string, new RegExp(`^WARN SocketReceiver\\(127\\.0\\.0\\.1:${port}\\): Nothing is listening on 127\\.0\\.0\\.1:${port} \\(connection refused\\); retrying`));
    await listen(server, port);
    await waitFor(() => lines.some((l) => l.startsWith('INFO')), 'the reconnect to be logged');
    assert.equal(lines.find((l) => l.startsWith('INFO')), `INFO SocketReceiver(127.0.0.1:${port}): connected to 127.0.0.1:${port} again`);
  } finally {
    await ssc.stop();
    await close(server);
  }
});

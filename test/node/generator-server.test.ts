import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { GeneratorServer } from '../../src/node/generator-server.js';
import { corpusLines } from '../../src/corpus/index.js';
import { LineSplitter } from '../../src/receivers/line-splitter.js';
import { waitFor } from './fake-receiver-host.js';

function firstLines(name: 'english' | 'orders', n: number, seed?: number): string[] {
  const lines: string[] = [];
  const it = corpusLines(name, seed === undefined ? {} : { seed });
  for (let i = 0; i < n; i++) lines.push(it.next().value);
  return lines;
}

async function client(port: number): Promise<{ socket: Socket; lines: string[]; ended: Promise<unknown> }> {
  const socket = connect({ host: '127.0.0.1', port });
  const lines: string[] = [];
  const decoder = new TextDecoder();
  const splitter = new LineSplitter((line) => lines.push(decoder.decode(line)));
  socket.on('data', (chunk: Buffer) => splitter.push(chunk));
  const ended = once(socket, 'end');
  await once(socket, 'connect');
  return { socket, lines, ended };
}

test('every client gets the corpus from its first line', async () => {
  const server = new GeneratorServer({ port: 0, corpus: 'orders', corpusOptions: { seed: 7 }, linesPerClient: 2000 });
  const port = await server.start();
  const a = await client(port);
  const b = await client(port);
  await waitFor(() => a.lines.length === 2000 && b.lines.length === 2000, 'both clients to get 2000 lines');
  const expected = firstLines('orders', 2000, 7);
  assert.deepEqual(a.lines, expected);
  assert.deepEqual(b.lines, expected);
  await server.stop();
  await Promise.all([a.ended, b.ended]);
  assert.equal(server.stats.linesSent, 4000);
  assert.equal(server.stats.clientsServed, 2);
});

test('a client that stops reading holds the server back instead of filling its memory', async () => {
  const server = new GeneratorServer({ port: 0 });
  const port = await server.start();
  const reader = await client(port);
  reader.socket.pause();
  // Once the socket buffers are full the count stops moving.
  let last = -1;
  let stableChecks = 0;
  await waitFor(() => {
    const now = server.stats.linesSent;
    stableChecks = now === last ? stableChecks + 1 : 0;
    last = now;
    return stableChecks >= 20;
  }, 'the producer to block on the paused client', 10_000);
  assert.ok(last > 0, 'something was sent before the buffers filled');
  assert.ok(last < 200_000, `unbounded writes: ${last} lines queued for a paused client`);
  reader.socket.resume();
  await waitFor(() => reader.lines.length > last + 1000, 'more lines after resuming');
  assert.deepEqual(reader.lines.slice(0, last + 1000), firstLines('english', last + 1000));
  reader.socket.destroy();
  await server.stop();
});

test('a rate paces lines instead of sending them all at once', async () => {
  const server = new GeneratorServer({ port: 0, linesPerSecond: 5, linesPerClient: 1000 });
  const port = await server.start();
  const reader = await client(port);
  await waitFor(() => reader.lines.length >= 1, 'the first line');
  await new Promise((resolve) => setTimeout(resolve, 200));
  // Unthrottled, all 1000 lines would be here; at 5/s even a very slow machine sees only a few.
  assert.ok(reader.lines.length < 100, `${reader.lines.length} lines arrived`);
  await server.stop();
});

test('a port in use is a clear ERR_SLUICE_PORT_IN_USE', async () => {
  const first = new GeneratorServer({ port: 0 });
  const port = await first.start();
  const second = new GeneratorServer({ port });
  await assert.rejects(second.start(), { code: 'ERR_SLUICE_PORT_IN_USE', message: new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`) });
  await first.stop();
});

test('bad options are rejected before listening', () => {
  assert.throws(() => new GeneratorServer({ port: -1 }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  assert.throws(() => new GeneratorServer({ port: 0, linesPerSecond: 0 }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  assert.throws(() => new GeneratorServer({ port: 0, linesPerClient: 1.5 }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
});

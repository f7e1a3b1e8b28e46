import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { DashboardServer } from '../../../src/node/serve/dashboard-server.js';

/** Sends `request` as raw bytes and resolves with the status line of the reply. */
async function statusLine(port: number, request: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.setEncoding('utf8');
  await once(socket, 'connect');
  socket.write(request);
  let reply = '';
  for await (const chunk of socket) {
    reply += chunk as string;
    if (reply.includes('\r\n')) break;
  }
  socket.destroy();
  return reply.split('\r\n')[0] ?? '';
}

test('a request target that is no URL path ("//") gets 400, for pages and upgrades, and the server keeps serving', async () => {
  const server = new DashboardServer({ batchIntervalMs: 100 });
  const port = await server.listen(0, '127.0.0.1');
  try {
    assert.match(await statusLine(port, 'GET // HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 400 /);
    const upgrade = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
    assert.match(await statusLine(port, `GET // HTTP/1.1\r\nHost: x\r\n${upgrade}`), /^HTTP\/1\.1 400 /);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
  } finally {
    await server.close(1001, 'test over');
  }
});

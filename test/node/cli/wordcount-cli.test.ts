import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { corpusLines } from '../../../src/corpus/index.js';
import { splitWhitespace } from '../../../src/batch/builtins.js';
import { SluiceProcess, jsonBatches, runSluice, totalsOf, type JsonBatch } from './sluice-process.js';

function expectedCounts(lines: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines) for (const word of splitWhitespace(line)) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

function sorted(map: ReadonlyMap<string, number>): [string, number][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

test('wordcount --json against `sluice gen` counts exactly the generated lines', async () => {
  const lines = 3000;
  const gen = new SluiceProcess(['gen', '--port', '0', '--corpus', 'mixed', '--lines', String(lines), '--seed', '11']);
  let wc: SluiceProcess | undefined;
  try {
    await gen.waitFor(() => gen.stdoutLines.length > 0, 'the generator port');
    const port = gen.stdoutLines[0] as string;
    wc = new SluiceProcess(['wordcount', '--socket', `127.0.0.1:${port}`, '--batch', '100ms', '--json', '--workers', '2']);
    const counter = wc;
    await counter.waitFor(() => jsonBatches(counter.stdoutLines).reduce((n, b) => n + b.records, 0) >= lines, `${lines} records`);
    counter.kill('SIGINT');
    const { code } = await counter.exited;
    assert.equal(code, 0, counter.stderr);
    const batches = jsonBatches(counter.stdoutLines);
    assert.equal(batches.reduce((n, b) => n + b.records, 0), lines);
    const it = corpusLines('mixed', { seed: 11 });
    const generated = Array.from({ length: lines }, () => it.next().value);
    assert.deepEqual(sorted(totalsOf(batches)), sorted(expectedCounts(generated)));
    for (let i = 1; i < batches.length; i++) assert.ok((batches[i]?.time ?? 0) > (batches[i - 1]?.time ?? 0), 'batches in time order');
  } finally {
    wc?.kill();
    gen.kill('SIGINT');
    await gen.exited;
  }
});

test('wordcount prints Spark-format blocks from a plain net server that splits characters across writes', async () => {
  const text = '长江 长江 这是 黄河\n老鹰 呼叫 猎狗\r\n长江\n';
  const bytes = Buffer.from(text);
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    for (let i = 0; i < bytes.length; i += 5) socket.write(bytes.subarray(i, i + 5));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const wc = new SluiceProcess(['wordcount', '--socket', `127.0.0.1:${port}`, '--batch', '100ms']);
  try {
    await wc.waitFor(() => wc.stdoutLines.some((line) => line === '(长江,3)'), 'the counts of the batch');
    const at = wc.stdoutLines.indexOf('(长江,3)');
    const block = wc.stdoutLines.slice(0, at + 6);
    const header = block.lastIndexOf('-------------------------------------------');
    assert.match(block[header - 1] ?? '', /^Time: \d+ ms$/);
    assert.equal(block[header - 2], '-------------------------------------------');
    const body = new Set(wc.stdoutLines.slice(header + 1, header + 7));
    assert.deepEqual(body, new Set(['(长江,3)', '(这是,1)', '(黄河,1)', '(老鹰,1)', '(呼叫,1)', '(猎狗,1)']));
  } finally {
    wc.kill('SIGINT');
    await wc.exited;
    for (const socket of sockets) socket.destroy();
    server.close();
  }
});

test('wordcount keeps running and reconnects when the server restarts', async () => {
  const firstSockets: Socket[] = [];
  let server = createServer((socket) => {
    firstSockets.push(socket);
    socket.on('error', () => {});
    socket.write('first server\n');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const wc = new SluiceProcess(['wordcount', '--socket', `127.0.0.1:${port}`, '--batch', '100ms', '--json', '--workers', '2']);
  try {
    await wc.waitFor(() => totalsOf(jsonBatches(wc.stdoutLines)).get('first') === 1, 'the first server line');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of firstSockets) socket.destroy();
    await closed;
    server = createServer((socket) => {
      socket.on('error', () => {});
      socket.write('second server\n');
    });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    await wc.waitFor(() => totalsOf(jsonBatches(wc.stdoutLines)).get('second') === 1, 'the second server line');
    assert.equal(totalsOf(jsonBatches(wc.stdoutLines)).get('first'), 1);
    assert.match(wc.stderr, /closed the connection; reconnecting|was reset/);
  } finally {
    wc.kill('SIGINT');
    const { code } = await wc.exited;
    assert.equal(code, 0);
    server.close();
  }
});

test('--max-rate holds ingestion to the rate; --backpressure runs and loses nothing', async () => {
  const gen = new SluiceProcess(['gen', '--port', '0']);
  try {
    await gen.waitFor(() => gen.stdoutLines.length > 0, 'the generator port');
    const port = gen.stdoutLines[0] as string;
    const { code, stdout, stderr } = await runSluice(['wordcount', '--socket', `127.0.0.1:${port}`, '--batch', '100ms', '--batches', '6', '--max-rate', '200/s', '--json']);
    assert.equal(code, 0, stderr);
    const batches = jsonBatches(stdout.split('\n'));
    const first = batches[0] as JsonBatch;
    const last = batches.at(-1) as JsonBatch;
    const records = batches.reduce((n, b) => n + b.records, 0);
    // Everything counted arrived after the context's zero time (first batch − interval) and before the last
    // batch was cut, which a busy machine may do late: one extra second covers that. Unlimited, this is ~10^5.
    const seconds = (last.time - (first.time - 100)) / 1000 + 1;
    assert.ok(records <= 200 * seconds + 20 + 1, `${records} records in ${seconds} s at 200/s`);
    assert.ok(records > 0);
  } finally {
    gen.kill('SIGINT');
    await gen.exited;
  }

  const lines = 2000;
  const finite = new SluiceProcess(['gen', '--port', '0', '--lines', String(lines)]);
  const wc = { process: undefined as SluiceProcess | undefined };
  try {
    await finite.waitFor(() => finite.stdoutLines.length > 0, 'the generator port');
    const counter = new SluiceProcess(['wordcount', '--socket', `127.0.0.1:${finite.stdoutLines[0]}`, '--batch', '100ms', '--json', '--backpressure']);
    wc.process = counter;
    await counter.waitFor(() => jsonBatches(counter.stdoutLines).reduce((n, b) => n + b.records, 0) >= lines, `${lines} records`);
    counter.kill('SIGINT');
    assert.equal((await counter.exited).code, 0);
    const it = corpusLines('english');
    assert.deepEqual(sorted(totalsOf(jsonBatches(counter.stdoutLines))), sorted(expectedCounts(Array.from({ length: lines }, () => it.next().value))));
  } finally {
    wc.process?.kill();
    finite.kill('SIGINT');
    await finite.exited;
  }
});

test('a large --json result piped to another program arrives whole before the process exits', async () => {
  const gen = new SluiceProcess(['gen', '--port', '0', '--corpus', 'distinct']);
  try {
    await gen.waitFor(() => gen.stdoutLines.length > 0, 'the generator port');
    const { code, stdout, stderr } = await runSluice(['wordcount', '--socket', `127.0.0.1:${gen.stdoutLines[0]}`, '--batch', '500ms', '--batches', '2', '--max-rate', '20k/s', '--json']);
    assert.equal(code, 0, stderr);
    const batches = jsonBatches(stdout.split('\n'));
    assert.equal(batches.length, 2);
    const largest = Math.max(...batches.map((b) => JSON.stringify(b).length));
    assert.ok(largest > 256 * 1024, `only ${largest} bytes: the test needs a result larger than a pipe buffer`);
  } finally {
    gen.kill('SIGINT');
    await gen.exited;
  }
});

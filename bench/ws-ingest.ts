/**
 * `npm run bench:ws`: WebSocket ingestion (`sluice serve`, word count, 1 s
 * batches) against the plain TCP socket source (`sluice wordcount --socket`)
 * on the same english corpus, measured in the same run.
 *
 * Each configuration runs the real CLI as a child process; this process is
 * the load generator. WebSocket clients send ~64 KiB frames of whole lines,
 * keeping `--window` frames per connection unacknowledged (so acks pace
 * them), and time every frame from send to ack. Throughput is the records
 * the server's batches processed in the measured window (its /metrics,
 * sluice_batch_records_total), as MB/s of corpus and records/s; the TCP
 * baseline is read the same way (its `--ui` /metrics). Max RSS is the
 * server's VmHWM from /proc.
 *
 * Rows: TCP baseline; WebSocket with 1, 10 and 50 clients (acks = in
 * memory); 10 clients with --checkpoint (acks after the WAL fsync); and a
 * flood: 50 clients sending without waiting for acks, with --buffer 64 MiB,
 * where the point is the max RSS, not the rate.
 *
 * Options: --seconds N (measured window per row, default 5), --json FILE.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { corpusBytes } from '../src/corpus/index.js';

const BIN = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));
const CORPUS_BYTES = 16 * 1024 * 1024;
const FRAME_BYTES = 64 * 1024;
const WARM_UP_MS = 1500;

interface Row {
  readonly config: string;
  readonly clients: number | null;
  readonly mbPerSec: number;
  readonly recordsPerSec: number;
  readonly ackP50Ms: number | null;
  readonly ackP99Ms: number | null;
  readonly maxRssMiB: number;
  vsTcp?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? null;
}

/** The corpus cut into frames of whole lines, with their record counts. */
function frames(corpus: Buffer): { frames: Buffer[]; bytesPerRecord: number } {
  const out: Buffer[] = [];
  let start = 0;
  let records = 0;
  while (start < corpus.length) {
    const cut = corpus.lastIndexOf(10, Math.min(corpus.length - 1, start + FRAME_BYTES));
    const end = cut < start ? corpus.length : cut + 1;
    out.push(corpus.subarray(start, end));
    start = end;
  }
  for (let i = 0; i < corpus.length; i++) if (corpus[i] === 10) records++;
  return { frames: out, bytesPerRecord: corpus.length / records };
}

function startSluice(args: readonly string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
      const url = /(?:serving \S+ on|dashboard on) (http:\/\/[\d.]+:\d+)/.exec(stderr)?.[1];
      if (url !== undefined) resolve({ child, url });
    });
    child.on('exit', () => reject(new Error(`sluice exited early:\n${stderr}`)));
  });
}

async function stopSluice(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

async function processedRecords(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^sluice_batch_records_total (\S+)$/m.exec(text)?.[1] ?? NaN);
}

function maxRssMiB(pid: number): number {
  const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return kb / 1024;
}

/** Records processed per second over the window after the warm-up. */
async function window(url: string, seconds: number): Promise<{ recordsPerSec: number; from: number; to: number }> {
  await sleep(WARM_UP_MS);
  const before = await processedRecords(url);
  const from = performance.now();
  await sleep(seconds * 1000);
  // The last batch of the window completes up to one interval later.
  await sleep(1100);
  const after = await processedRecords(url);
  const to = performance.now();
  return { recordsPerSec: (after - before) / ((to - from - 1100) / 1000), from, to };
}

async function tcpBaseline(corpus: Buffer, bytesPerRecord: number, seconds: number): Promise<Row> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    const pump = () => {
      while (socket.write(corpus));
      socket.once('drain', pump);
    };
    pump();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const { child, url } = await startSluice(['wordcount', '--socket', `127.0.0.1:${port}`, '--batch', '1s', '--ui', '0']);
  try {
    const { recordsPerSec } = await window(url, seconds);
    return { config: 'TCP socket source (baseline)', clients: 1, mbPerSec: (recordsPerSec * bytesPerRecord) / 1e6, recordsPerSec, ackP50Ms: null, ackP99Ms: null, maxRssMiB: maxRssMiB(child.pid as number) };
  } finally {
    await stopSluice(child);
    server.close();
  }
}

async function websocket(config: string, data: { frames: Buffer[]; bytesPerRecord: number }, clients: number, seconds: number, options: { checkpoint?: boolean; flood?: boolean; windowFrames: number }): Promise<Row> {
  const dir = options.checkpoint === true ? mkdtempSync(join(tmpdir(), 'sluice-bench-ws-')) : undefined;
  const args = ['serve', '--port', '0', '--batch', '1s', ...(dir === undefined ? [] : ['--checkpoint', dir]), ...(options.flood === true ? ['--buffer', String(64 * 1024 * 1024)] : [])];
  const { child, url } = await startSluice(args);
  const latencies: number[] = [];
  let measuring = false;
  let running = true;
  const sockets: WebSocket[] = [];
  try {
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        const socket = new WebSocket(`${url.replace('http', 'ws')}/ingest`);
        sockets.push(socket);
        socket.on('error', () => {});
        await once(socket, 'open');
        let next = (c * 37) % data.frames.length;
        const sentAt: number[] = [];
        const send = () => {
          if (!running || socket.readyState !== WebSocket.OPEN) return;
          sentAt.push(performance.now());
          socket.send(data.frames[next] as Buffer);
          next = (next + 1) % data.frames.length;
        };
        socket.on('message', (message) => {
          if (!String(message).startsWith('{"type":"ack"')) return;
          const at = sentAt.shift();
          if (measuring && at !== undefined) latencies.push(performance.now() - at);
          if (options.flood !== true) send();
        });
        if (options.flood === true) {
          // As fast as the socket takes it: ws buffers what TCP does not accept, the server pauses what it cannot hold.
          const pump = () => {
            while (running && socket.bufferedAmount < 8 * 1024 * 1024) send();
            if (running) setTimeout(pump, 5);
          };
          pump();
        } else {
          for (let i = 0; i < options.windowFrames; i++) send();
        }
      }),
    );
    const started = sleep(WARM_UP_MS).then(() => (measuring = true));
    const { recordsPerSec } = await window(url, seconds);
    await started;
    measuring = false;
    running = false;
    const row: Row = {
      config,
      clients,
      mbPerSec: (recordsPerSec * data.bytesPerRecord) / 1e6,
      recordsPerSec,
      ackP50Ms: options.flood === true ? null : percentile(latencies, 0.5),
      ackP99Ms: options.flood === true ? null : percentile(latencies, 0.99),
      maxRssMiB: maxRssMiB(child.pid as number),
    };
    return row;
  } finally {
    running = false;
    for (const socket of sockets) socket.terminate();
    await stopSluice(child);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

function format(rows: readonly Row[]): string {
  const header = '| configuration | clients | MB/s | records/s | × TCP | ack p50 ms | ack p99 ms | max RSS MiB |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  const fixed = (v: number | null | undefined, digits = 1) => (v === null || v === undefined ? '–' : v.toFixed(digits));
  const lines = rows.map((r) => `| ${r.config} | ${r.clients ?? '–'} | ${fixed(r.mbPerSec)} | ${Math.round(r.recordsPerSec).toLocaleString('en-US')} | ${fixed(r.vsTcp, 2)} | ${fixed(r.ackP50Ms)} | ${fixed(r.ackP99Ms)} | ${fixed(r.maxRssMiB, 0)} |`);
  return [header, ...lines].join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const secondsAt = argv.indexOf('--seconds');
  const seconds = secondsAt === -1 ? 5 : Number(argv[secondsAt + 1]);
  const jsonAt = argv.indexOf('--json');
  const corpus = Buffer.from(corpusBytes('english', CORPUS_BYTES));
  const data = frames(corpus);
  const rows: Row[] = [];
  const log = (row: Row) => {
    rows.push(row);
    process.stderr.write(`${row.config}, ${row.clients ?? '-'} clients: ${row.mbPerSec.toFixed(1)} MB/s\n`);
  };
  log(await tcpBaseline(corpus, data.bytesPerRecord, seconds));
  for (const clients of [1, 10, 50]) log(await websocket('WebSocket, acks in memory', data, clients, seconds, { windowFrames: 4 }));
  log(await websocket('WebSocket, --checkpoint (acks after WAL fsync)', data, 10, seconds, { checkpoint: true, windowFrames: 4 }));
  log(await websocket('WebSocket flood, no ack pacing, --buffer 64 MiB', data, 50, seconds, { flood: true, windowFrames: 0 }));
  const tcp = rows[0]?.mbPerSec ?? NaN;
  for (const row of rows) row.vsTcp = row.mbPerSec / tcp;
  console.log(format(rows));
  if (jsonAt !== -1) writeFileSync(argv[jsonAt + 1] as string, JSON.stringify(rows, null, 2));
}

await main();

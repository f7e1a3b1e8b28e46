/**
 * Runs every program under examples/ (compiled by `npm run build` into
 * dist/examples, importing 'sluice' by its package name as a user would) and
 * checks its output. Queue-fed examples stop by themselves once their queue
 * is drained; socket examples read from a local server on an ephemeral port
 * and are stopped with SIGTERM (a graceful stop) once their counts appeared.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../node/temp-dir.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs dist/examples/<name>.js; `until` (when given) is awaited on the output so far, then the process gets SIGTERM. */
async function runExample(name: string, args: string[] = [], until?: (stdout: string) => boolean): Promise<Run> {
  const child = spawn(process.execPath, [join(ROOT, 'dist/examples', `${name}.js`), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  if (until !== undefined) {
    const poll = setInterval(() => {
      if (until(stdout)) {
        clearInterval(poll);
        child.kill('SIGTERM');
      }
    }, 10);
    child.once('exit', () => clearInterval(poll));
  }
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(killer);
  return { code, stdout, stderr };
}

/** The printed elements of each non-empty batch, without Spark's header lines (their times vary). */
function printedBatches(stdout: string): string[][] {
  return stdout
    .split('-------------------------------------------\n')
    .map((block) => block.split('\n').filter((line) => line !== '' && !line.startsWith('Time: ')))
    .filter((lines) => lines.length > 0);
}

/** A server that sends `text` to every client and keeps the connection open. */
async function lineServer(text: string): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.write(text);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

test('the examples type-check against the package as a user imports it (tsc --strict, examples/tsconfig.json)', () => {
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'examples/tsconfig.json', '--noEmit'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
});

test('network-word-count counts the words a TCP server sends and stops gracefully on SIGTERM', async () => {
  const { server, port } = await lineServer('to be or not to be\nto sluice\n');
  try {
    const run = await runExample('network-word-count', ['127.0.0.1', String(port)], (out) => out.includes('(to,3)'));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(printedBatches(run.stdout).find((b) => b.includes('(to,3)'))?.sort(), ['(be,2)', '(not,1)', '(or,1)', '(sluice,1)', '(to,3)']);
  } finally {
    server.close();
  }
});

test('custom-receiver (a Receiver subclass with host and port fields) counts what the server sends', async () => {
  const { server, port } = await lineServer('a b a\n');
  try {
    const run = await runExample('custom-receiver', ['127.0.0.1', String(port)], (out) => out.includes('(a,2)'));
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(printedBatches(run.stdout).find((b) => b.includes('(a,2)')), ['(a,2)', '(b,1)']);
  } finally {
    server.close();
  }
});

test('queue-stream counts 1..1000 by value mod 10 in each of its three batches, then stops', async () => {
  const run = await runExample('queue-stream');
  assert.equal(run.code, 0, run.stderr);
  const expected = Array.from({ length: 10 }, (_, d) => `(${d},100)`);
  assert.deepEqual(printedBatches(run.stdout), [expected, expected, expected]);
});

test('transform-blacklist drops blacklisted words through a leftOuterJoin with a static dataset', async () => {
  const run = await runExample('transform-blacklist');
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(printedBatches(run.stdout), [['(sluice,1)', '(spark,1)', '(streams,1)'], ['(batches,1)', '(micro,1)']]);
});

test('orders-per-province totals prices per province and reports the malformed line', async () => {
  const run = await runExample('orders-per-province');
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(printedBatches(run.stdout)[0], ['(10,3.75)', '(11,4)', 'malformed lines skipped: 1']);
});

test('windowed-word-count keeps a running window of three batches (inverse reduce), dropping keys that fall to 0', async () => {
  const run = await runExample('windowed-word-count');
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(printedBatches(run.stdout), [['(a,1)', '(b,1)'], ['(a,2)', '(b,1)'], ['(a,2)', '(b,1)', '(c,1)'], ['(a,1)', '(c,1)'], ['(c,1)']]);
});

test('foreach-rdd opens one connection per partition and sends every record once', async () => {
  const run = await runExample('foreach-rdd');
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.stdout.trim().split('\n'), [
    'batch 200 ms after the start: 4 records',
    'connection 1 <- x',
    'connection 1 <- z',
    'connection 2 <- y',
    'connection 2 <- w',
  ]);
});

test('save-as-text-files writes one complete folder <prefix>-<ms>.txt per batch', async () => {
  const dir = await tempDir('example-save');
  try {
    const run = await runExample('save-as-text-files', [join(dir.path, 'counts')]);
    assert.equal(run.code, 0, run.stderr);
    const folders = (await readdir(dir.path)).filter((name) => !name.startsWith('.'));
    assert.ok(folders.length >= 1 && folders.every((name) => /^counts-\d+\.txt$/.test(name)), folders.join(','));
    const withData = [];
    for (const folder of folders) {
      assert.deepEqual((await readdir(join(dir.path, folder))).sort(), ['_SUCCESS', 'part-00000']);
      const text = await readFile(join(dir.path, folder, 'part-00000'), 'utf8');
      if (text !== '') withData.push(text.trimEnd().split('\n').sort());
    }
    assert.deepEqual(withData, [['(be,2)', '(not,1)', '(or,1)', '(to,2)']]);
  } finally {
    await dir.cleanup();
  }
});

test('recoverable-word-count: the second run recovers (ssc.recovered) and does not count the same input twice', async () => {
  const dir = await tempDir('example-recover');
  try {
    const first = await runExample('recoverable-word-count', [dir.path]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^New run\n/);
    assert.deepEqual(printedBatches(first.stdout.replace(/^New run\n/, '')).at(-1), ['(a,2)', '(b,2)', '(c,1)']);
    const second = await runExample('recoverable-word-count', [dir.path]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^Recovered from the checkpoint\n/);
    const batches = printedBatches(second.stdout.replace(/^Recovered from the checkpoint\n/, ''));
    assert.ok(batches.length >= 1);
    for (const batch of batches) assert.deepEqual(batch, ['(a,2)', '(b,2)', '(c,1)']);
  } finally {
    await dir.cleanup();
  }
});

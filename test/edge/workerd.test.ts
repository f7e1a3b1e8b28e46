// The core in workerd (Cloudflare's runtime, from the `workerd` npm package):
// the example Worker and the full `sluice` entry, bundled by esbuild, run
// under `workerd test`. The handlers in test/edge/workerd/*.ts assert inside
// workerd; this side checks that each one ran and passed, and that the
// example's answers equal the same scenario run on Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createKernels } from '../../src/index.js';
import { KvCheckpointStore } from '../../examples/edge/kv-checkpoint-store.js';
import { runOneBatch } from '../../examples/edge/word-count-pipeline.js';
import { bundleForEdge, repoRoot } from './bundle.js';
import { MemoryKv } from './workerd/memory-kv.js';
import { FIRST_LINES, ORDERS, SECOND_LINES } from './workerd/scenario.js';

const WORKERD = resolve(repoRoot, 'node_modules/.bin/workerd');
const EDGE_TESTS = ['exampleWorkerKeepsRunningTotalsOnWasm', 'readmeMinimalWorkerKeepsRunningCounts', 'edgeEntryNeverFallsBackSilently', 'runtimeIsWorkerd'];
const CORE_TESTS = ['fullCoreImportsAndReportsTheFallback'];

function worker(main: string): string {
  return `(
  modules = [
    (name = "${main}", esModule = embed "${main}"),
    (name = "sluice/kernel.wasm", wasm = embed "kernel.wasm"),
  ],
  compatibilityDate = "2025-09-01",
)`;
}

const CONFIG = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "edge", worker = .edge), (name = "core", worker = .core) ],
);
const edge :Workerd.Worker = ${worker('edge-tests.js')};
const core :Workerd.Worker = ${worker('core-tests.js')};
`;

const SERVE_CONFIG = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .main) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const main :Workerd.Worker = ${worker('serve-entry.js')};
`;

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, output });
    });
  });
}

/**
 * Starts `workerd serve` on a socket bound here to an ephemeral port on
 * 127.0.0.1 and handed over as fd 3 (`--socket-fd`), so runs never collide.
 */
async function serve(dir: string): Promise<{ url: string; output: () => string; stop: () => Promise<void> }> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  const child = spawn(WORKERD, ['serve', 'config.capnp', '--socket-fd', 'http=3'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe', fd] });
  server.close(); // workerd holds its own copy of the listening socket
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.on('close', () => done()));
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The example's scenario on Node, with the `sluice` entry's embedded kernels. */
async function scenarioOnNode(): Promise<unknown> {
  const kernels = createKernels({ fallback: false });
  const store = new KvCheckpointStore(new MemoryKv(), 'sluice-example-checkpoint');
  const lines = (text: string): string[] => text.split('\n').filter((line) => line.length > 0);
  const first = await runOneBatch(store, kernels, { lines: lines(FIRST_LINES) });
  const second = await runOneBatch(store, kernels, { lines: lines(SECOND_LINES) });
  await runOneBatch(store, kernels, { orders: ORDERS });
  const third = await runOneBatch(store, kernels, { lines: [] });
  return JSON.parse(JSON.stringify({ first, second, third }));
}

test('the README shows the minimal Worker exactly as the file that runs in workerd', () => {
  const readme = readFileSync(resolve(repoRoot, 'README.md'), 'utf8');
  assert.ok(readme.includes('```ts\n' + readFileSync(resolve(repoRoot, 'examples/edge/minimal-worker.ts'), 'utf8') + '```'));
});

test('in workerd: the example Worker counts words and orders on the WASM kernels, and the full core imports and reports its fallback', async () => {
  assert.equal(typeof process.versions.node, 'string', 'this side runs on Node');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-workerd-'));
  try {
    await bundleForEdge({ entries: ['dist/test/edge/workerd/edge-tests.js', 'dist/test/edge/workerd/core-tests.js'], outdir: dir });
    copyFileSync(resolve(repoRoot, 'build/sluice.wasm'), join(dir, 'kernel.wasm'));
    writeFileSync(join(dir, 'config.capnp'), CONFIG);
    const { code, output } = await run(WORKERD, ['test', 'config.capnp'], dir, 60_000);
    assert.equal(code, 0, `workerd test failed:\n${output}`);
    for (const name of EDGE_TESTS) assert.match(output, new RegExp(`\\[ PASS \\] edge:${name}\\b`), `${name} passed in workerd:\n${output}`);
    for (const name of CORE_TESTS) assert.match(output, new RegExp(`\\[ PASS \\] core:${name}\\b`), `${name} passed in workerd:\n${output}`);
    const line = output.split('\n').find((l) => l.includes('RESULT '));
    assert.ok(line !== undefined, `the example logged its answers:\n${output}`);
    const inWorkerd: unknown = JSON.parse(line.slice(line.indexOf('RESULT ') + 'RESULT '.length));
    assert.deepEqual(inWorkerd, await scenarioOnNode(), 'workerd and Node give the same answers');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('over HTTP: workerd serve answers POSTs with running totals kept across requests, as Node computes them', async () => {
  assert.equal(typeof process.versions.node, 'string', 'this side runs on Node');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-workerd-serve-'));
  try {
    await bundleForEdge({ entries: ['dist/test/edge/workerd/serve-entry.js'], outdir: dir });
    copyFileSync(resolve(repoRoot, 'build/sluice.wasm'), join(dir, 'kernel.wasm'));
    writeFileSync(join(dir, 'config.capnp'), SERVE_CONFIG);
    const workerd = await serve(dir);
    try {
      const post = async (path: string, body: string): Promise<unknown> => {
        const response = await fetch(`${workerd.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' } }).catch((error: unknown) => {
          throw new Error(`POST ${path} failed (${String(error)}); workerd said:\n${workerd.output()}`);
        });
        assert.equal(response.status, 200, `${path}: ${await response.clone().text()}\n${workerd.output()}`);
        assert.equal(response.headers.get('x-runtime'), 'Cloudflare-Workers', 'answered by workerd');
        return response.json();
      };
      const first = await post('/count', FIRST_LINES);
      const second = await post('/count', SECOND_LINES);
      assert.deepEqual(await post('/queue', ORDERS.join('\n')), { acked: true });
      const third = await post('/count', '');
      assert.deepEqual({ first, second, third }, await scenarioOnNode());
      // Concurrent requests are run one after another, each on the state the one before wrote.
      const concurrent = (await Promise.all(Array.from({ length: 6 }, () => post('/count', 'zz')))) as { words: Record<string, number> }[];
      assert.deepEqual(concurrent.map((answer) => answer.words['zz']).sort((a, b) => (a ?? 0) - (b ?? 0)), [1, 2, 3, 4, 5, 6]);
    } finally {
      await workerd.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

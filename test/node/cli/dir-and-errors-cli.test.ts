import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { Rng } from '../../../src/corpus/prng.js';
import { tempDir } from '../temp-dir.js';
import { SluiceProcess, jsonBatches, runSluice, serveText, totalsOf, unprivilegedUser } from './sluice-process.js';

async function drop(dir: string, name: string, content: string | Uint8Array): Promise<void> {
  await writeFile(join(dir, `.${name}`), content);
  await rename(join(dir, `.${name}`), join(dir, name));
}

test('wordcount --dir reads files that appear during the run, not the ones already there', async () => {
  const dir = await tempDir('cli-dir');
  await writeFile(join(dir.path, 'old.txt'), 'old old old\n');
  const wc = new SluiceProcess(['wordcount', '--dir', dir.path, '--batch', '100ms', '--json']);
  try {
    await wc.waitFor(() => wc.stderr.includes('sluice: reading directory'), 'the start');
    await drop(dir.path, 'a.txt', 'apple banana\napple\n');
    await wc.waitFor(() => totalsOf(jsonBatches(wc.stdoutLines)).get('apple') === 2, 'a.txt');
    await drop(dir.path, 'b.txt', 'banana cherry');
    await wc.waitFor(() => totalsOf(jsonBatches(wc.stdoutLines)).get('cherry') === 1, 'b.txt');
    wc.kill('SIGTERM');
    assert.equal((await wc.exited).code, 0);
    assert.deepEqual(Object.fromEntries(totalsOf(jsonBatches(wc.stdoutLines))), { apple: 2, banana: 2, cherry: 1 });
    // Each line carries the batch's BatchInfo: Spark's delays (ms) and the malformed-line count.
    for (const line of wc.stdoutLines.filter((l) => l.startsWith('{'))) {
      const batch = JSON.parse(line) as Record<string, unknown>;
      assert.deepEqual(Object.keys(batch), ['time', 'records', 'schedulingDelay', 'processingDelay', 'totalDelay', 'malformed', 'result']);
      for (const key of ['schedulingDelay', 'processingDelay', 'totalDelay']) assert.ok(typeof batch[key] === 'number' && (batch[key] as number) >= 0, `${key}: ${line}`);
      assert.equal(batch.totalDelay, (batch.schedulingDelay as number) + (batch.processingDelay as number));
      assert.equal(batch.malformed, 0);
    }
  } finally {
    wc.kill();
    await dir.cleanup();
  }
});

test('wordcount --save writes one complete folder per batch, as Spark does', async () => {
  const dir = await tempDir('cli-save');
  const input = join(dir.path, 'in');
  await mkdir(input);
  const wc = new SluiceProcess(['wordcount', '--dir', input, '--batch', '100ms', '--json', '--save', join(dir.path, 'out', 'wc')]);
  try {
    await wc.waitFor(() => wc.stderr.includes('sluice: reading directory'), 'the start');
    await drop(input, 'a.txt', '长江 长江 黄河\n');
    await wc.waitFor(() => totalsOf(jsonBatches(wc.stdoutLines)).get('长江') === 2, 'the counts');
    const batch = jsonBatches(wc.stdoutLines).find((b) => b.records > 0);
    wc.kill('SIGINT');
    assert.equal((await wc.exited).code, 0);
    const folders = await readdir(join(dir.path, 'out'));
    assert.ok(folders.length >= 1 && folders.every((name) => /^wc-\d+$/.test(name)), folders.join(','));
    const folder = join(dir.path, 'out', `wc-${batch?.time}`);
    assert.ok((await readdir(folder)).includes('_SUCCESS'));
    const text = await readFile(join(folder, 'part-00000'), 'utf8');
    assert.deepEqual(text.trimEnd().split('\n').sort(), ['(长江,2)', '(黄河,1)']);
  } finally {
    wc.kill();
    await dir.cleanup();
  }
});

test('by default a line that is not valid UTF-8 is counted with U+FFFD for its bad bytes (as Spark reads it), and noted on stderr', async () => {
  const dir = await tempDir('cli-keep');
  const wc = new SluiceProcess(['wordcount', '--dir', dir.path, '--batch', '100ms', '--json']);
  try {
    await wc.waitFor(() => wc.stderr.includes('sluice: reading directory'), 'the start');
    await drop(dir.path, 'latin1.txt', Buffer.concat([Buffer.from('caf'), Buffer.from([0xe9]), Buffer.from(' ok\nend\n')]));
    await wc.waitFor(() => totalsOf(jsonBatches(wc.stdoutLines)).get('end') === 1, 'the file', 20_000);
    const totals = totalsOf(jsonBatches(wc.stdoutLines));
    assert.equal(totals.get('caf\ufffd'), 1);
    assert.equal(totals.get('ok'), 1);
    assert.match(wc.stderr, /Kept 1 line that is not valid UTF-8 from file .*latin1\.txt/);
  } finally {
    wc.kill();
    await dir.cleanup();
  }
});

test('bad files are reported and skipped while good data is counted and the process keeps running', async () => {
  const dir = await tempDir('cli-bad');
  const wc = new SluiceProcess(['wordcount', '--dir', dir.path, '--batch', '100ms', '--json', '--invalid-utf8', 'drop']);
  try {
    await wc.waitFor(() => wc.stderr.includes('sluice: reading directory'), 'the start');
    const rng = new Rng(9);
    const garbage = new Uint8Array(100_000);
    for (let i = 0; i < garbage.length; i++) garbage[i] = rng.nextInt(256);
    await drop(dir.path, '1-empty.txt', '');
    await drop(dir.path, '2-garbage.bin', garbage);
    await drop(dir.path, '3-huge.txt', 'y'.repeat(10 * 1024 * 1024));
    await drop(dir.path, '4-invalid-utf8.txt', Buffer.concat([Buffer.from('good good\n'), Buffer.from([0xf0, 0x28, 0x8c, 0x28, 0x0a])]));
    await drop(dir.path, '5-good.txt', 'good end\n');
    await wc.waitFor(() => totalsOf(jsonBatches(wc.stdoutLines)).get('end') === 1, 'the last good file', 20_000);
    assert.match(wc.stderr, /Skipped file .*1-empty\.txt: it is empty\./);
    assert.match(wc.stderr, /not valid UTF-8 from file .*2-garbage\.bin/);
    assert.match(wc.stderr, /Dropped 1 line longer than 1048576 bytes from file .*3-huge\.txt/);
    assert.match(wc.stderr, /Dropped 1 line that is not valid UTF-8 from file .*4-invalid-utf8\.txt/);
    assert.equal(wc.child.exitCode, null, 'still running');
    const totals = totalsOf(jsonBatches(wc.stdoutLines));
    assert.equal(totals.get('good'), 3);
    assert.ok(![...totals.keys()].some((key) => key.includes('\ufffd')), 'no invalid UTF-8 counted');
    wc.kill('SIGINT');
    assert.equal((await wc.exited).code, 0);
  } finally {
    wc.kill();
    await dir.cleanup();
  }
});

test('orders prints running province totals and counts malformed lines per batch', async () => {
  const server = await serveText('201710260000000001,1,10.50\n201710260000000002,2,5\nbroken line\n201710260000000003,1,0.25\n2017,1,abc\n2017,1,2,3\n');
  const orders = new SluiceProcess(['orders', '--socket', `127.0.0.1:${server.port}`, '--batch', '100ms', '--json']);
  try {
    await orders.waitFor(() => jsonBatches(orders.stdoutLines).some((b) => b.records > 0), 'the batch with the orders');
    const batch = jsonBatches(orders.stdoutLines).find((b) => b.records > 0);
    assert.equal(batch?.records, 6);
    assert.equal(batch?.malformed, 3);
    assert.deepEqual(batch?.result, [['1', 10.75], ['2', 5]]);
    await orders.waitFor(() => jsonBatches(orders.stdoutLines).length >= 3, 'later batches');
    const last = jsonBatches(orders.stdoutLines).at(-1);
    assert.deepEqual(last?.result, [['1', 10.75], ['2', 5]], 'totals are running, not per batch');
    assert.equal(last?.malformed, 0);
  } finally {
    orders.kill('SIGINT');
    await orders.exited;
    server.close();
  }
});

test('orders without --json prints exactly Spark\'s print blocks, totals as Scala Doubles, and notes malformed lines on stderr', async () => {
  const server = await serveText('1,7,3.5\nnot an order\n2,12,65\n');
  const orders = new SluiceProcess(['orders', '--socket', `127.0.0.1:${server.port}`, '--batch', '100ms']);
  try {
    await orders.waitFor(() => orders.stdoutLines.includes('(12,65.0)'), 'the totals');
    // Running totals, provinces in numeric order: the block holding 12 holds 7 too.
    const at = orders.stdoutLines.indexOf('(12,65.0)');
    assert.match(orders.stdoutLines[at - 3] ?? '', /^Time: \d+ ms$/);
    assert.deepEqual(orders.stdoutLines.slice(at - 4, at + 2), ['-------------------------------------------', orders.stdoutLines[at - 3], '-------------------------------------------', '(7,3.5)', '(12,65.0)', '']);
    await orders.waitFor(() => /skipped 1 malformed line \(not orderId,provinceId,orderPrice\)/.test(orders.stderr), 'the malformed note on stderr');
    assert.ok(!orders.stdoutLines.some((line) => /malformed/i.test(line)), 'nothing but print blocks on stdout');
  } finally {
    orders.kill('SIGINT');
    await orders.exited;
    server.close();
  }
});

test('demo runs the generator and word count in one process and stops after --batches', async () => {
  const { code, stdout } = await runSluice(['demo', '--batches', '2', '--batch', '200ms', '--rate', '2000/s', '--json']);
  assert.equal(code, 0);
  const batches = jsonBatches(stdout.split('\n'));
  assert.equal(batches.length, 2);
  assert.ok(batches.some((b) => b.records > 0));
  const first = batches.find((b) => b.result.length > 1);
  if (first !== undefined) assert.ok((first.result[0]?.[1] ?? 0) >= (first.result[1]?.[1] ?? 0), 'most frequent first');
});

test('exit codes: 2 for bad usage, 3 for an unreachable host and a port in use', async () => {
  const bad = await runSluice(['wordcount', '--socket', '127.0.0.1:99999']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--socket "127\.0\.0\.1:99999": the port must be a whole number from 1 to 65535/);
  const noPort = await runSluice(['wordcount', '--socket', '127.0.0.1:']);
  assert.equal(noPort.code, 2);
  assert.match(noPort.stderr, /--socket "127\.0\.0\.1:": the port must be/);
  const both = await runSluice(['wordcount', '--socket', '127.0.0.1:9', '--dir', '.']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /give exactly one source/);
  const unknown = await runSluice(['wordcount', '--sockett', '1']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option --sockett/);
  const noCommand = await runSluice(['frobnicate']);
  assert.equal(noCommand.code, 2);
  assert.match(noCommand.stderr, /unknown command "frobnicate"/);
  const duration = await runSluice(['wordcount', '--socket', '9', '--batch', 'soon']);
  assert.equal(duration.code, 2);
  assert.match(duration.stderr, /--batch "soon" is not a duration/);

  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as { port: number }).port;
  const inUse = await runSluice(['gen', '--port', String(port)]);
  assert.equal(inUse.code, 3);
  assert.match(inUse.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const unreachable = await runSluice(['wordcount', '--socket', `127.0.0.1:${port}`, '--connect-timeout', '300ms']);
  assert.equal(unreachable.code, 3);
  assert.match(unreachable.stderr, /could not connect to 127\.0\.0\.1:\d+ within 300 ms/);
  assert.equal(unreachable.stderr.match(/Nothing is listening/g)?.length, 1, 'the refused attempts are reported once');
  assert.match(unreachable.stderr, /Is the server running\?/);
  // RFC 6761: .invalid never resolves.
  const unknownHost = await runSluice(['wordcount', '--socket', 'no-such-host.invalid:9999', '--connect-timeout', '1500ms']);
  assert.equal(unknownHost.code, 3);
  assert.match(unknownHost.stderr, /could not connect to no-such-host\.invalid:9999 within 1500 ms\. The host name "no-such-host\.invalid" could not be resolved/);
});

test('every command has --help', async () => {
  for (const command of ['wordcount', 'orders', 'gen', 'demo']) {
    const { code, stdout } = await runSluice([command, '--help']);
    assert.equal(code, 0, command);
    assert.match(stdout, new RegExp(`^Usage: sluice ${command} \\[options\\]`), command);
  }
  const top = await runSluice(['--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /Exit codes: 0 success, 1 failure/);
});

test('a reader that closes the pipe (`sluice ... | head`) ends the command quietly with exit 0', async () => {
  const demo = new SluiceProcess(['demo', '--batch', '100ms', '--rate', '2000/s']);
  try {
    await demo.waitFor(() => demo.stdoutLines.some((line) => line.startsWith('Time:')), 'a first batch');
    demo.child.stdout?.destroy();
    const { code } = await demo.exited;
    assert.equal(code, 0, demo.stderr);
    assert.doesNotMatch(demo.stderr, /EPIPE|Unhandled/);
  } finally {
    demo.kill();
  }
});

// Permissions do not bind root: as root, sluice runs as nobody (when nobody can read its files).
const asRoot = process.getuid?.() === 0;
const runAs = asRoot ? unprivilegedUser() : undefined;
test('a --dir that cannot be read is a usage error, not a warning every second', { skip: process.platform === 'win32' || (asRoot && runAs === undefined) }, async () => {
  const dir = await tempDir('cli-unreadable');
  try {
    await chmod(dir.path, 0o000);
    const result = await runSluice(['wordcount', '--dir', dir.path, '--batches', '1'], 20_000, runAs);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--dir .* cannot be read \(EACCES\); give a directory this user can list and read\./);
  } finally {
    await chmod(dir.path, 0o700);
    await dir.cleanup();
  }
});

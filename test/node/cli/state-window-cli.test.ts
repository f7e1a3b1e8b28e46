import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../temp-dir.js';
import { SluiceProcess, jsonBatches, runSluice } from './sluice-process.js';

async function drop(dir: string, name: string, content: string): Promise<void> {
  await writeFile(join(dir, `.${name}`), content);
  await rename(join(dir, `.${name}`), join(dir, name));
}

const asObject = (result: [string, number][] | undefined) => Object.fromEntries(result ?? []);

test('--state --json prints the words of each batch with their running counts; --all-keys prints the whole state every batch', async () => {
  const dir = await tempDir('cli-state');
  const changed = new SluiceProcess(['wordcount', '--dir', dir.path, '--batch', '100ms', '--state', '--json']);
  try {
    await changed.waitFor(() => changed.stderr.includes('sluice: reading'), 'the start');
    await drop(dir.path, 'a.txt', 'x y x\n');
    await changed.waitFor(() => jsonBatches(changed.stdoutLines).some((b) => asObject(b.result).x === 2), 'the first file');
    await drop(dir.path, 'b.txt', 'x z\n');
    await changed.waitFor(() => jsonBatches(changed.stdoutLines).some((b) => asObject(b.result).x === 3), 'the second file');
    const batches = jsonBatches(changed.stdoutLines);
    // Only the words of the batch, with their totals since the start: y is not repeated, x is.
    assert.deepEqual(batches.filter((b) => b.records > 0).map((b) => asObject(b.result)), [{ x: 2, y: 1 }, { x: 3, z: 1 }]);
    assert.ok(batches.filter((b) => b.records === 0).every((b) => b.result.length === 0), 'a batch without lines changes nothing');
  } finally {
    changed.kill('SIGINT');
    await changed.exited;
  }
  const all = new SluiceProcess(['wordcount', '--dir', dir.path, '--batch', '100ms', '--state', '--json', '--all-keys']);
  try {
    await all.waitFor(() => all.stderr.includes('sluice: reading'), 'the start');
    await drop(dir.path, 'c.txt', 'x y x\n');
    await all.waitFor(() => asObject(jsonBatches(all.stdoutLines).at(-1)?.result).x === 2, 'the first file');
    await drop(dir.path, 'd.txt', 'x z\n');
    await all.waitFor(() => asObject(jsonBatches(all.stdoutLines).at(-1)?.result).x === 3, 'the second file');
    assert.deepEqual(asObject(jsonBatches(all.stdoutLines).at(-1)?.result), { x: 3, y: 1, z: 1 });
    // Every batch shows the whole state, even batches without new lines.
    await all.waitFor(() => jsonBatches(all.stdoutLines).some((b) => b.records === 0 && asObject(b.result).x === 3), 'an empty batch showing the state');
  } finally {
    all.kill('SIGINT');
    await all.exited;
    await dir.cleanup();
  }
  const misuse = await runSluice(['wordcount', '--dir', dir.path, '--all-keys']);
  assert.equal(misuse.code, 2);
  assert.match(misuse.stderr, /--all-keys only applies with --state --json/);
});

for (const incremental of [false, true]) {
  test(`--window/--slide count over the window and then forget (${incremental ? 'incremental, with --checkpoint' : 'recomputed'})`, async () => {
    const dir = await tempDir('cli-window');
    const input = join(dir.path, 'in');
    await mkdir(input);
    const args = ['wordcount', '--dir', input, '--batch', '100ms', '--window', '600ms', '--slide', '200ms', '--json'];
    if (incremental) args.push('--checkpoint', join(dir.path, 'ckpt'));
    const wc = new SluiceProcess(args);
    try {
      await wc.waitFor(() => wc.stderr.includes('sluice: reading'), 'the start');
      await drop(input, 'a.txt', 'w w v\n');
      await wc.waitFor(() => asObject(jsonBatches(wc.stdoutLines).at(-1)?.result).w === 2, 'the window holding the file');
      await wc.waitFor(() => {
        const batches = jsonBatches(wc.stdoutLines);
        const seen = batches.findIndex((b) => asObject(b.result).w === 2);
        return batches.length > seen + 3 && batches.at(-1)?.result.length === 0;
      }, 'the window to move past the file');
      const batches = jsonBatches(wc.stdoutLines);
      for (let i = 1; i < batches.length; i++) assert.equal((batches[i]?.time ?? 0) - (batches[i - 1]?.time ?? 0), 200, 'one output per slide');
      for (const batch of batches) assert.ok(batch.result.length === 0 || (asObject(batch.result).w === 2 && asObject(batch.result).v === 1), JSON.stringify(batch));
    } finally {
      wc.kill('SIGINT');
      await wc.exited;
      await dir.cleanup();
    }
  });
}

test('conflicting or misaligned window options are usage errors', async () => {
  const both = await runSluice(['wordcount', '--socket', '9', '--state', '--window', '2s']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /choose --state .* or --window/);
  const misaligned = await runSluice(['wordcount', '--socket', '9', '--batch', '1s', '--window', '1500ms']);
  assert.equal(misaligned.code, 2);
  assert.match(misaligned.stderr, /--window \(1500 ms\) must be a multiple of --batch \(1000 ms\)/);
});

test('a corrupt or incompatible checkpoint directory stops with a clear message (exit 1)', async () => {
  const dir = await tempDir('cli-ckpt');
  const input = join(dir.path, 'in');
  const checkpoint = join(dir.path, 'ckpt');
  await mkdir(input);
  await mkdir(checkpoint);
  await writeFile(join(checkpoint, 'checkpoint'), 'not a checkpoint');
  const corrupt = await runSluice(['wordcount', '--dir', input, '--state', '--checkpoint', checkpoint, '--batch', '100ms']);
  assert.equal(corrupt.code, 1);
  assert.match(corrupt.stderr, /Checkpoint .*checkpoint is corrupt \(16 bytes, shorter than the 20-byte header\)\. To start over/);

  // A checkpoint written by a --state run cannot seed a --window run: the operators differ.
  const other = join(dir.path, 'ckpt2');
  const state = new SluiceProcess(['wordcount', '--dir', input, '--state', '--checkpoint', other, '--batch', '100ms']);
  await state.waitFor(() => state.stdoutLines.some((line) => line.startsWith('Time:')), 'a first batch');
  state.kill('SIGINT');
  await state.exited;
  const windowed = await runSluice(['wordcount', '--dir', input, '--window', '200ms', '--checkpoint', other, '--batch', '100ms']);
  assert.equal(windowed.code, 1);
  assert.match(windowed.stderr, /Cannot recover from the checkpoint/);
  // An operator can only change options or directories: no advice about code (.name(...), checkpoint stores, causes).
  assert.doesNotMatch(windowed.stderr, /\.name\(|checkpoint store|cause/);
  assert.match(windowed.stderr, /give a different --checkpoint directory/);
  await dir.cleanup();
});

test('orders refuses the checkpoint of wordcount --state instead of recovering word counts as province totals', async () => {
  const dir = await tempDir('cli-ckpt-cmd');
  const input = join(dir.path, 'in');
  const checkpoint = join(dir.path, 'ckpt');
  await mkdir(input);
  const words = new SluiceProcess(['wordcount', '--dir', input, '--state', '--checkpoint', checkpoint, '--batch', '100ms']);
  try {
    await words.waitFor(() => words.stdoutLines.some((line) => line.startsWith('Time:')), 'a first batch');
    words.kill('SIGINT');
    assert.equal((await words.exited).code, 0);
    const orders = await runSluice(['orders', '--dir', input, '--checkpoint', checkpoint, '--batch', '100ms', '--batches', '1']);
    assert.equal(orders.code, 1, orders.stdout);
    assert.match(orders.stderr, /holds no state for updateStateByKey 'orders-running-totals' \(it holds state for: 'wordcount-running-counts'\)/);
    assert.match(orders.stderr, /give a different --checkpoint directory/);
  } finally {
    words.kill();
    await dir.cleanup();
  }
});

test('a --checkpoint directory that cannot be created stops the command before it reads anything (exit 1)', { skip: process.platform !== 'linux' }, async () => {
  const dir = await tempDir('cli-ckpt-bad');
  try {
    // Under /proc, mkdir fails although the parent exists: the case Node's recursive mkdir spins on.
    const result = await runSluice(['wordcount', '--dir', dir.path, '--state', '--checkpoint', '/proc/sluice-no-such-dir', '--batch', '100ms'], 10_000);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Cannot write checkpoints to \/proc\/sluice-no-such-dir: .*Choose a directory you can create and write to\./);
    assert.doesNotMatch(result.stderr, /sluice: reading directory/, 'stopped before reading');
  } finally {
    await dir.cleanup();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { corpusLines } from '../../../src/corpus/index.js';
import { Rng } from '../../../src/corpus/prng.js';
import { splitWhitespace } from '../../../src/batch/builtins.js';
import { tempDir } from '../temp-dir.js';
import { SluiceProcess, jsonBatches, runSluice } from './sluice-process.js';

const FILES = 20;
const LINES_PER_FILE = 50;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function inputFiles(): string[] {
  const lines = corpusLines('english', { seed: 77 });
  return Array.from({ length: FILES }, () => Array.from({ length: LINES_PER_FILE }, () => lines.next().value).join('\n') + '\n');
}

function wordCounts(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) for (const line of text.split('\n')) for (const word of splitWhitespace(line)) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

/** The sum of the newest running counts printed (0 before the first batch). */
function latestTotal(process: SluiceProcess): number {
  const last = jsonBatches(process.stdoutLines).at(-1);
  return last === undefined ? 0 : last.result.reduce((n, [, count]) => n + count, 0);
}

/** The running counts of the newest batch printed, or undefined before the first. */
function latestState(process: SluiceProcess): Map<string, number> | undefined {
  const last = jsonBatches(process.stdoutLines).at(-1);
  return last === undefined ? undefined : new Map(last.result);
}

test('wordcount --dir --state --checkpoint killed with SIGKILL 5 times ends with the counts of an uninterrupted run', async () => {
  const dir = await tempDir('recovery');
  const input = join(dir.path, 'in');
  const checkpoint = join(dir.path, 'ckpt');
  await mkdir(input);
  const files = inputFiles();
  const expected = wordCounts(files);
  // The rate limit makes files trickle in over several batches, so kills land in the middle of files too.
  const args = ['wordcount', '--dir', input, '--state', '--checkpoint', checkpoint, '--batch', '100ms', '--json', '--all-keys', '--max-rate', '300/s', '--checkpoint-interval', '100ms'];
  const rng = new Rng(2024);
  // Word totals at file boundaries (files are dropped in order): a running total strictly between two is mid-file.
  const boundaries = files.map((_, i) => [...wordCounts(files.slice(0, i + 1)).values()].reduce((a, b) => a + b, 0));
  const insideAFile = (total: number) => total > 0 && !boundaries.includes(total) && total < (boundaries.at(-1) as number);
  const runs: SluiceProcess[] = [];
  const drop = async (i: number) => {
    const name = `part-${String(i).padStart(3, '0')}.txt`;
    await writeFile(join(input, `.${name}`), files[i] as string);
    await rename(join(input, `.${name}`), join(input, name));
  };
  try {
    let current = new SluiceProcess(args);
    runs.push(current);
    // Files present before the very first checkpoint would count as "already there" on a fresh restart.
    await current.waitFor(() => existsSync(join(checkpoint, 'checkpoint')), 'the first checkpoint');
    let next = 0;
    for (let kill = 0; kill < 5; kill++) {
      for (let k = 0; k < 3 && next < FILES; k++) {
        await drop(next++);
        await sleep(rng.nextRange(0, 60));
      }
      if (kill % 2 === 0) {
        // Right after a batch that ended inside a file: its checkpoint holds a mid-file offset.
        const running = current;
        await running.waitFor(() => insideAFile(latestTotal(running)), 'a batch ending inside a file');
      } else {
        await sleep(rng.nextRange(0, 400));
      }
      current.kill('SIGKILL');
      await current.exited;
      // Sometimes a file arrives while nothing is running.
      if (rng.chance(0.5) && next < FILES) await drop(next++);
      current = new SluiceProcess(args);
      runs.push(current);
      const starting = current;
      await starting.waitFor(() => starting.stderr.includes('sluice: reading'), 'the restart');
    }
    while (next < FILES) await drop(next++);
    const last = current;
    await last.waitFor(() => {
      const state = latestState(last);
      return state !== undefined && state.size === expected.size && [...expected].every(([word, n]) => state.get(word) === n);
    }, 'the final counts', 30_000);
    last.kill('SIGINT');
    assert.equal((await last.exited).code, 0, last.stderr);
    // No run ever showed a count above the true total: nothing was counted twice, even transiently.
    for (const run of runs) {
      for (const batch of jsonBatches(run.stdoutLines)) {
        for (const [word, n] of batch.result) assert.ok(n <= (expected.get(word) ?? 0), `${word}: ${n} > ${expected.get(word)}`);
      }
    }
    assert.equal(runs.length, 6);
  } finally {
    for (const run of runs) run.kill();
    await dir.cleanup();
  }
});

test('a restart without --state on a --state checkpoint is refused, leaves checkpoint and backup untouched, and runs with --discard-state', async () => {
  const dir = await tempDir('discard');
  const input = join(dir.path, 'in');
  const checkpoint = join(dir.path, 'ckpt');
  await mkdir(input);
  try {
    const first = new SluiceProcess(['wordcount', '--dir', input, '--state', '--checkpoint', checkpoint, '--batch', '100ms', '--json', '--checkpoint-interval', '100ms']);
    await first.waitFor(() => first.stderr.includes('sluice: reading'), 'the start');
    await writeFile(join(input, '.a.txt'), 'kept kept\n');
    await rename(join(input, '.a.txt'), join(input, 'a.txt'));
    await first.waitFor(() => latestState(first)?.get('kept') === 2, 'the counts');
    await first.waitFor(() => existsSync(join(checkpoint, 'checkpoint.bak')), 'a backup checkpoint');
    first.kill('SIGINT');
    assert.equal((await first.exited).code, 0, first.stderr);
    const saved = { checkpoint: await readFile(join(checkpoint, 'checkpoint')), backup: await readFile(join(checkpoint, 'checkpoint.bak')) };

    const refused = await runSluice(['wordcount', '--dir', input, '--checkpoint', checkpoint, '--batch', '100ms', '--json']);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /holds state that this command, as given, does not keep: 'wordcount-running-counts'\. Nothing was started and the checkpoint is unchanged\..*--discard-state wordcount-running-counts/);
    assert.equal(refused.stdout, '');
    assert.deepEqual(await readFile(join(checkpoint, 'checkpoint')), saved.checkpoint);
    assert.deepEqual(await readFile(join(checkpoint, 'checkpoint.bak')), saved.backup);

    const usage = await runSluice(['wordcount', '--dir', input, '--discard-state', 'x', '--json']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--discard-state only applies with --checkpoint/);
    const interval = await runSluice(['wordcount', '--dir', input, '--checkpoint', checkpoint, '--batch', '100ms', '--checkpoint-interval', '150ms']);
    assert.equal(interval.code, 2);
    assert.match(interval.stderr, /--checkpoint-interval \(150 ms\) must be a multiple of --batch \(100 ms\)/);

    const allowed = new SluiceProcess(['wordcount', '--dir', input, '--checkpoint', checkpoint, '--batch', '100ms', '--json', '--discard-state', 'wordcount-running-counts']);
    await allowed.waitFor(() => allowed.stderr.includes('sluice: reading'), 'the start without the state');
    await writeFile(join(input, '.b.txt'), 'fresh\n');
    await rename(join(input, '.b.txt'), join(input, 'b.txt'));
    await allowed.waitFor(() => jsonBatches(allowed.stdoutLines).some((b) => b.result.some(([w]) => w === 'fresh')), 'per-batch counts');
    allowed.kill('SIGINT');
    assert.equal((await allowed.exited).code, 0, allowed.stderr);
  } finally {
    await dir.cleanup();
  }
});

test('files dropped right after the start are counted exactly once across SIGKILLs before any batch or checkpoint ran', async () => {
  const dir = await tempDir('first-checkpoint');
  const input = join(dir.path, 'in');
  const checkpoint = join(dir.path, 'ckpt');
  await mkdir(input);
  await writeFile(join(input, 'already-there.txt'), 'old old old\n');
  const files = inputFiles().slice(0, 6);
  const expected = wordCounts(files);
  // 2 s batches (and the default 10 s checkpoint interval): the kills land before the first batch checkpoint.
  const args = ['wordcount', '--dir', input, '--state', '--checkpoint', checkpoint, '--batch', '2s', '--json', '--all-keys'];
  const rng = new Rng(99);
  const runs: SluiceProcess[] = [];
  try {
    for (let i = 0; i < files.length; i++) {
      const run = new SluiceProcess(args);
      runs.push(run);
      await run.waitFor(() => run.stderr.includes('sluice: reading'), 'the start');
      const name = `f${i}.txt`;
      await writeFile(join(input, `.${name}`), files[i] as string);
      await rename(join(input, `.${name}`), join(input, name));
      if (i < files.length - 1) {
        await sleep(rng.nextRange(0, 150));
        run.kill('SIGKILL');
        await run.exited;
      }
    }
    const last = runs.at(-1) as SluiceProcess;
    await last.waitFor(() => {
      const state = latestState(last);
      return state !== undefined && state.size === expected.size && [...expected].every(([word, n]) => state.get(word) === n);
    }, 'every file counted once', 30_000);
    assert.equal(latestState(last)?.has('old'), false, 'the file present before the first start is not read');
    last.kill('SIGINT');
    assert.equal((await last.exited).code, 0, last.stderr);
  } finally {
    for (const run of runs) run.kill();
    await dir.cleanup();
  }
});

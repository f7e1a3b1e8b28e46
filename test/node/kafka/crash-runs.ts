/** The crash tests' driver: a worker process SIGKILLed at random points of its work and restarted (see crash-worker.ts). */
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { corpusLines } from '../../../src/corpus/index.js';
import { committedOffsets, createTopic, endOffsets, kafkaBrokers, produceLines } from './broker.js';

const WORKER = fileURLToPath(new URL('./crash-worker.js', import.meta.url));
export const KILLS = 10;

function englishLines(n: number): string[] {
  const lines: string[] = [];
  for (const line of corpusLines('english', { seed: 11 })) {
    if (lines.length === n) break;
    lines.push(line);
  }
  return lines;
}

/** A seeded PRNG for kill times, so a failing run can be repeated (the seed is in the test name's output). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function startWorker(args: string[], stderr: string[]): ChildProcess {
  const child = spawn(process.execPath, [WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  // Read (and drop) the progress lines, so a full pipe never blocks the worker.
  child.stdout?.resume();
  return child;
}

/** Resolves once the worker completed its first batch (so every run commits something before it is killed). */
function firstBatch(child: ChildProcess, stderr: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the worker completed no batch within 60 s: ${stderr.join('')}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('batch')) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the worker died by itself: ${stderr.join('')}`));
    });
  });
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Sums the (word, count) output records per word. */
export function totals(records: readonly { key: string | null; value: string | null }[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const { key, value } of records) sums.set(key as string, (sums.get(key as string) ?? 0) + Number(value));
  return sums;
}

export async function runWithKills(mode: 'at-least-once' | 'exactly-once', seed: number): Promise<{ lines: string[]; output: string; kills: number }> {
  const input = await createTopic(`crash-in-${mode}`);
  const output = await createTopic(`crash-out-${mode}`, 2);
  const groupId = `g-${input}`;
  const lines = englishLines(20_000);
  await produceLines(input, lines);
  const ends = await endOffsets(input);
  const random = mulberry32(seed);
  const stderr: string[] = [];
  let kills = 0;
  const args = [kafkaBrokers(), input, output, groupId, mode];
  for (; kills < KILLS; kills++) {
    const child = startWorker(args, stderr);
    await firstBatch(child, stderr);
    // 0 to 3 batches of 200 ms after the first one: inside a batch's read, count, send or commit.
    await new Promise((r) => setTimeout(r, random() * 600));
    assert.equal(child.exitCode, null, `the worker died by itself: ${stderr.join('')}`);
    await kill(child);
  }
  const committedBeforeLastRun = await committedOffsets(groupId, input);
  assert.ok([...committedBeforeLastRun].some(([p, o]) => o > 0 && o < (ends.get(p) ?? 0)), `the kills interrupted the work midway (committed ${[...committedBeforeLastRun.values()]})`);
  const last = startWorker(args, stderr);
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const committed = await committedOffsets(groupId, input);
      if ([...ends].every(([p, end]) => committed.get(p) === end)) break;
      assert.ok(Date.now() < deadline, `the last run did not finish: committed ${JSON.stringify([...committed])}, ends ${JSON.stringify([...ends])}; ${stderr.join('')}`);
      assert.equal(last.exitCode, null, `the worker died by itself: ${stderr.join('')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await kill(last);
  }
  return { lines, output, kills };
}


/** The seed of the kill times: SLUICE_CRASH_SEED repeats a run. */
export function crashSeed(): number {
  const seed = Number(process.env.SLUICE_CRASH_SEED ?? Date.now() % 100_000);
  console.log(`# crash test seed ${seed} (SLUICE_CRASH_SEED=${seed} repeats the kill times)`);
  return seed;
}

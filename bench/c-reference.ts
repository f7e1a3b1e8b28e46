/**
 * The C baseline of `npm run bench`: small C programs under bench/c (a word
 * count and the orders sum, written for this project) built with `cc -O2`
 * into node_modules/.cache (never into git), run on the same corpus bytes,
 * checked against sluice's result, and timed in rounds interleaved with the
 * sluice kernel so that both sides of each ratio see the same machine load.
 * Without a C compiler the comparison is skipped with a note.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median } from './measure.js';
import { firstDifference, type KeyedResult } from './verify.js';

export type CProgram = 'wordcount' | 'orders';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SOURCES = join(ROOT, 'bench', 'c');
const CACHE = join(ROOT, 'node_modules', '.cache', 'sluice-bench-c');

export interface CResult {
  /** Each pass's time in ms, measured inside the C program (no start-up, no file reading). */
  readonly passMs: readonly number[];
  readonly result: Map<string, number>;
  /** orders only. */
  readonly malformed: number;
}

/** The built binaries, or a note saying why there are none. */
export function buildCReference(): { readonly binaries: Record<CProgram, string> } | { readonly skipped: string } {
  const compiler = ['cc', 'gcc', 'clang'].find((cc) => spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0);
  if (compiler === undefined) return { skipped: 'no C compiler (cc, gcc or clang) on PATH: the C reference comparison is skipped' };
  mkdirSync(CACHE, { recursive: true });
  const binaries = {} as Record<CProgram, string>;
  for (const program of ['wordcount', 'orders'] as const) {
    const source = join(SOURCES, `${program}.c`);
    const binary = join(CACHE, program);
    const newest = Math.max(statSync(source).mtimeMs, statSync(join(SOURCES, 'common.h')).mtimeMs);
    if (!existsSync(binary) || statSync(binary).mtimeMs < newest) {
      const built = spawnSync(compiler, ['-O2', '-pthread', '-o', binary, source, '-lm'], { encoding: 'utf8' });
      if (built.status !== 0) return { skipped: `${compiler} -O2 ${program}.c failed, C reference skipped:\n${built.stderr}` };
    }
    binaries[program] = binary;
  }
  return { binaries };
}

/** Writes the corpus where the C programs can read it; returns the path. */
export function corpusFile(name: string, bytes: Uint8Array): string {
  const path = join(CACHE, `${name}.corpus`);
  writeFileSync(path, bytes);
  return path;
}

/** Runs `passes` passes of a C reference with `threads` threads (common.h says how they split the work). */
export function runC(binary: string, file: string, passes: number, threads = 1): CResult {
  const run = spawnSync(binary, [file, String(passes), String(threads)], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`${binary} failed (${run.status ?? run.signal}): ${run.stderr}`);
  const lines = run.stdout.split('\n');
  const passMs = (lines[0] ?? '').split(' ').slice(1).map(Number);
  let malformed = 0;
  const result = new Map<string, number>();
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    if (line.startsWith('malformed ')) {
      malformed = Number(line.slice('malformed '.length));
      continue;
    }
    const tab = line.indexOf('\t');
    result.set(line.slice(tab + 1), Number(line.slice(0, tab)));
  }
  return { passMs, result, malformed };
}

export interface CComparison {
  readonly cMedianMs: number;
  readonly sluiceMedianMs: number;
  /** Median over rounds of (C round median / sluice round median): > 1 means sluice is faster. */
  readonly sluiceOverC: number;
}

/**
 * Verifies the C result against sluice's, then times `rounds` rounds, each
 * running `passes` C passes (with `threads` threads, default 1) and `passes`
 * sluice calls back to back.
 */
export function compareWithC(
  binary: string,
  file: string,
  sluice: () => { readonly result: KeyedResult; readonly malformed: number },
  options: { readonly rounds: number; readonly passes: number; readonly tolerance: number; readonly threads?: number },
): CComparison {
  const threads = options.threads ?? 1;
  const reference = sluice();
  const c = runC(binary, file, 1, threads);
  const difference =
    c.malformed !== reference.malformed ? `C counted ${c.malformed} malformed lines, sluice ${reference.malformed}` : firstDifference(reference.result, c.result, options.tolerance);
  if (difference !== undefined) throw new Error(`the C reference ${binary} disagrees with sluice: ${difference}`);
  const cRounds: number[] = [];
  const sluiceRounds: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const cMs = median(runC(binary, file, options.passes, threads).passMs);
    const times: number[] = [];
    for (let k = 0; k < options.passes; k++) {
      const started = performance.now();
      sluice();
      times.push(performance.now() - started);
    }
    const sluiceMs = median(times);
    cRounds.push(cMs);
    sluiceRounds.push(sluiceMs);
    ratios.push(cMs / sluiceMs);
  }
  return { cMedianMs: median(cRounds), sluiceMedianMs: median(sluiceRounds), sluiceOverC: median(ratios) };
}

/**
 * sluice against real Spark Streaming 3.5.7, batch for batch: the scenarios
 * of scenarios.ts run in Spark (SparkScenarios.java, one JVM for all, on
 * Spark's ManualClock) and in sluice (on its ManualClock, with the WASM
 * kernels and without), over the same generated batches, and every output
 * of every batch must hold the same elements. Needs java, javac and mvn (the
 * jars come from Maven Central once, into node_modules/.cache); skipped with
 * a note without them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { REPOSITORY_ROOT, SPARK_JVM_OPTIONS, compiledAgainstSpark, missingJavaTools } from '../../bench/spark-jars.js';
import { Rng } from '../../src/corpus/prng.js';
import { createWorkerPool } from '../../src/node/index.js';
import { BATCHES, type Outputs, SCENARIOS, type Scenario, runInSluice, toJson } from './scenarios.js';

const SEEDS = [11, 12];
/** Scenarios whose chains the planner fuses into one kernel call over byte-backed batches. */
const FUSED = ['wordCount', 'orders'];

interface Run {
  readonly scenario: Scenario;
  /** The name the Spark side knows it by (SCENARIO in SparkScenarios.java), seed appended after a '#' for the output lines. */
  readonly id: string;
  readonly input: string[][];
}

/** Runs every scenario in one Spark JVM; outputs by run id. */
async function runInSpark(runs: readonly Run[], dir: string): Promise<Map<string, Outputs>> {
  const classpath = compiledAgainstSpark(join(REPOSITORY_ROOT, 'test', 'spark', 'SparkScenarios.java'));
  const args = runs.map((run) => {
    const file = join(dir, `${run.id.replace('#', '-')}.txt`);
    writeFileSync(file, run.input.flatMap((records, i) => records.map((record) => `${i}\t${record}\n`)).join(''));
    return `${run.scenario.name}=${file}`;
  });
  const java = spawn('java', [...SPARK_JVM_OPTIONS, '-Xmx1g', '-cp', classpath, 'SparkScenarios', String(BATCHES), join(dir, 'checkpoints'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  java.stderr.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString('utf8')).slice(-20_000)));
  const results = new Map<string, Outputs>(runs.map((run) => [run.id, new Map()]));
  // Runs go in order; DONE moves on to the next one (a scenario may run twice, with other seeds).
  let current = 0;
  const lines = createInterface({ input: java.stdout });
  lines.on('line', (line) => {
    if (line.startsWith('DONE ')) {
      current++;
      return;
    }
    const match = /^OUT (\S+) (\d+) (.*)$/.exec(line);
    if (match === null) return;
    const [, output, time, element] = match as unknown as [string, string, string, string];
    const outputs = results.get((runs[current] as Run).id) as Outputs;
    const key = `${output} ${time}`;
    outputs.set(key, [...(outputs.get(key) ?? []), toJson(JSON.parse(element))].sort());
  });
  const code = await new Promise<number | null>((resolve) => java.once('close', resolve));
  assert.equal(code, 0, `Spark exited with ${String(code)}:\n${stderr}`);
  assert.equal(current, runs.length, `Spark finished ${current} of ${runs.length} scenario runs:\n${stderr}`);
  // A failed Spark job leaves its outputs out: nothing to compare with.
  assert.doesNotMatch(stderr, /Error running job/, `a Spark job failed:\n${stderr}`);
  return results;
}

function differences(sluice: Outputs, spark: Outputs): string[] {
  const keys = [...new Set([...sluice.keys(), ...spark.keys()])].sort((a, b) => {
    const [na, ta] = a.split(' ');
    const [nb, tb] = b.split(' ');
    return na === nb ? Number(ta) - Number(tb) : (na as string) < (nb as string) ? -1 : 1;
  });
  return keys
    .filter((key) => toJson(sluice.get(key) ?? []) !== toJson(spark.get(key) ?? []))
    .map((key) => `${key}: sluice ${toJson(sluice.get(key) ?? [])}, Spark ${toJson(spark.get(key) ?? [])}`);
}

const missing = missingJavaTools();

test('every batch of every scenario equals real Spark Streaming 3.5.7\'s (WASM kernels on bytes and on strings, and the JS path)', {
  skip: missing.length > 0 ? `needs ${missing.join(', ')} on PATH to fetch and run Spark` : false,
  timeout: 600_000,
}, async () => {
  const runs: Run[] = SEEDS.flatMap((seed) => SCENARIOS.map((scenario) => ({ scenario, id: `${scenario.name}#${seed}`, input: scenario.input(new Rng(seed)) })));
  const dir = mkdtempSync(join(tmpdir(), 'sluice-spark-parity-'));
  // Partitions of a few bytes, so that even these small batches are counted by both workers and merged.
  const pool = await createWorkerPool({ workers: 2, minPartitionBytes: 16 });
  try {
    const spark = await runInSpark(runs, dir);
    const failures: string[] = [];
    for (const run of runs) {
      const expected = spark.get(run.id) as Outputs;
      assert.ok(expected.size > 0, `${run.id}: Spark produced no output`);
      const paths = [
        ['kernels, bytes from a receiver', undefined, 'receiver'],
        ['kernels, strings from a queue', undefined, 'queue'],
        ['a 2-worker pool, bytes from a receiver', pool, 'receiver'],
        ['JS path', null, 'receiver'],
      ] as const;
      for (const [path, kernels, feed] of paths) {
        const { outputs, kernelCalls } = await runInSluice(run.scenario, run.input, kernels, feed);
        // The fused chains (word count, keyValueFields + sum) must really have run as kernel calls over the bytes.
        if (feed === 'receiver' && kernels !== null && FUSED.includes(run.scenario.name)) assert.ok(kernelCalls > 0, `${run.id} (${path}): no kernel call`);
        const diff = differences(outputs, expected);
        if (diff.length > 0) failures.push(`${run.id} (${path}):\n  ${diff.slice(0, 8).join('\n  ')}${diff.length > 8 ? `\n  … ${diff.length - 8} more` : ''}`);
      }
    }
    assert.deepEqual(failures, [], failures.join('\n'));
    assert.ok(pool.stats.mergedBatches > 0, 'the pool split and merged some batches');
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The scale-out tests' harness: `sluice wordcount --kafka … --group G --state
 * --to-topic OUT` child processes in one consumer group over a 6-partition
 * topic, the corpus produced in waves, and the checks: the group drained the
 * input (committed offsets at the end of the input and of the repartition
 * topic) and the latest count of each word in OUT (read_committed).
 */
import { corpusLines } from '../../../../src/corpus/index.js';
import { SluiceProcess, jsonBatches } from '../../cli/sluice-process.js';
import { committedOffsets, createTopic, endOffsets, kafkaBrokers, produceLines, readTopic } from '../broker.js';

export const PARTITIONS = 6;

export function englishLines(n: number, seed: number): string[] {
  const lines: string[] = [];
  for (const line of corpusLines('english', { seed })) {
    if (lines.length === n) break;
    lines.push(line);
  }
  return lines;
}

export interface GroupTopics {
  readonly input: string;
  readonly output: string;
  /** A second output topic (a run in another group). */
  readonly output2: string;
  readonly groupId: string;
  /** The repartition topic the CLI's wordcount makes for the group. */
  readonly repartition: string;
}

export async function groupTopics(name: string): Promise<GroupTopics> {
  const input = await createTopic(`${name}-in`, PARTITIONS);
  const output = await createTopic(`${name}-out`, 3);
  const output2 = await createTopic(`${name}-out2`, 3);
  const groupId = `g-${input}`;
  return { input, output, output2, groupId, repartition: `${groupId}-wordcount-repartition` };
}

/** One `sluice wordcount` process of the group, with running counts (or `mode`, e.g. a window); killed after 170 s whatever happens. */
export function wordcountProcess(topics: GroupTopics, groupId = topics.groupId, output = topics.output, mode: readonly string[] = ['--state']): SluiceProcess {
  return new SluiceProcess(
    ['wordcount', '--kafka', kafkaBrokers(), '--topic', topics.input, '--group', groupId, ...mode, '--to-topic', output,
      '--batch', '250ms', '--max-rate-per-partition', '600', '--session-timeout', '3s', '--json'],
    170_000,
  );
}

/** Writes `lines` spread over the input's partitions. */
export function produce(topics: GroupTopics, lines: readonly string[]): Promise<void> {
  return produceLines(topics.input, lines, PARTITIONS);
}

/** Records the process's batches have read so far (input and repartition records). */
export function recordsRead(process: SluiceProcess): number {
  return jsonBatches(process.stdoutLines).reduce((n, b) => n + b.records, 0);
}

/** True once the process printed running counts: a batch of its changed its state, and the batch committed (so the changelog holds it). */
export function countedWords(process: SluiceProcess): boolean {
  return jsonBatches(process.stdoutLines).some((b) => b.result.length > 0);
}

/** The partitions the process said it owns last (its stderr notes), or undefined before any. */
export function ownedPartitions(process: SluiceProcess, groupId: string): number[] | undefined {
  const notes = process.stderr.split('\n').filter((line) => line.startsWith(`sluice: group ${groupId}: `));
  const last = notes.at(-1);
  if (last === undefined) return undefined;
  const match = /: partitions ([\d,]+) \(/.exec(last);
  return match === null ? [] : (match[1] as string).split(',').map(Number);
}

/** The figures of the process's last note: rebalances, resets, restored state records. */
export function lastNote(process: SluiceProcess, groupId: string): { rebalances: number; resets: number; restored: number } | undefined {
  const last = process.stderr.split('\n').filter((line) => line.startsWith(`sluice: group ${groupId}: `)).at(-1);
  const match = last === undefined ? null : /rebalances (\d+), resets (\d+); restored (\d+) state records/.exec(last);
  if (match === null) return undefined;
  return { rebalances: Number(match[1]), resets: Number(match[2]), restored: Number(match[3]) };
}

/** Each process's last scale-out note (partitions, rebalances, resets, restores), for the test's diagnostics. */
export function lastNotes(processes: readonly SluiceProcess[], groupId: string): string[] {
  return processes.map((p, i) => `process ${i}: ${p.stderr.split('\n').filter((line) => line.startsWith(`sluice: group ${groupId}: `)).at(-1) ?? 'no note'}`);
}

/** Waits until `condition` holds, failing with `what` and the processes' stderr after `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, processes: readonly SluiceProcess[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}\n${processes.map((p, i) => `--- process ${i} stderr:\n${p.stderr.slice(-3000)}`).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function committedAtEnd(groupId: string, topic: string): Promise<boolean> {
  const [ends, committed] = await Promise.all([endOffsets(topic), committedOffsets(groupId, topic)]);
  return [...ends].every(([p, end]) => end === 0 || committed.get(p) === end);
}

/**
 * Waits until the group consumed the whole input and everything the input
 * produced in the repartition topic (the last input offsets commit in the
 * same transaction as the last repartition records they caused).
 */
export async function waitDrained(topics: GroupTopics, processes: readonly SluiceProcess[], groupId = topics.groupId, timeoutMs = 90_000): Promise<void> {
  await waitUntil(() => committedAtEnd(groupId, topics.input), `group ${groupId} to commit the end of ${topics.input}`, processes, timeoutMs);
  await waitUntil(() => committedAtEnd(groupId, `${groupId}-wordcount-repartition`), `group ${groupId} to commit the end of its repartition topic`, processes, timeoutMs);
}

/** The latest count of each word in OUT (read_committed): a word's running count is written by its owner after each batch that changed it. */
export async function latestCounts(output: string): Promise<Map<string, number>> {
  const records = [...(await readTopic(output))].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.key as string, Number(r.value));
  return counts;
}

/** Stops the processes gracefully (SIGTERM: each finishes its batch, commits and leaves the group), then kills what is left; their exit codes (null: killed). */
export async function stopAll(processes: readonly SluiceProcess[]): Promise<(number | null)[]> {
  for (const p of processes) p.kill('SIGTERM');
  await Promise.race([Promise.all(processes.map((p) => p.exited)), new Promise((resolve) => setTimeout(resolve, 30_000))]);
  for (const p of processes) p.kill('SIGKILL');
  return Promise.all(processes.map(async (p) => (await p.exited).code));
}

/** Differences between two count maps, for a readable assertion message (at most 10). */
export function countDifferences(actual: ReadonlyMap<string, number>, expected: ReadonlyMap<string, number>): string[] {
  const diffs: string[] = [];
  for (const key of new Set([...actual.keys(), ...expected.keys()])) {
    if (actual.get(key) !== expected.get(key)) diffs.push(`${key}: got ${actual.get(key)}, expected ${expected.get(key)}`);
  }
  return diffs.slice(0, 10).concat(diffs.length > 10 ? [`... ${diffs.length} keys differ`] : []);
}

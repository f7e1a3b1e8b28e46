/**
 * `sluice wordcount`: the seed's NetworkWordCount. Lines → words (Java `\s`
 * split) → (word, 1) → reduceByKey(sum), written with the built-ins so the
 * engine runs the whole chain as one WASM kernel call per batch.
 */

// The package entry installs every operator method (flatMap, reduceByKey, ...) on DStream.
import { Batch, nonZero, pairWithOne, printLines, runningSum, splitWhitespace, subtract, sum, type BatchInfo, type DStream, type Pair } from '../../index.js';
import { InvalidArgumentError } from '../../errors.js';
import { jsonNumbers } from '../../batch/format.js';
import { NodeFileSink } from '../file-sink.js';
import { type OptionSpec, type ParsedArgs, parseDuration } from './args.js';
import { defineCommand } from './command.js';
import type { CliIo } from './io.js';
import { WORKERS_OPTION, openKernels, workersOf } from './kernels-option.js';
import { runStream } from './run-stream.js';
import { SOURCE_OPTIONS, type SourceSettings, createSource, sourceSettings } from './source-options.js';

const SPECS: readonly OptionSpec[] = [
  ...SOURCE_OPTIONS,
  WORKERS_OPTION,
  { name: 'state', type: 'boolean', help: 'Running counts since the start (updateStateByKey) instead of per-batch counts; recoverable with --checkpoint.' },
  { name: 'window', type: 'string', value: 'DURATION', help: 'Counts over the last DURATION (reduceByKeyAndWindow), a multiple of --batch.' },
  { name: 'slide', type: 'string', value: 'DURATION', help: 'With --window: how often the window is output (default: every batch).' },
  { name: 'json', type: 'boolean', help: 'One JSON line per batch: {"time":ms,"records":n,"result":[[word,count],...]} with every word, not the first ten.' },
  { name: 'save', type: 'string', value: 'PREFIX', help: "Also write each batch's counts as the folder PREFIX-<batch ms> (part files + _SUCCESS, written atomically)." },
];

export const wordcountCommand = defineCommand({
  name: 'wordcount',
  summary: 'Word count over a socket or a directory, printed per batch (Spark format or JSON).',
  description:
    'Counts the words of each batch of lines and prints them the way Spark Streaming does\n(header, then the first ten (word,count) pairs), or the whole result as JSON lines.',
  options: SPECS,
  examples:
    '  sluice gen --port 9999 &\n  sluice wordcount --socket 127.0.0.1:9999 --batch 1s\n  sluice wordcount --dir ./incoming --state --checkpoint ./ckpt --json\n  sluice wordcount --socket 127.0.0.1:9999 --window 30s --slide 10s',
  run: (args, io) => {
    const settings = sourceSettings('wordcount', args);
    const save = args.values.get('save');
    return runWordCount(io, settings, {
      json: args.flags.has('json'),
      workers: workersOf(args),
      mode: modeOf(args, settings.batchIntervalMs),
      ...(save === undefined ? {} : { savePrefix: save }),
    });
  },
});

/** Per batch (Spark's NetworkWordCount), running (updateStateByKey), or over a sliding window. */
export type CountMode = { readonly kind: 'batch' } | { readonly kind: 'state' } | { readonly kind: 'window'; readonly windowMs: number; readonly slideMs: number };

function modeOf(args: ParsedArgs, batchIntervalMs: number): CountMode {
  const window = args.values.get('window');
  const slide = args.values.get('slide');
  if (args.flags.has('state') && window !== undefined) throw new InvalidArgumentError('sluice wordcount: choose --state (running counts) or --window (counts over a window), not both.');
  if (slide !== undefined && window === undefined) throw new InvalidArgumentError('sluice wordcount: --slide needs --window, e.g. --window 30s --slide 10s.');
  if (args.flags.has('state')) return { kind: 'state' };
  if (window === undefined) return { kind: 'batch' };
  const windowMs = parseDuration('window', window);
  const slideMs = slide === undefined ? batchIntervalMs : parseDuration('slide', slide);
  for (const [flag, ms] of [['window', windowMs], ['slide', slideMs]] as const) {
    if (ms % batchIntervalMs !== 0) throw new InvalidArgumentError(`sluice wordcount: --${flag} (${ms} ms) must be a multiple of --batch (${batchIntervalMs} ms).`);
  }
  return { kind: 'window', windowMs, slideMs };
}

export interface WordCountOptions {
  readonly json: boolean;
  /** Kernel threads (see kernels-option.ts). Default 1. */
  readonly workers?: number;
  /** Default: per-batch counts. */
  readonly mode?: CountMode;
  /** Print the most frequent words first (the demo), instead of the engine's order (Spark's print). */
  readonly byCount?: boolean;
  /** saveAsTextFiles(prefix) through the Node file sink. */
  readonly savePrefix?: string;
}

export async function runWordCount(io: CliIo, settings: SourceSettings, options: WordCountOptions): Promise<number> {
  const mode = options.mode ?? { kind: 'batch' };
  // The inverse (incremental) window needs a checkpoint; without --checkpoint the window is recomputed from its batches.
  const incrementalWindow = settings.checkpointDir !== undefined;
  const kernels = await openKernels(options.workers ?? 1);
  try {
    return await runStream({
      io,
      settings,
      kernels,
      stateful: mode.kind === 'state',
      build: (ssc, onConnectionChange) => {
        const source = createSource(ssc, settings, onConnectionChange);
        const pairs = source.lines.flatMap(splitWhitespace).map(pairWithOne);
        let counts: DStream<Pair<string, number>>;
        // State is named per command so a checkpoint directory written by another command (orders) is refused, not recovered as word counts.
        if (mode.kind === 'state') counts = pairs.updateStateByKey(runningSum).name('wordcount-running-counts');
        else if (mode.kind === 'batch') counts = pairs.reduceByKey(sum);
        else if (incrementalWindow) counts = pairs.reduceByKeyAndWindow(sum, subtract, mode.windowMs, mode.slideMs, nonZero).name('wordcount-window');
        else counts = pairs.reduceByKeyAndWindow(sum, mode.windowMs, mode.slideMs);
        if (options.savePrefix !== undefined) counts.saveAsTextFiles(options.savePrefix, undefined, new NodeFileSink());
        source.output?.(counts);
        return { results: counts, sourceDescription: source.description };
      },
      collect: (pairs) => (options.byCount === true ? [...pairs].sort(byCountDescending) : pairs),
      emit: (info, collected) => {
        const pairs = collected as readonly Pair<string, number>[];
        io.stdout(options.json ? jsonLine(info, pairs) : sparkBlock(info, pairs));
      },
    });
  } finally {
    await kernels.close();
  }
}

function byCountDescending(a: Pair<string, number>, b: Pair<string, number>): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/** `{"time":ms,"records":n,"result":[[key,value],...]}` and a newline. */
export function jsonLine(info: BatchInfo, result: readonly Pair<string, number>[], extra: Record<string, number> = {}): string {
  return JSON.stringify({ time: info.batchTime, records: info.numRecords, ...extra, result }, jsonNumbers) + '\n';
}

/** Spark's print(10) block for the batch. */
export function sparkBlock(info: BatchInfo, result: readonly Pair<string, number>[], num = 10): string {
  return printLines(Batch.of(result), info.batchTime, num).join('\n') + '\n';
}

/**
 * `sluice wordcount`: the seed's NetworkWordCount. Lines → words (Java `\s`
 * split) → (word, 1) → reduceByKey(sum), written with the built-ins so the
 * engine runs the whole chain as one WASM kernel call per batch.
 */

// The package entry installs every operator method (flatMap, reduceByKey, ...) on DStream.
import { printLines } from '../../stream/print.js';
import { Batch, nonZero, pairWithOne, runningSum, splitWhitespace, subtract, sum, type BatchInfo, type DStream, type Pair } from '../../index.js';
import { InvalidArgumentError } from '../../errors.js';
import { MALFORMED_RECORDS_COUNTER } from '../../stream/flat-map-dstream.js';
import { jsonNumbers } from '../../batch/format.js';
import { NodeFileSink } from '../file-sink.js';
import { type OptionSpec, type ParsedArgs, parseDuration } from './args.js';
import { defineCommand } from './command.js';
import type { CliIo } from './io.js';
import { WORKERS_OPTION, openKernels, workersOf } from './kernels-option.js';
import { runStream } from './run-stream.js';
import { SOURCE_OPTIONS, type SourceSettings, createSource, sourceSettings } from './source-options.js';
import { scaleOutOf } from './scale-out-source.js';

const SPECS: readonly OptionSpec[] = [
  ...SOURCE_OPTIONS,
  WORKERS_OPTION,
  { name: 'state', type: 'boolean', help: 'Running counts since the start (updateStateByKey) instead of per-batch counts; recoverable with --checkpoint.' },
  { name: 'window', type: 'string', value: 'DURATION', help: 'Counts over the last DURATION (reduceByKeyAndWindow), a multiple of --batch. With --kafka it scales out like --state.' },
  { name: 'slide', type: 'string', value: 'DURATION', help: 'With --window: how often the window is output (default: every batch).' },
  { name: 'json', type: 'boolean', help: 'One JSON line per batch: {"time":ms,"records":n,"schedulingDelay":ms,"processingDelay":ms,"totalDelay":ms,"malformed":n,"result":[[word,count],...]}, every word. With --state: the words of that batch with their running counts.' },
  { name: 'all-keys', type: 'boolean', help: 'With --state --json: every running count in every line (the whole state, however large), not only the words of the batch.' },
  { name: 'save', type: 'string', value: 'PREFIX', help: "Also write each batch's counts as the folder PREFIX-<batch ms> (part files + _SUCCESS, written atomically)." },
];

export const wordcountCommand = defineCommand({
  name: 'wordcount',
  summary: 'Word count over a socket, a directory or Kafka topics, printed per batch (Spark format or JSON).',
  description:
    'Counts the words of each batch of lines and prints them the way Spark Streaming does\n(header, then the first ten (word,count) pairs), or the whole result as JSON lines.',
  options: SPECS,
  examples:
    '  sluice gen --port 9999 &\n  sluice wordcount --socket 127.0.0.1:9999 --batch 1s\n  sluice wordcount --dir ./incoming --state --checkpoint ./ckpt --json\n  sluice wordcount --socket 127.0.0.1:9999 --window 30s --slide 10s',
  run: (args, io) => {
    const settings = sourceSettings('wordcount', args);
    if (args.flags.has('all-keys') && !(args.flags.has('state') && args.flags.has('json'))) {
      throw new InvalidArgumentError('sluice wordcount: --all-keys only applies with --state --json (the text output shows the first ten running counts).');
    }
    const save = args.values.get('save');
    return runWordCount(io, settings, {
      json: args.flags.has('json'),
      allKeys: args.flags.has('all-keys'),
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
  /** With --state --json: print the whole state each batch instead of the keys the batch touched. */
  readonly allKeys?: boolean;
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
  const sink = new NodeFileSink();
  // Before any input is read, as --checkpoint is checked: a run that cannot save would lose what it consumed.
  if (options.savePrefix !== undefined) await sink.ensureWritable(options.savePrefix);
  // Running or windowed counts over Kafka scale out: every process started with the same --group shares the topic (see scale-out-source.ts).
  const scaleOut = scaleOutOf('wordcount', settings, mode.kind !== 'batch');
  // The inverse (incremental) window keeps a running aggregate, saved in a checkpoint or (scaled out) in a changelog; otherwise the window is recomputed from its batches.
  const incrementalWindow = settings.checkpointDir !== undefined || scaleOut !== undefined;
  const kernels = await openKernels(options.workers ?? 1);
  try {
    return await runStream({
      io,
      settings,
      kernels,
      stateful: mode.kind === 'state' && scaleOut === undefined,
      build: (ssc, onConnectionChange) => {
        const source = createSource(ssc, settings, onConnectionChange, scaleOut);
        const pairs = source.lines.flatMap(splitWhitespace).map(pairWithOne);
        let counts: DStream<Pair<string, number>>;
        let results: DStream<Pair<string, number>> | undefined;
        let changed: DStream<Pair<string, number>> | undefined;
        // Scaled out, each batch's counts (one kernel call) go to the process owning each word, which keeps its running or windowed count.
        const keyed = source.byKey === undefined ? pairs : source.byKey(pairs.reduceByKey(sum));
        if (mode.kind === 'state') {
          // State is named per command so a checkpoint directory written by another command (orders) is refused, not recovered as word counts.
          const state = keyed.updateStateByKey(runningSum).name('wordcount-running-counts');
          counts = state;
          // A JSON line of the whole state every batch grows with the state (70 MiB at 5 M words): by default only what the batch changed.
          if (options.json && options.allKeys !== true) results = state.changes();
          // Scaled out, --to-topic gets each batch's changed counts (the latest record of a word is its count).
          if (source.byKey !== undefined) changed = results ?? state.changes();
        } else if (mode.kind === 'batch') counts = pairs.reduceByKey(sum);
        else if (incrementalWindow) counts = keyed.reduceByKeyAndWindow(sum, subtract, mode.windowMs, mode.slideMs, nonZero).name('wordcount-window');
        else counts = pairs.reduceByKeyAndWindow(sum, mode.windowMs, mode.slideMs);
        if (options.savePrefix !== undefined) counts.saveAsTextFiles(options.savePrefix, undefined, sink);
        source.output?.(changed ?? counts);
        return { results: results ?? counts, sourceDescription: source.description, batchNote: source.batchNote };
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

/**
 * `{"time":ms,"records":n,"schedulingDelay":ms,"processingDelay":ms,"totalDelay":ms,"malformed":n,"result":[[key,value],...]}`
 * and a newline: the batch's BatchInfo (delays as Spark defines them; malformed lines a parser skipped) and its result.
 */
export function jsonLine(info: BatchInfo, result: readonly Pair<string, number>[]): string {
  return (
    JSON.stringify({
      time: info.batchTime,
      records: info.numRecords,
      // Set on every completed batch; a BatchInfo without them (not processed yet) leaves them out rather than write null.
      ...(info.schedulingDelay === undefined ? {} : { schedulingDelay: info.schedulingDelay }),
      ...(info.processingDelay === undefined ? {} : { processingDelay: info.processingDelay }),
      ...(info.totalDelay === undefined ? {} : { totalDelay: info.totalDelay }),
      malformed: info.counters[MALFORMED_RECORDS_COUNTER] ?? 0,
      result,
    }, jsonNumbers) + '\n'
  );
}

/** Spark's print(10) block for the batch. */
export function sparkBlock(info: BatchInfo, result: readonly Pair<string, number | string>[], num = 10): string {
  return printLines(Batch.of(result), info.batchTime, num).join('\n') + '\n';
}

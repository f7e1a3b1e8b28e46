/**
 * `sluice wordcount`: the seed's NetworkWordCount. Lines → words (Java `\s`
 * split) → (word, 1) → reduceByKey(sum), written with the built-ins so the
 * engine runs the whole chain as one WASM kernel call per batch.
 */

// The package entry installs every operator method (flatMap, reduceByKey, ...) on DStream.
import { Batch, StreamingContext, pairWithOne, printLines, splitWhitespace, sum, type BatchInfo, type Pair } from '../../index.js';
import { NodeFileSink } from '../file-sink.js';
import { type OptionSpec, parseArgs, usage } from './args.js';
import { type CliIo, EXIT_OK } from './io.js';
import { WORKERS_OPTION, openKernels, workersOf } from './kernels-option.js';
import { ConnectionWatch, runStream } from './run-stream.js';
import { SOURCE_OPTIONS, type SourceSettings, createSource, sourceSettings } from './source-options.js';

const SPECS: readonly OptionSpec[] = [
  ...SOURCE_OPTIONS,
  WORKERS_OPTION,
  { name: 'json', type: 'boolean', help: 'One JSON line per batch: {"time":ms,"records":n,"result":[[word,count],...]} with every word, not the first ten.' },
  { name: 'save', type: 'string', value: 'PREFIX', help: 'Also write each batch\'s counts as the folder PREFIX-<batch ms> (part files + _SUCCESS, written atomically).' },
];

export const WORDCOUNT_HELP = usage(
  'wordcount',
  'Counts the words of each batch of lines and prints them the way Spark Streaming does\n(header, then the first ten (word,count) pairs), or the whole result as JSON lines.',
  SPECS,
  'Examples:\n  sluice gen --port 9999 &\n  sluice wordcount --socket 127.0.0.1:9999 --batch 1s\n  sluice wordcount --dir ./incoming --json',
);

export async function wordcount(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs('wordcount', argv, SPECS);
  if (args.help) {
    io.stdout(WORDCOUNT_HELP);
    return EXIT_OK;
  }
  const save = args.values.get('save');
  return runWordCount(io, sourceSettings('wordcount', args), {
    json: args.flags.has('json'),
    workers: workersOf(args),
    ...(save === undefined ? {} : { savePrefix: save }),
  });
}

export interface WordCountOptions {
  readonly json: boolean;
  /** Kernel threads (see kernels-option.ts). Default 1. */
  readonly workers?: number;
  /** Print the most frequent words first (the demo), instead of the engine's order (Spark's print). */
  readonly byCount?: boolean;
  /** saveAsTextFiles(prefix) through the Node file sink. */
  readonly savePrefix?: string;
}

export async function runWordCount(io: CliIo, settings: SourceSettings, options: WordCountOptions): Promise<number> {
  const kernels = await openKernels(options.workers ?? 1);
  try {
    const ssc = new StreamingContext({ batchIntervalMs: settings.batchIntervalMs, kernels: kernels.kernels });
    const watch = new ConnectionWatch();
    const source = createSource(ssc, settings, watch.onChange);
    const counts = source.lines.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum);
    if (options.savePrefix !== undefined) counts.saveAsTextFiles(options.savePrefix, undefined, new NodeFileSink());
    return await runStream(
      {
        io,
        ssc,
        settings,
        sourceDescription: `${source.description} (${kernels.description})`,
        results: counts,
        collect: (pairs) => (options.byCount === true ? [...pairs].sort(byCountDescending) : pairs),
        emit: (info, collected) => {
          const pairs = collected as readonly Pair<string, number>[];
          io.stdout(options.json ? jsonLine(info, pairs) : sparkBlock(info, pairs));
        },
      },
      watch,
    );
  } finally {
    await kernels.close();
  }
}

function byCountDescending(a: Pair<string, number>, b: Pair<string, number>): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

/** `{"time":ms,"records":n,"result":[[key,value],...]}` and a newline. */
export function jsonLine(info: BatchInfo, result: readonly Pair<string, number>[], extra: Record<string, number> = {}): string {
  return JSON.stringify({ time: info.batchTime, records: info.numRecords, ...extra, result }) + '\n';
}

/** Spark's print(10) block for the batch. */
export function sparkBlock(info: BatchInfo, result: readonly Pair<string, number>[], num = 10): string {
  return printLines(Batch.of(result), info.batchTime, num).join('\n') + '\n';
}

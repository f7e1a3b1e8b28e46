/**
 * `sluice demo` (what `npm start` runs): the generator and a word count in
 * one process — a GeneratorServer on a free port feeding socketTextStream —
 * with live batches, most frequent words first, until Ctrl-C.
 */

import { InvalidArgumentError } from '../../errors.js';
import { GeneratorServer } from '../generator-server.js';
import { type OptionSpec, parseDuration, parseInteger, parseRate } from './args.js';
import { defineCommand } from './command.js';
import { WORKERS_OPTION, workersOf } from './kernels-option.js';
import { runWordCount } from './wordcount.js';

const SPECS: readonly OptionSpec[] = [
  { name: 'batch', type: 'string', value: 'DURATION', help: 'Batch interval (default 1s).' },
  { name: 'rate', type: 'string', value: 'N/s', help: 'Lines per second from the built-in generator (default 20k/s).' },
  { name: 'corpus', type: 'string', value: 'NAME', help: 'english (default) or mixed (20% Chinese words, mixed whitespace).' },
  { name: 'batches', type: 'string', value: 'N', help: 'Stop after N batches (default: run until Ctrl-C).' },
  { name: 'json', type: 'boolean', help: 'JSON lines instead of Spark-style blocks.' },
  WORKERS_OPTION,
];

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'Generator and word count in one process, live batches until Ctrl-C (what `npm start` runs).',
  description:
    'Word count over a generated stream, all in one process: a generator server on a free local port and\nsocketTextStream reading from it. Each batch shows its ten most frequent words. Stop with Ctrl-C.',
  options: SPECS,
  examples: '  npm start\n  sluice demo --corpus mixed --workers 2',
  run: async (args, io) => {
    const corpus = args.values.get('corpus') ?? 'english';
    if (corpus !== 'english' && corpus !== 'mixed') throw new InvalidArgumentError(`sluice demo: --corpus must be english or mixed; got "${corpus}".`);
    const batch = args.values.get('batch');
    const batches = args.values.get('batches');
    const rate = args.values.get('rate');
    // Every flag is checked before the generator starts: a typo must not leave a server running or print a start banner.
    const batchIntervalMs = batch === undefined ? 1000 : parseDuration('batch', batch);
    const maxBatches = batches === undefined ? undefined : parseInteger('batches', batches, 1);
    const workers = workersOf(args);
    const server = new GeneratorServer({ port: 0, corpus, linesPerSecond: rate === undefined ? 20_000 : parseRate('rate', rate) });
    const port = await server.start();
    io.stderr(`sluice demo: generating ${corpus} lines on 127.0.0.1:${port}; counting words per batch (Ctrl-C to stop)\n`);
    try {
      return await runWordCount(
        io,
        {
          batchIntervalMs,
          maxBatches,
          connectTimeoutMs: 10_000,
          socket: { host: '127.0.0.1', port },
          includeExisting: false,
          maxLineBytes: undefined,
        },
        { json: args.flags.has('json'), byCount: true, workers },
      );
    } finally {
      await server.stop();
    }
  },
});

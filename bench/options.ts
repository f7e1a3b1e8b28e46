/** Command-line options of `npm run bench` (see BENCHMARKS.md for the defaults' rationale). */
import { parseArgs } from 'node:util';
import { DEFAULT_DISTINCT_KEYS, DEFAULT_SEED, type CorpusName } from '../src/corpus/index.js';

export interface BenchOptions {
  /** Corpus size in MB (10^6 bytes) for english, mixed and orders. */
  readonly sizeMb: number;
  /** Distinct keys of the distinct corpus (one pass: every key once). */
  readonly distinctKeys: number;
  readonly seed: number;
  /** Interleaved rounds; per round and case, a time budget in ms and a minimum of timed iterations. */
  readonly rounds: number;
  readonly timeMs: number;
  readonly minIterations: number;
  /** Substrings matched against `corpus/impl`; empty = everything. */
  readonly filters: readonly string[];
  readonly jsonFile: string | undefined;
  /** Print the result table as Markdown. */
  readonly markdown: boolean;
  /** Workers of the pool compared with the C reference on as many threads (0: no pool comparison). */
  readonly workers: number;
}

export const USAGE = `Usage: npm run bench -- [options]

  --size MB            corpus size for english, mixed, orders (MB = 10^6 bytes; default 32)
  --distinct-keys N    keys in the distinct corpus, each once (default ${DEFAULT_DISTINCT_KEYS})
  --filter TEXT        only cases whose "corpus/impl" contains TEXT (repeatable, comma list);
                       the baselines of a selected corpus always run, since ratios need them
  --json FILE          also write the results as a JSON array, one object per case
  --markdown           print the result table as Markdown (for BENCHMARKS.md)
  --rounds N           interleaved rounds: each round times every case once (default 5)
  --time MS            time budget per case and round (default 400)
  --iterations N       minimum timed iterations per case and round (default 1)
  --seed N             corpus seed (default ${DEFAULT_SEED})
  --workers N          also time a worker pool of N workers against the C reference
                       on N threads and on one (default 2; 0 skips it)
  --quick              small smoke run: --size 4 --distinct-keys 500000 --rounds 3 --time 100
  --help               this text
`;

export function parseOptions(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      size: { type: 'string' },
      'distinct-keys': { type: 'string' },
      filter: { type: 'string', multiple: true },
      json: { type: 'string' },
      markdown: { type: 'boolean' },
      rounds: { type: 'string' },
      time: { type: 'string' },
      iterations: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      quick: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help === true) return 'help';
  const quick = values.quick === true;
  const filters = (values.filter ?? []).flatMap((f) => f.split(',')).map((f) => f.trim()).filter((f) => f !== '');
  const distinctKeys = positive('distinct-keys', values['distinct-keys'], quick ? 500_000 : DEFAULT_DISTINCT_KEYS, true);
  if (distinctKeys % 10 !== 0) throw new Error(`--distinct-keys must be a multiple of 10, got ${distinctKeys}`);
  return {
    sizeMb: positive('size', values.size, quick ? 4 : 32, false),
    distinctKeys,
    seed: positive('seed', values.seed, DEFAULT_SEED, true, true),
    rounds: positive('rounds', values.rounds, quick ? 3 : 5, true),
    timeMs: positive('time', values.time, quick ? 100 : 400, true),
    minIterations: positive('iterations', values.iterations, 1, true),
    filters,
    jsonFile: values.json,
    markdown: values.markdown === true,
    workers: positive('workers', values.workers, 2, true, true),
  };
}

/** Whether the case `corpus/impl` is selected by the filters (baselines are added by the caller). */
export function selected(options: BenchOptions, corpus: CorpusName, impl: string): boolean {
  const name = `${corpus}/${impl}`;
  return options.filters.length === 0 || options.filters.some((f) => name.includes(f));
}

function positive(name: string, raw: string | undefined, fallback: number, integer: boolean, allowZero = false): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0) || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

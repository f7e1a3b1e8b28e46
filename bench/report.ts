/**
 * Turns measurements into result rows (throughput and ratios against the
 * baselines measured in the same run) and prints them as a table.
 */
import type { CorpusName } from '../src/corpus/index.js';
import { IDIOMATIC, TUNED } from './impls.js';
import { median, type Measurement } from './measure.js';

export type Operation = 'wordCount' | 'aggregateDelimited';

/** What a corpus holds, counted once by the reference. */
export interface CorpusFacts {
  readonly corpus: CorpusName;
  readonly operation: Operation;
  readonly bytes: number;
  /** Words (word-count corpora) or null (delimited corpora). */
  readonly words: number | null;
  /** Lines. */
  readonly records: number;
}

/** One JSON object per measured case (`--json`). */
export interface BenchRow extends CorpusFacts {
  readonly impl: string;
  /** Median over rounds of each round's median time. */
  readonly medianMs: number;
  /** Fastest round median. */
  readonly minMs: number;
  /** Each round's median time, in round order (rounds are interleaved across impls). */
  readonly roundMedianMs: readonly number[];
  /** Timed calls over all rounds. */
  readonly samples: number;
  /** MB = 10^6 bytes, from medianMs. */
  readonly mbPerSec: number;
  readonly wordsPerSec: number | null;
  readonly recordsPerSec: number;
  /**
   * Median over rounds of (baseline's round time / this case's round time),
   * the baseline being measured on the same corpus in the same round; null if
   * the baseline did not run.
   */
  readonly ratioVsIdiomatic: number | null;
  readonly ratioVsTunedJs: number | null;
}

export function toRow(facts: CorpusFacts, impl: string, m: Measurement): BenchRow {
  const seconds = m.medianMs / 1000;
  return {
    ...facts,
    impl,
    medianMs: m.medianMs,
    minMs: m.minMs,
    roundMedianMs: m.rounds.map((r) => r.medianMs),
    samples: m.samples,
    mbPerSec: facts.bytes / 1e6 / seconds,
    wordsPerSec: facts.words === null ? null : facts.words / seconds,
    recordsPerSec: facts.records / seconds,
    ratioVsIdiomatic: null,
    ratioVsTunedJs: null,
  };
}

/** Fills the ratio columns from the baseline rows of the same corpus, round by round. */
export function withRatios(rows: readonly BenchRow[]): BenchRow[] {
  const ratioTo = (row: BenchRow, impl: string): number | null => {
    const baseline = rows.find((r) => r.corpus === row.corpus && r.impl === impl);
    if (baseline === undefined || baseline.roundMedianMs.length !== row.roundMedianMs.length) return null;
    return median(row.roundMedianMs.map((ms, round) => (baseline.roundMedianMs[round] as number) / ms));
  };
  return rows.map((row) => ({ ...row, ratioVsIdiomatic: ratioTo(row, IDIOMATIC), ratioVsTunedJs: ratioTo(row, TUNED) }));
}

const COLUMNS = ['corpus', 'impl', 'MB', 'median ms', 'MB/s', 'M words/s', 'M lines/s', '× idiomatic', '× tuned-js', 'rounds', 'samples', 'spread %'];
/** Columns after the first two are numbers: right-aligned. */
const TEXT_COLUMNS = 2;

function cells(r: BenchRow): string[] {
  return [
    r.corpus,
    r.impl,
    (r.bytes / 1e6).toFixed(1),
    r.medianMs.toFixed(1),
    r.mbPerSec.toFixed(1),
    r.wordsPerSec === null ? '-' : (r.wordsPerSec / 1e6).toFixed(2),
    (r.recordsPerSec / 1e6).toFixed(2),
    ratio(r.ratioVsIdiomatic),
    ratio(r.ratioVsTunedJs),
    String(r.roundMedianMs.length),
    String(r.samples),
    spread(r.roundMedianMs).toFixed(0),
  ];
}

/** An aligned plain-text table for the terminal. */
export function formatTable(rows: readonly BenchRow[]): string {
  const body = rows.map(cells);
  const widths = COLUMNS.map((h, c) => Math.max(h.length, ...body.map((line) => (line[c] ?? '').length)));
  const format = (line: readonly string[]): string =>
    line.map((cell, c) => (c < TEXT_COLUMNS ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  return [format(COLUMNS), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(format)].join('\n');
}

/** The same table in Markdown (`--markdown`), for BENCHMARKS.md. */
export function formatMarkdown(rows: readonly BenchRow[]): string {
  const line = (values: readonly string[]): string => `| ${values.join(' | ')} |`;
  const rule = COLUMNS.map((_, c) => (c < TEXT_COLUMNS ? '---' : '---:'));
  return [line(COLUMNS), line(rule), ...rows.map((r) => line(cells(r)))].join('\n');
}

/** (slowest − fastest round median) / median, in percent: how much the load moved this case. */
function spread(roundMs: readonly number[]): number {
  return ((Math.max(...roundMs) - Math.min(...roundMs)) / median(roundMs)) * 100;
}

function ratio(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(2)}×`;
}
